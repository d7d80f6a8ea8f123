// The timing model: how long a step takes, from the batches the dry run gives it. One model for
// `plan`'s estimates, the run's "expected end", the window guard and the benchmarks, so all of
// them quote the same numbers.
//
// A step is its batches one after another, then one more observation that finds it complete.
// A batch (as the run machine walks it) is:
//   observe   the reads of a progress observation (observationReads), sent at once;
//   act       its calls in chains, ACT_CONCURRENCY chains at a time, each call a round trip;
//   converge  the longest propagation delay of its calls, seen at the first poll after it (polls
//             every budgets.pollIntervalMs; GetChange for zone changes, a re-read otherwise);
//   DNS gate  okStreak probe rounds in a row after the batch settled (on average half a round
//             passes before the first).
// Every call draws from r53migrate's own request buckets (aws/budget.ts bucketsFor: AWS's rates
// times the plan's budgets.rateShare), simulated as token buckets per account: a step of 990
// disassociations is rate-bound, a step of 3 is delay-bound, and the model says which.
import { actionChains, apiCall, settlesByChange, settlesInProfile, type Action } from '../aws/actions.js';
import { bucketsFor, type Rate } from '../aws/budget.js';
import type { AwsService } from '../aws/errors.js';
import { planVpcs, type Plan } from '../plan/schema.js';

/** How long AWS takes to make a change real, by kind (ms at AWS's speed). */
export interface PropagationDelays {
  /** A Route 53 change (zone association, records, zone deletion): PENDING → INSYNC. */
  changeInsyncMs: number;
  profileAssociationMs: number;
  profileDisassociationMs: number;
  resourceAssociationMs: number;
  resourceDisassociationMs: number;
  /** ModifyVpcEndpoint (Private DNS): the endpoint back to available. */
  endpointModifyMs: number;
}

/**
 * What r53migrate expects, per kind of change. AWS publishes no latency for any of them
 * (docs/aws-facts.md "Propagation delays"): these are the figures the twin's AWS-like delays use
 * (a test holds the two together), in the range operators report. Slower days are what the
 * window guard's margin and the budgets are for.
 */
export const EXPECTED_DELAYS: PropagationDelays = {
  changeInsyncMs: 4_000,
  profileAssociationMs: 6_000,
  profileDisassociationMs: 5_000,
  resourceAssociationMs: 8_000,
  resourceDisassociationMs: 6_000,
  endpointModifyMs: 10_000,
};

/** A request's round trip to an AWS endpoint, typical from inside a region or a nearby office. */
export const EXPECTED_CALL_MS = 100;

/** A zone backup besides its read: written as JSON and BIND, synced, read back and compared. */
const BACKUP_LOCAL_MS = 1_000;

/** The process starting: Node, the SDK clients, the credential chain, the plan and state files. */
const PROCESS_START_MS = 1_000;

/** Chains of a batch sent at once (the run's act does the same). */
export const ACT_CONCURRENCY = 16;

/**
 * R53M_DELAY_SCALE (default 1) multiplies the expected delays: a rehearsal knob for the sandbox,
 * whose delays are AWS's × --delay-scale (the sandbox's env.sh sets it). Like R53M_RATE_SCALE it
 * means nothing against AWS.
 */
export function delayScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.R53M_DELAY_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) throw new Error(`R53M_DELAY_SCALE must be a positive number up to 1000 (the sandbox's --delay-scale, for estimates of rehearsals; never set it against AWS), not "${raw}"`);
  return n;
}

/** The propagation delay a call's effect needs (0: in place when the call returns). */
export function delayOf(operation: string, delays: PropagationDelays = EXPECTED_DELAYS): number {
  switch (operation) {
    case 'AssociateProfile':
      return delays.profileAssociationMs;
    case 'DisassociateProfile':
      return delays.profileDisassociationMs;
    case 'AssociateResourceToProfile':
      return delays.resourceAssociationMs;
    case 'DisassociateResourceFromProfile':
      return delays.resourceDisassociationMs;
    case 'ModifyVpcEndpoint':
      return delays.endpointModifyMs;
    case 'AssociateVPCWithHostedZone':
    case 'DisassociateVPCFromHostedZone':
    case 'ChangeResourceRecordSets':
    case 'DeleteHostedZone':
    case 'CreateHostedZone':
      return delays.changeInsyncMs;
    default:
      return 0; // authorizations take effect at once
  }
}

export interface TimingModel {
  delays: PropagationDelays;
  callMs: number;
  pollIntervalMs: number;
  probeIntervalMs: number;
  okStreak: number;
  /** The request buckets a call draws from (default: r53migrate's own, aws/budget.ts). */
  buckets: (service: AwsService, operation: string, mutating: boolean) => [string, Rate][];
}

/** The model for a plan: its own poll and probe timings, the expected delays (× R53M_DELAY_SCALE). */
export function timingModel(plan: Plan, env: NodeJS.ProcessEnv = process.env): TimingModel {
  const scale = delayScale(env);
  const delays = Object.fromEntries(Object.entries(EXPECTED_DELAYS).map(([k, v]) => [k, v * scale])) as unknown as PropagationDelays;
  return {
    delays,
    callMs: EXPECTED_CALL_MS,
    pollIntervalMs: plan.budgets.pollIntervalMs,
    // An SSM probe round is a command sent and read back: a round every interval at best.
    probeIntervalMs: plan.probes.intervalMs,
    okStreak: plan.probes.okStreak,
    buckets: (service, operation, mutating) => bucketsFor(service, operation, mutating, plan.budgets.rateShare),
  };
}

/** One call as the model sees it: who sends it, which buckets it draws from, what it waits for. */
interface ModelCall {
  account: string;
  service: AwsService;
  operation: string;
  mutating: boolean;
}

/**
 * Token buckets per (account, bucket), as aws/budget.ts keeps them, on a simulated clock. One
 * simulation runs through a whole run, so what discovery spends is missing from step 1's first
 * reads, as it is in the process. Calls must be asked for in time order (a bucket's clock only
 * goes forward).
 */
export class SimBuckets {
  private buckets = new Map<string, { tokens: number; at: number; rate: Rate }>();
  constructor(private readonly model: TimingModel) {}

  /** When a call asked for at `at` gets its tokens. */
  grant(call: ModelCall, at: number): number {
    let t = at;
    for (const [key, rate] of this.model.buckets(call.service, call.operation, call.mutating)) {
      const k = `${call.account}|${key}`;
      const b = this.buckets.get(k) ?? { tokens: rate.burst, at: 0, rate };
      const start = Math.max(t, b.at);
      b.tokens = Math.min(rate.burst, b.tokens + ((start - b.at) * rate.perSecond) / 1000);
      if (b.tokens >= 1) {
        b.tokens -= 1;
        b.at = start;
        t = start;
      } else {
        const wait = ((1 - b.tokens) * 1000) / rate.perSecond;
        b.tokens = 0;
        b.at = start + wait;
        t = start + wait;
      }
      this.buckets.set(k, b);
    }
    return t;
  }

  /** Sends `calls` at once; resolves when the last answer is back. */
  all(calls: ModelCall[], at: number): number {
    let end = at;
    for (const c of calls) end = Math.max(end, this.grant(c, at) + this.model.callMs);
    return end;
  }
}

const chunksOf = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** The reads of one observation between batches (aws/observe.ts, scope 'progress'). */
export function observationReads(plan: Plan): ModelCall[] {
  const read = (account: string, service: AwsService, operation: string): ModelCall => ({ account, service, operation, mutating: false });
  const calls: ModelCall[] = [];
  const owner = plan.profile.account;
  calls.push(read(owner, 'route53profiles', 'GetProfile'));
  const zones = plan.endpoints.flatMap((e) => e.zones);
  for (let i = 0; i < chunksOf(zones.length + plan.endpoints.length, 100); i++) calls.push(read(owner, 'route53profiles', 'ListProfileResourceAssociations'));
  const byAccount = new Map<string, number>();
  for (const v of planVpcs(plan)) byAccount.set(v.account, (byAccount.get(v.account) ?? 0) + 1);
  for (const [account, n] of byAccount) {
    for (let i = 0; i < chunksOf(n, 200); i++) calls.push(read(account, 'ec2', 'DescribeVpcs'));
    for (let i = 0; i < chunksOf(n, 100); i++) calls.push(read(account, 'route53profiles', 'ListProfileAssociations'));
  }
  for (let i = 0; i < zones.length; i++) {
    for (const op of ['GetHostedZone', 'ListResourceRecordSets', 'ListVPCAssociationAuthorizations']) calls.push(read(owner, 'route53', op));
  }
  calls.push(read(owner, 'ec2', 'DescribeVpcEndpoints'));
  return calls;
}

/** The reads of one poll of a batch of Profile associations and endpoint settings (observeSettling). */
function settlingReads(plan: Plan, actions: Action[]): ModelCall[] {
  const read = (account: string, service: AwsService, operation: string): ModelCall => ({ account, service, operation, mutating: false });
  const owner = new Map(planVpcs(plan).map((v) => [v.id, v.account]));
  const accounts = new Set(actions.flatMap((a) => (a.kind === 'associate-profile' || a.kind === 'disassociate-profile' ? [owner.get(a.vpcId) ?? a.account] : [])));
  return [
    ...[...accounts].map((a) => read(a, 'route53profiles', 'ListProfileAssociations')),
    ...(actions.some((a) => a.kind === 'associate-resource' || a.kind === 'disassociate-resource') ? [read(plan.profile.account, 'route53profiles', 'ListProfileResourceAssociations')] : []),
    ...(actions.some((a) => a.kind === 'set-private-dns') ? [read(plan.profile.account, 'ec2', 'DescribeVpcEndpoints')] : []),
  ];
}

/** Route 53 calls that answer with a change id to wait for. */
const RETURNS_CHANGE = new Set(['AssociateVPCWithHostedZone', 'DisassociateVPCFromHostedZone', 'ChangeResourceRecordSets', 'DeleteHostedZone', 'CreateHostedZone']);

function callOf(a: Action): ModelCall {
  const call = apiCall(a);
  // A zone backup reads its records (a page per 300 record sets; one for the zones this tool sees).
  if (!call) return { account: a.account, service: 'route53', operation: 'ListResourceRecordSets', mutating: false };
  return { account: a.account, service: call.service, operation: call.operation, mutating: true };
}

/** What one batch, or a step, costs in the model. */
export interface BatchTiming {
  observeMs: number;
  actMs: number;
  convergeMs: number;
  gateMs: number;
}

export interface StepEstimate {
  step: number;
  batches: number;
  /** Calls that change something. */
  calls: number;
  /** The bucket the step's changes spend most from, and its rate (r53migrate's, per second). */
  slowest?: { bucket: string; perSecond: number; calls: number };
  /** Batches that wait for AWS to propagate, and the mean wait of one (ms). */
  waits: number;
  meanWaitMs: number;
  gateMs: number;
  totalMs: number;
  parts: BatchTiming;
}

/**
 * A step's duration from its batches (the dry run's, or the rest of a step from where a run
 * stands). `gates` false: the batches have no DNS gate (none in the plan).
 */
export function estimateStep(
  plan: Plan,
  step: number,
  batches: Action[][],
  model: TimingModel = timingModel(plan),
  o: { gates?: boolean; sim?: SimBuckets; at?: number } = {},
): StepEstimate {
  const sim = o.sim ?? new SimBuckets(model);
  const reads = observationReads(plan);
  const parts: BatchTiming = { observeMs: 0, actMs: 0, convergeMs: 0, gateMs: 0 };
  const start = o.at ?? 0;
  let t = start;
  let waits = 0;
  let waitMs = 0;
  const perBucket = new Map<string, { n: number; rate: Rate }>();
  let calls = 0;
  const gated = o.gates !== false;
  for (const batch of batches) {
    const t0 = t;
    t = sim.all(reads, t);
    parts.observeMs += t - t0;
    // act: chains, ACT_CONCURRENCY at a time, each call a round trip after its tokens.
    const t1 = t;
    const settleAt: { account: string; at: number; change: boolean }[] = [];
    // Each worker takes the next chain when free; the earliest worker always goes next, so the
    // buckets see the calls in the order they are sent.
    const chains = actionChains(batch);
    let nextChain = 0;
    const workers = Array.from({ length: Math.max(1, Math.min(ACT_CONCURRENCY, chains.length)) }, () => ({ at: t1, chain: [] as Action[], i: 0 }));
    for (;;) {
      const ready = workers.filter((x) => x.i < x.chain.length || nextChain < chains.length);
      if (!ready.length) break;
      const w = ready.reduce((a, b) => (b.at < a.at ? b : a));
      if (w.i >= w.chain.length) {
        w.chain = chains[nextChain++]!;
        w.i = 0;
      }
      const a = w.chain[w.i++]!;
      const c = callOf(a);
      if (c.mutating) {
        calls++;
        for (const [key, rate] of model.buckets(c.service, c.operation, true)) {
          const k = `${c.account}|${key}`;
          perBucket.set(k, { n: (perBucket.get(k)?.n ?? 0) + 1, rate });
        }
      }
      w.at = sim.grant(c, w.at) + model.callMs + (a.kind === 'backup-zone' ? BACKUP_LOCAL_MS : 0);
      const delay = settleDelay(a, c, model.delays);
      if (delay > 0 || RETURNS_CHANGE.has(c.operation)) settleAt.push({ account: a.account, at: w.at + delay, change: RETURNS_CHANGE.has(c.operation) });
    }
    t = Math.max(...workers.map((w) => w.at));
    parts.actMs += t - t1;
    // converge: poll until everything settled (GetChange for zone changes, oldest first; a re-read otherwise).
    const t2 = t;
    const byChange = batch.every(settlesByChange);
    const pollReads = byChange ? [] : batch.every(settlesInProfile) ? settlingReads(plan, batch) : reads;
    const pending = settleAt.filter((s) => s.change).sort((a, b) => a.at - b.at);
    const settled = Math.max(t, ...settleAt.map((s) => s.at));
    for (let polls = 0; polls < 100_000; polls++) {
      while (pending.length) {
        const answered = sim.grant({ account: pending[0]!.account, service: 'route53', operation: 'GetChange', mutating: false }, t) + model.callMs;
        t = answered;
        if (answered < pending[0]!.at) break;
        pending.shift();
      }
      if (pollReads.length) t = sim.all(pollReads, t);
      if (!pending.length && t >= settled) break;
      t += model.pollIntervalMs;
    }
    if (settled > t2) {
      waits++;
      waitMs += t - t2;
    }
    parts.convergeMs += t - t2;
    if (gated) {
      const gate = Math.max(0, model.okStreak - 0.5) * model.probeIntervalMs;
      t += gate;
      parts.gateMs += gate;
    }
  }
  // The observation that finds the step complete.
  const t3 = t;
  t = sim.all(reads, t);
  parts.observeMs += t - t3;
  let slowest: StepEstimate['slowest'];
  for (const [bucket, { n, rate }] of perBucket) {
    if (!slowest || n / rate.perSecond > slowest.calls / slowest.perSecond) slowest = { bucket: bucket.split('|')[1]!, perSecond: rate.perSecond, calls: n };
  }
  return { step, batches: batches.length, calls, ...(slowest ? { slowest } : {}), waits, meanWaitMs: waits ? waitMs / waits : 0, gateMs: parts.gateMs, totalMs: t - start, parts };
}

/**
 * What an action waits for before it is in place: its call's delay, and for an endpoint joining
 * the Profile also the endpoint's own modification (it is `pending` meanwhile, as on the runbook's
 * step 5, and the step waits for it to be `available`).
 */
function settleDelay(a: Action, c: ModelCall, delays: PropagationDelays): number {
  const own = delayOf(c.operation, delays);
  return a.kind === 'associate-resource' && a.resourceArn.includes(':vpc-endpoint/') ? Math.max(own, delays.endpointModifyMs) : own;
}

/** Before step 1: discovery (a full observation), the estate mark and the DNS preflight. */
export function estimateStart(plan: Plan, model: TimingModel = timingModel(plan), o: { preflight?: boolean; sim?: SimBuckets } = {}): number {
  const sim = o.sim ?? new SimBuckets(model);
  const reads = observationReads(plan);
  // Start-up, discovery, then the marks read and placed on the Profile and every zone, then the preflight.
  let t = sim.all(reads, PROCESS_START_MS);
  const zones = plan.endpoints.flatMap((e) => e.zones).length;
  t = sim.all(Array.from({ length: zones }, () => ({ account: plan.profile.account, service: 'route53' as const, operation: 'ListTagsForResource', mutating: false })), t);
  t = sim.all(Array.from({ length: zones }, () => ({ account: plan.profile.account, service: 'route53' as const, operation: 'ChangeTagsForResource', mutating: true })), t);
  if (o.preflight !== false) t += Math.max(0, model.okStreak - 0.5) * model.probeIntervalMs;
  return t;
}

/** "42 s", "3 min 10 s", "1 h 05 min": a duration as an operator reads it. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** What an estimate is made of, in one line: "N calls at R/s, K waits of ~S s, gate ≥ G s". */
export function describeEstimate(e: StepEstimate): string {
  const rate = e.slowest ? ` (${e.slowest.calls} on ${e.slowest.bucket} at ${+e.slowest.perSecond.toFixed(1)}/s)` : '';
  const batches = `${e.batches} batch${e.batches === 1 ? '' : 'es'}`;
  return `${e.calls} call${e.calls === 1 ? '' : 's'}${rate} in ${batches}, ${e.waits} wait${e.waits === 1 ? '' : 's'} of ~${(e.meanWaitMs / 1000).toFixed(1)} s, gate${e.batches === 1 ? '' : 's'} ≥ ${(e.gateMs / 1000).toFixed(1)} s`;
}

/** Whether the plan's batches have DNS gates: a resolver to probe, or SSM probe instances. */
export const hasDnsGates = (plan: Plan): boolean => Object.keys(plan.probes.resolvers).length > 0 || !!plan.probes.ssm;

export interface RunEstimate {
  /** Discovery, the estate mark and the DNS preflight, before step 1's first change. */
  startMs: number;
  steps: StepEstimate[];
  totalMs: number;
}

/** The whole run from its dry run: the steps still to do, each from its planned batches. */
export function estimateRun(plan: Plan, steps: { number: number; batches: { action: Action }[][] }[], model: TimingModel = timingModel(plan), o: { preflight?: boolean } = {}): RunEstimate {
  const gates = hasDnsGates(plan);
  const sim = new SimBuckets(model);
  const startMs = estimateStart(plan, model, { preflight: gates && o.preflight !== false, sim });
  let at = startMs;
  const out = steps
    .filter((s) => s.batches.length)
    .map((s) => {
      // Prepare (step 0) changes no answer: no DNS gate.
      const e = estimateStep(plan, s.number, s.batches.map((b) => b.map((p) => p.action)), model, { gates: gates && s.number !== 0, sim, at });
      at += e.totalMs;
      return e;
    });
  return { startMs, steps: out, totalMs: at };
}
