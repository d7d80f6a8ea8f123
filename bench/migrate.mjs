// npm run bench:migrate — the same estate migrated three ways on the twin, with AWS's documented
// rates and AWS-like propagation delays, time-compressed by one factor F for rates and delays
// together (twin delays × 1/F, twin and r53migrate refill rates × F; bursts stay the same count of
// calls) so the ratios hold and a run takes minutes. Figures, not assertions.
//
//  1. `r53migrate apply --yes` (default waves, parking VPC so step 7 leaves no gap), the CLI as a
//     child process (/usr/bin/time -v for its peak RSS), with R53M_RATE_SCALE=F.
//  2. A sequential runbook (bench/lib/sequential-runbook.mjs): one call at a time, each change
//     waited for as the AWS CLI waiter does — GetChange every 30 s until INSYNC (botocore
//     route53/2013-04-01/waiters-2.json, ResourceRecordSetsChanged: delay 30, 60 attempts);
//     Profiles associations and the endpoint polled every 10 s (no waiter exists: botocore has no
//     route53profiles waiters and no EC2 endpoint waiter; 10 s is the cap of Terraform's plugin
//     SDK StateChangeConf backoff) — one spoke at a time in step 6, dig-style checks on two VPCs
//     between steps, zone backup (ListResourceRecordSets) before delete. Sources: docs/aws-facts.md
//     "Waiter poll intervals".
//  3. The critical-path lower bound from the dry run (bench/lib/lower-bound.mjs):
//       LB = Σ_step [ max( max_bucket (calls_b − burst_b)⁺ / AWSrate_b , Σ_batch max delay ) + gates × okStreak × interval ]
//     gates = 1 per step, step 6: one per batch the dry run gives.
//
// What is compressed by F: the twin's delays (delayScale = 1/F), the twin's refill rates (× F),
// r53migrate's budget (R53M_RATE_SCALE=F), and the run's own timings in the plan: probe interval
// 1000 ms → 1000/F (the schema's floor is 100 ms), converge poll 2000 ms → 2000/F (floor 50 ms);
// okStreak/failStreak keep their defaults (3); timeouts are not waits and keep their defaults.
// Default F = 10: the largest factor at which the probe interval (1000 ms ÷ F) stays at or above
// the schema's 100 ms floor, so every wait of the run is compressed by the same F. (Measured at
// F = 10 on a shared 2-core machine: 10 VPCs ≈ 40-70 s of apply, 100 VPCs ≈ 9 min; 300 VPCs takes
// longer than "a few minutes" while step 6 moves one spoke per batch.)
// Apply's factor per size is capped so the probes the compressed interval asks for (pairs × F a
// second) stay within what this machine probes (applyFactorFor, --probe-budget): at 300 VPCs × 10
// endpoints F = 3. The table's F column says which factor each row ran at.
// The runbook's poll intervals are compressed the same way (30 s / 10 s ÷ its factor). The
// sequential run may use a larger factor Fs (default min(200, max(F, 10 × VPCs)), so it also takes
// minutes): all its figures are reported in AWS seconds (wall × Fs), and so is apply's (wall × F);
// a larger Fs inflates the share of loopback call overhead in the runbook's AWS-seconds figure.
//
// Counted from the twin's call log (sb.server.twin.log, one entry per request that reached it):
// calls by operation; throttled = outcome 'throttled'; changes = mutating calls answered 'ok'
// (every successful Associate*/Disassociate*/Create*/Delete*/Change*/Modify* call);
// calls per change = all calls (reads, polls, retries included) ÷ changes.
// Evidence log = the probe log the state file names (field probeLog).
// Also: discovery (observe), dry run (planRun) and a checkpoint write at 100, 300 and 1,000 VPCs × 12
// endpoints, each in a fresh process (RSS = that process's peak), without running a migration.
// The run's journal is as at the end of a run (intent + applied for every planned call); timed:
// a checkpoint (the state file rewritten) and an intent (one line appended to the journal file);
// the same in an S3 state on an in-memory object store (CPU and bytes uploaded per intent, a fold
// every FOLD_AFTER_SEGMENTS intents included; no network).
// At 1,000 VPCs the dry run refuses the plan (a zone may have 300 VPC associations by default, and
// both scenarios associate every VPC with every zone at some point), so its dry-run time is that of
// the refusal and its journal is synthesised (path A's per-VPC and per-zone calls).
// "Changes" include r53migrate's own estate-mark tag calls (ChangeTagsForResource, TagResource,
// UntagResource): 12 or so per run.
//
// Usage: node bench/migrate.mjs [--sizes 10,100,300] [--paths direct,via-profile] [--factor 10]
//          [--seq-factor N] [--skip-sequential] [--skip-scale] [--scale-sizes 100,300,1000]
//          [--keep] (apply's folder is kept: its state file, journal, log and probe log)
//          [--probe-budget 12000] (apply's factor per size: min(F, budget ÷ (VPCs × 12 names)); see applyFactorFor)
//          [--rate-share 0.8] (apply's --rate-share: the share of AWS's rates it sends at; default the plan's, 0.8)
//        (env: BENCH_SIZES, BENCH_PATHS, BENCH_FACTOR, BENCH_SEQ_FACTOR, BENCH_SKIP_SEQUENTIAL=1, BENCH_SKIP_SCALE=1)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { AwsAccess } from '../dist/aws/access.js';
import { observe } from '../dist/aws/observe.js';
import { loadPlan } from '../dist/plan/load.js';
import { planRun } from '../dist/steps/plan-run.js';
import { startSandbox } from '../dist/twin/sandbox.js';
import { AWS_RATE_LIMITS } from '../dist/twin/ratelimit.js';
import { lowerBound } from './lib/lower-bound.mjs';
import { runSequentialRunbook } from './lib/sequential-runbook.mjs';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENDPOINTS = 10;
const ACCOUNTS = 10;
const SEED = 'bench';
const REGION = 'us-east-1';
/** The plan schema's defaults (src/plan/schema.ts), at AWS scale. */
const PROBE_INTERVAL_MS = 1000;
const OK_STREAK = 3;
const POLL_INTERVAL_MS = 2000;

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const opt = (name, env, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : (process.env[env] ?? dflt);
};

if (flag('scale-child')) {
  await scaleChild(Number(opt('scale-child-vpcs', '', '1000')), Number(opt('factor', 'BENCH_FACTOR', '10')));
  process.exit(0);
}

const F = Number(opt('factor', 'BENCH_FACTOR', '10'));
const sizes = String(opt('sizes', 'BENCH_SIZES', '10,100,300')).split(',').map(Number).filter((n) => n > 0); // --sizes 0: only the scale figures
const paths = String(opt('paths', 'BENCH_PATHS', 'direct,via-profile')).split(',');
const seqFactorFor = (vpcs) => Number(opt('seq-factor', 'BENCH_SEQ_FACTOR', String(Math.min(200, Math.max(F, 10 * vpcs)))));
const skipSequential = flag('skip-sequential') || process.env.BENCH_SKIP_SEQUENTIAL === '1';
const skipScale = flag('skip-scale') || process.env.BENCH_SKIP_SCALE === '1';
const scaleSizes = String(opt('scale-sizes', 'BENCH_SCALE_SIZES', '100,300,1000')).split(',').map(Number);
if (!(F >= 1 && F <= 1000)) throw new Error(`--factor must be from 1 to 1000 (got ${F})`);
const RATE_SHARE = opt('rate-share', 'BENCH_RATE_SHARE', '');

/** AWS's documented rates with every refill × f; bursts unchanged. */
function scaledLimits(f) {
  const scale = (b) => (b ? { burst: b.burst, perSecond: b.perSecond * f } : b);
  return Object.fromEntries(
    Object.entries(AWS_RATE_LIMITS).map(([svc, l]) => [
      svc,
      { ...(l.account ? { account: scale(l.account) } : {}), operations: Object.fromEntries(Object.entries(l.operations).map(([k, v]) => [k, scale(v)])), ...(l.mutatingDefault ? { mutatingDefault: scale(l.mutatingDefault) } : {}) },
    ]),
  );
}

async function sandboxFor(scenario, vpcs, endpoints, f, dir) {
  const sb = await startSandbox({ scenario, vpcs, endpoints, accounts: Math.min(ACCOUNTS, vpcs), seed: SEED, region: REGION, delayScale: 1 / f, dir, host: '127.0.0.1', port: 0, parking: true, rateLimits: scaledLimits(f) });
  Object.assign(process.env, { AWS_CONFIG_FILE: sb.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile, AWS_ENDPOINT_URL: sb.info.endpointUrl, AWS_REGION: sb.info.region });
  delete process.env.AWS_PROFILE;
  return sb;
}

/** The sandbox's plan with the run's own timings at AWS scale ÷ f. */
function compressPlan(file, f) {
  const plan = parse(readFileSync(file, 'utf8'));
  plan.probes = { ...plan.probes, intervalMs: Math.max(100, Math.round(PROBE_INTERVAL_MS / f)), okStreak: OK_STREAK, failStreak: 3 };
  plan.budgets = { pollIntervalMs: Math.max(50, Math.round(POLL_INTERVAL_MS / f)), stepTimeoutMs: 15 * 60_000, dnsGateTimeoutMs: 5 * 60_000 };
  writeFileSync(file, stringify(plan));
  return plan.probes.intervalMs;
}

function countCalls(entries) {
  const byOp = {};
  for (const c of entries) byOp[c.operation ?? '?'] = (byOp[c.operation ?? '?'] ?? 0) + 1;
  const changes = entries.filter((c) => c.mutating && c.outcome === 'ok').length;
  const throttled = entries.filter((c) => c.outcome === 'throttled').length;
  return { calls: entries.length, byOp, changes, throttled };
}

async function migrated(plan) {
  const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
  try {
    const run = planRun(await observe(plan, access), plan);
    return run.ok && run.nothingToDo;
  } finally {
    access.destroy();
  }
}

function runChild(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const sizeOf = (p) => {
  try {
    return statSync(p).size;
  } catch {
    return NaN;
  }
};

/**
 * VPCs of a migrated estate of `size`: with the parking VPC, step 1 associates every zone with all
 * of them plus the parking VPC, and Route 53 allows 300 VPCs per private zone by default (the plan
 * is refused beyond that). So the 300 row runs 299 VPCs (298 spokes + shared services) + parking.
 */
const migratable = (size) => Math.min(size, 299);

/**
 * The factor apply runs at for `vpcs`: F, unless the probes it asks for would exceed what one
 * process probes on this machine. Compression shortens the probe interval with everything else
 * (1000 ms ÷ F), so the pairs ask for pairs × F probes a second: 3,588 pairs (299 VPCs × 12 names:
 * the estate's 10 endpoints serve 12 names) at F = 10 are 36,000 a second, while bench:probes
 * sustains about 13,000 alone and the run shares the machine with the twin. A DNS gate then takes
 * rounds as long as the prober needs, not okStreak × interval, and the ratio measures the machine's
 * probe rate rather than the run. --probe-budget (probes a second, default 12,000) caps pairs × F.
 */
const PROBE_BUDGET = Number(opt('probe-budget', 'BENCH_PROBE_BUDGET', '12000'));
const NAMES_PER_VPC = 12;
const applyFactorFor = (vpcs) => Math.min(F, Math.max(1, Math.floor(PROBE_BUDGET / (vpcs * NAMES_PER_VPC))));

async function applyRun(scenario, size) {
  const vpcs = migratable(size);
  const F = applyFactorFor(vpcs);
  const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-migrate-'));
  const sb = await sandboxFor(scenario, vpcs, ENDPOINTS, F, dir);
  try {
    const probeMs = compressPlan(sb.info.planFile, F);
    const { plan } = await loadPlan(sb.info.planFile);
    // The dry run (for the lower bound), at r53migrate's budget × F like the run itself.
    process.env.R53M_RATE_SCALE = String(F);
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    const run = planRun(await observe(plan, access), plan);
    access.destroy();
    if (!run.ok) throw new Error(`plan refused: ${run.problems.join('; ')}`);
    const lb = lowerBound(run, { intervalMs: PROBE_INTERVAL_MS, okStreak: OK_STREAK });
    delete process.env.R53M_RATE_SCALE;
    await new Promise((r) => setTimeout(r, 2000)); // let the twin's buckets refill after the dry run's observation
    const statePath = join(dir, 'run', 'bench.state.json');
    mkdirSync(dirname(statePath), { recursive: true });
    const before = sb.server.twin.log.length;
    const t0 = performance.now();
    const startedAt = Date.now();
    const res = await runChild('/usr/bin/time', ['-v', process.execPath, 'bin/r53migrate.js', 'apply', sb.info.planFile, '--yes', '--state', statePath, ...(RATE_SHARE ? ['--rate-share', RATE_SHARE] : [])], { ...process.env, R53M_RATE_SCALE: String(F) });
    const wallMs = performance.now() - t0;
    const calls = countCalls(sb.server.twin.log.slice(before));
    const rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(res.err)?.[1]);
    if (res.code !== 0) process.stderr.write(`apply ${scenario} ${vpcs} exited ${res.code}:\n${res.out.slice(-3000)}\n${res.err.slice(-3000)}\n`);
    const state = JSON.parse(readFileSync(statePath, 'utf8'));
    const probeLog = state.probeLog.startsWith('/') ? state.probeLog : join(ROOT, state.probeLog);
    const ok = await migrated(plan);
    const phases = phasesOf(join(dirname(statePath), 'bench.log'), startedAt, startedAt + wallMs);
    return {
      factor: F, phases, exit: res.code, ok, wallMs, awsS: (wallMs / 1000) * F, lb, probeMs, ...calls, rssKb,
      stateBytes: sizeOf(statePath), journalBytes: state.journalLog ? sizeOf(join(dirname(statePath), state.journalLog.file)) : 0, evidenceBytes: sizeOf(probeLog), mutatingPlanned: run.mutatingCalls,
      step6Batches: run.steps.find((s) => s.number === 6)?.batches.length ?? 0,
    };
  } finally {
    await sb.close();
    if (flag('keep')) process.stderr.write(`[bench:migrate] kept ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Where apply's wall time went, from its log's progress events (ms): before the first step
 * (start-up, discovery, pre-flight, mark), each step from its first event to the next step's
 * (a step's batches and waves each announce it again), and the DNS gates inside each step
 * (from a gate's start to its verdict).
 */
function phasesOf(logFile, startedAt, endedAt) {
  let lines;
  try {
    lines = readFileSync(logFile, 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const events = [];
  for (const l of lines) {
    if (!l.includes('"msg":"progress"') || l.includes('"type":"action"')) continue;
    try {
      const o = JSON.parse(l);
      events.push({ at: o.time, ...o.event });
    } catch {
      /* a torn last line */
    }
  }
  const steps = new Map();
  let gateStart;
  for (const e of events) {
    if (e.type === 'step' && e.step > 0 && !steps.has(e.step)) steps.set(e.step, { from: e.at, gateMs: 0, gates: 0 });
    if (e.type === 'gate') gateStart = e.at;
    if (e.type === 'dns' && gateStart !== undefined) {
      const s = steps.get(e.step);
      if (s) {
        s.gateMs += e.at - gateStart;
        s.gates++;
      }
      gateStart = undefined;
    }
  }
  const numbers = [...steps.keys()].sort((a, b) => a - b);
  const out = { beforeStepsMs: (steps.get(numbers[0])?.from ?? endedAt) - startedAt, steps: {} };
  numbers.forEach((n, i) => {
    const s = steps.get(n);
    out.steps[n] = { ms: (i + 1 < numbers.length ? steps.get(numbers[i + 1]).from : endedAt) - s.from, gateMs: s.gateMs, gates: s.gates };
  });
  return out;
}

async function sequentialRun(scenario, size) {
  const vpcs = migratable(size);
  const fs = seqFactorFor(vpcs);
  const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-runbook-'));
  const sb = await sandboxFor(scenario, vpcs, ENDPOINTS, fs, dir);
  try {
    const { plan } = await loadPlan(sb.info.planFile);
    const backupDir = join(dir, 'backups');
    mkdirSync(backupDir);
    const before = sb.server.twin.log.length;
    const t0 = performance.now();
    const r = await runSequentialRunbook({ plan, info: sb.info, path: scenario, factor: fs, backupDir });
    const wallMs = performance.now() - t0;
    const calls = countCalls(sb.server.twin.log.slice(before));
    process.env.R53M_RATE_SCALE = String(fs);
    const ok = await migrated(plan);
    delete process.env.R53M_RATE_SCALE;
    return { fs, wallMs, awsS: (wallMs / 1000) * fs, ok, ...calls, digChecks: r.checks, digFailed: r.checksFailed };
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Discovery, dry run and a checkpoint write at `vpcs` × 12 endpoints, in this (fresh) process. */
async function scaleChild(vpcs, f) {
  const { newRunState, appendJournal } = await import('../dist/state/run-state.js');
  const { openFileStateStore: openStateStore } = await import('../dist/state/file-store.js');
  const { MACHINE_DEFINITION_VERSION } = await import('../dist/machines/run-machine.js');
  const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-scale-'));
  const sb = await sandboxFor('direct', vpcs, 12, f, dir);
  try {
    const { plan } = await loadPlan(sb.info.planFile);
    process.env.R53M_RATE_SCALE = String(f);
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    const before = sb.server.twin.log.length;
    const rss0 = process.memoryUsage().rss;
    let t = performance.now();
    const world = await observe(plan, access);
    const observeMs = performance.now() - t;
    const observeCalls = sb.server.twin.log.length - before;
    t = performance.now();
    const run = planRun(world, plan);
    const planMs = performance.now() - t;
    access.destroy();
    const refused = run.ok ? undefined : run.problems;
    // A refused plan (e.g. more VPCs than a zone may be associated with) still gets a checkpoint of
    // the same size: the journal a run of every step's actions would write is synthesised per VPC.
    const planned = run.ok
      ? run.steps.flatMap((s) => s.batches.flatMap((b) => b.map((pa) => ({ step: s.number, id: pa.action.id, kind: pa.action.kind, account: pa.action.account, operation: pa.call?.operation ?? pa.action.kind, params: pa.call?.params ?? {} }))))
      : syntheticActions(plan);
    // A checkpoint as at the end of a run: every planned call journalled (intent + applied).
    const statePath = join(dir, 'run', 'scale.state.json');
    const { store } = await openStateStore(statePath, { command: 'bench' });
    let state = newRunState({ toolVersion: 'bench', plan: { name: plan.name, file: sb.info.planFile, hash: 'bench' }, definitionVersion: MACHINE_DEFINITION_VERSION, statePath, now: Date.now() });
    const at = new Date().toISOString();
    for (const a of planned)
      for (const phase of ['intent', 'applied'])
        state = appendJournal(state, { at, step: a.step, actionId: a.id, kind: a.kind, account: a.account, operation: a.operation, target: a.id, params: a.params, phase });
    // The first write lays the journal down whole; after it, a checkpoint rewrites the state file
    // alone, and an intent only appends its line to the journal (schema version 2).
    await store.write(state);
    const one = (n) => appendJournal(state, { at, step: 6, actionId: `bench-${n}`, kind: 'bench', account: 'bench', operation: 'Bench', target: 'bench', params: {}, phase: 'intent' });
    const median = async (write) => {
      const times = [];
      for (let i = 0; i < 5; i++) {
        t = performance.now();
        await write(i);
        times.push(performance.now() - t);
      }
      return times.sort((a, b) => a - b)[2];
    };
    const checkpointMs = await median(() => store.write(state));
    const appendMs = await median((i) => store.writeJournal((state = one(i))));
    await store.close();
    // The same in an S3 state (in-memory object store: the CPU and the bytes uploaded, no network):
    // a checkpoint is one object; an intent one segment of the tail, and a fold every
    // FOLD_AFTER_SEGMENTS intents, so the intents are timed over two folds.
    const { MemoryObjectStore } = await import('../dist/state/memory-object-store.js');
    const { FOLD_AFTER_SEGMENTS, openS3StateStore } = await import('../dist/state/s3-store.js');
    const { parseS3Location } = await import('../dist/state/location.js');
    const objects = new MemoryObjectStore('bench');
    let putBytes = 0;
    const put = objects.put.bind(objects);
    objects.put = async (key, body, condition) => ((putBytes += body.length), put(key, body, condition));
    const { store: s3 } = await openS3StateStore(objects, parseS3Location('s3://bench/run/scale.state.json'), { command: 'bench' });
    await s3.read();
    await s3.write(state);
    const s3CheckpointMs = await median(() => s3.write(state));
    const intents = 2 * FOLD_AFTER_SEGMENTS;
    putBytes = 0;
    t = performance.now();
    for (let i = 0; i < intents; i++) await s3.writeJournal((state = one(100 + i)));
    const s3IntentMs = (performance.now() - t) / intents;
    const s3IntentBytes = putBytes / intents;
    await s3.close();
    const out = {
      vpcs, endpoints: 12, refused: refused?.slice(0, 2).join(' | '), synthetic: !run.ok, observeMs, observeCalls, planMs, journal: state.journal.length,
      checkpointMedianMs: checkpointMs, appendMedianMs: appendMs, s3CheckpointMs, s3IntentMs, s3IntentBytes, stateBytes: statSync(statePath).size, journalBytes: statSync(join(dir, 'run', 'scale.journal.ndjson')).size,
      rssDeltaMB: (process.memoryUsage().rss - rss0) / 2 ** 20, peakRssMB: process.resourceUsage().maxRSS / 1024,
    };
    process.stdout.write(JSON.stringify(out) + '\n');
  } finally {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Path A's actions for a plan the dry run refused: what a run's journal would hold, per VPC × zone. */
function syntheticActions(plan) {
  const zones = plan.endpoints.flatMap((e) => e.zones);
  const vpcs = [plan.sharedServicesVpc, ...plan.spokes];
  const VPC = (id) => ({ VPCId: id, VPCRegion: plan.region });
  return [
    ...vpcs.map((v) => ({ step: 1, id: `1:associate-profile:${v.id}`, kind: 'associate-profile', account: v.account, operation: 'AssociateProfile', params: { ProfileId: plan.profile.id, ResourceId: v.id, Name: `r53migrate-${v.id}` } })),
    ...zones.map((z) => ({ step: 1, id: `1:associate-resource:${z}`, kind: 'associate-resource', account: plan.profile.account, operation: 'AssociateResourceToProfile', params: { ProfileId: plan.profile.id, ResourceArn: `arn:aws:route53:::hostedzone/${z}`, Name: `r53migrate-${z}` } })),
    ...plan.spokes.flatMap((v) => zones.map((z) => ({ step: 6, id: `6:disassociate-vpc:${z}/${v.id}`, kind: 'disassociate-vpc', account: plan.sharedServicesVpc.account, operation: 'DisassociateVPCFromHostedZone', params: { HostedZoneId: z, VPC: VPC(v.id) } }))),
  ];
}

// ---------------------------------------------------------------------------------------------
const r1 = (x) => (Number.isFinite(x) ? Math.round(x * 10) / 10 : x);
const r2 = (x) => (Number.isFinite(x) ? Math.round(x * 100) / 100 : x);
console.log(`bench:migrate — F = ${F}, apply's capped per size at --probe-budget ${PROBE_BUDGET} probes/s (the table's F column; twin delays × 1/F; twin and r53migrate refill rates × F; probe interval and converge poll ÷ F); ${ENDPOINTS} endpoints, ${ACCOUNTS} accounts, parking VPC; apply at ${RATE_SHARE ? `--rate-share ${RATE_SHARE}` : "the plan's rate share (0.8)"}; times in AWS seconds (wall × factor)`);
const rows = [];
const summary = [];
const stepRows = [];
for (const vpcs of sizes) {
  for (const scenario of paths) {
    const a = await applyRun(scenario, vpcs);
    const s = skipSequential ? undefined : await sequentialRun(scenario, vpcs);
    const ratio = a.awsS / a.lb.totalS;
    const speedup = s ? s.awsS / a.awsS : NaN;
    const perChange = a.calls / a.changes;
    rows.push({
      path: scenario, vpcs, F: a.factor, share: RATE_SHARE || 'plan', exit: a.exit, migrated: a.ok, 'wall s': r1(a.wallMs / 1000), 'wall AWS s': r1(a.awsS), 'lower bound s': r1(a.lb.totalS), ratio: r2(ratio),
      'seq Fs': s?.fs ?? '-', 'seq wall s': s ? r1(s.wallMs / 1000) : '-', 'seq AWS s': s ? r1(s.awsS) : '-', 'seq migrated': s ? s.ok : '-', 'seq dig fail': s ? `${s.digFailed}/${s.digChecks}` : '-', 'speed-up': s ? r1(speedup) : '-',
      calls: a.calls, changes: a.changes, 'calls/change': r2(perChange), throttled: a.throttled, 'seq calls': s?.calls ?? '-', 'seq throttled': s?.throttled ?? '-',
      'peak RSS MB': r1(a.rssKb / 1024), 'state KB': r1(a.stateBytes / 1024), 'journal KB': r1(a.journalBytes / 1024), 'evidence KB': r1(a.evidenceBytes / 1024), 'step-6 batches': a.step6Batches,
    });
    rows.at(-1).byOp = Object.entries(a.byOp).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ');
    const aws = (ms) => r1((ms / 1000) * a.factor);
    if (a.phases) stepRows.push({ path: scenario, vpcs, step: 'before step 1', 'apply s': aws(a.phases.beforeStepsMs) });
    for (const st of a.lb.steps) {
      const ph = a.phases?.steps[st.step];
      stepRows.push({
        path: scenario, vpcs, step: st.step, calls: st.calls, batches: st.batches, 'rate s': r1(st.rateS), 'delay s': r1(st.delayS), 'gate s': r1(st.gateS), 'LB s': r1(st.lbS),
        'apply s': ph ? aws(ph.ms) : '-', 'apply gates s': ph ? aws(ph.gateMs) : '-', 'apply ÷ LB': ph ? r2(((ph.ms / 1000) * a.factor) / st.lbS) : '-', 'slowest bucket': st.slowestBucket,
      });
    }
    summary.push(`bench:migrate ${scenario} ${vpcs}x${ENDPOINTS}: wall/lower-bound ${r2(ratio)}, vs sequential ${s ? r1(speedup) : 'n/a'} x, calls per change ${r2(perChange)}, throttled ${a.throttled}`);
    console.error(`[bench:migrate] ${summary.at(-1)}${s ? '' : ' (sequential skipped)'}${RATE_SHARE ? ` (--rate-share ${RATE_SHARE})` : ''}`);
  }
}
const scaleRows = [];
if (!skipScale) {
  for (const vpcs of scaleSizes) {
    const res = await runChild(process.execPath, [fileURLToPath(import.meta.url), '--scale-child', '--scale-child-vpcs', String(vpcs), '--factor', String(F)], process.env);
    if (res.code !== 0) {
      process.stderr.write(res.err);
      continue;
    }
    const o = JSON.parse(res.out.trim().split('\n').at(-1));
    scaleRows.push({
      'VPCs x endpoints': `${o.vpcs}x${o.endpoints}`, 'plan refused': o.refused ?? '', 'journal synthetic': o.synthetic, 'observe s (compressed)': r1(o.observeMs / 1000), 'observe calls': o.observeCalls, 'dry run ms': Math.round(o.planMs),
      'dry run ms/VPC': r2(o.planMs / o.vpcs), journal: o.journal, 'checkpoint ms': r1(o.checkpointMedianMs), 'state KB': r1(o.stateBytes / 1024), 'intent append ms': r2(o.appendMedianMs), 'journal KB': r1(o.journalBytes / 1024),
      'S3 checkpoint ms': r1(o.s3CheckpointMs), 'S3 intent ms': r2(o.s3IntentMs), 'S3 KB/intent': r1(o.s3IntentBytes / 1024), 'peak RSS MB': r1(o.peakRssMB), 'RSS growth MB': r1(o.rssDeltaMB),
    });
  }
}
if (rows.length) {
  console.table(rows.map(({ byOp, ...r }) => r));
  console.log('Calls by operation (apply):');
  for (const r of rows) console.log(`  ${r.path} ${r.vpcs}: ${r.byOp}`);
  console.log('Lower bound and apply by step (AWS seconds; apply from its log, gates from a gate\'s start to its verdict):');
  console.table(stepRows);
}
if (scaleRows.length) {
  console.log(`Discovery, dry run and checkpoint (fresh process each; observe at AWS rates × ${F}):`);
  console.table(scaleRows);
}
for (const line of summary) console.log(line);
