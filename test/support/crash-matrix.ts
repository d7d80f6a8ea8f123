// The crash matrix (issue 6, part 1): for every mutating request n of a clean run, the CLI is
// killed (SIGKILL) while the twin holds request n — before it applies, or after it applied but
// before the reply leaves (the lost acknowledgement) — and then resumed until it finishes.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RequestLogEntry } from '../../src/twin/twin.js';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { runCli, type CliRun } from './cli.js';
import { appliedMutations, excusedKeeperGap, startEstate, type Estate } from './estate.js';
import { readStateWithJournalSync } from './state-file.js';

export type Phase = 'before' | 'after';

/** What the final world is judged on: everything an operator would see, none of the ids or clocks a run mints. */
export function worldFingerprint(w: TwinWorld): unknown {
  const sorted = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));
  const vpcRefs = (vs: { vpcId: string; region: string }[]) => vs.map((v) => `${v.vpcId}@${v.region}`).sort();
  return {
    zones: sorted(w.zones, (z) => z.id).map((z) => ({
      id: z.id,
      name: z.name,
      vpcs: vpcRefs(z.vpcs),
      authorizations: vpcRefs(z.authorizations),
      records: z.records.map((r) => `${r.name} ${r.type} ${r.ttl ?? ''} ${[...(r.values ?? [])].sort().join(',')} ${r.alias?.dnsName ?? ''}`).sort(),
    })),
    endpoints: sorted(w.endpoints, (e) => e.id).map((e) => ({ id: e.id, state: e.state, privateDnsEnabled: e.privateDnsEnabled })),
    profileAssociations: w.profileAssociations.map((a) => `${a.profileId} ${a.resourceId} ${a.status}`).sort(),
    resourceAssociations: w.resourceAssociations.map((a) => `${a.profileId} ${a.resourceArn} ${a.resourceType} ${a.status}`).sort(),
    // What prepare makes (issue 15): one Profile, one live share with its principals, invitations answered.
    profiles: w.profiles.map((p) => `${p.name} ${p.ownerId} ${p.status}`).sort(),
    shares: (w.resourceShares ?? [])
      .filter((x) => x.status === 'ACTIVE')
      .map((x) => `${x.name} ${x.ownerId} principals=${x.principals.map((a) => `${a.entity}:${a.status}`).sort().join(',')} resources=${x.resources.map((a) => a.status).join(',')}`)
      .sort(),
    invitations: (w.shareInvitations ?? []).map((i) => `${i.receiverAccountId} ${i.status}`).sort(),
  };
}

/** The estate as an operator sees it, with zones named rather than numbered (a re-created zone has a new id). */
export function worldByName(w: TwinWorld): unknown {
  const zoneName = new Map(w.zones.map((z) => [z.id, z.name]));
  const arn = (a: string) => a.replace(/hostedzone\/(\w+)$/, (_, id: string) => `hostedzone/${zoneName.get(id) ?? `(gone ${id})`}`);
  const refs = (vs: { vpcId: string }[]) => vs.map((v) => v.vpcId).sort();
  return {
    zones: [...w.zones]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((z) => ({
        name: z.name,
        privateZone: z.privateZone,
        vpcs: refs(z.vpcs),
        authorizations: refs(z.authorizations),
        records: z.records.map((r) => `${r.name} ${r.type} ${r.ttl ?? ''} ${[...(r.values ?? [])].sort().join(',')} ${r.alias?.dnsName ?? ''} ${r.alias ? (zoneName.get(r.alias.hostedZoneId) ?? r.alias.hostedZoneId) : ''}`).sort(),
      })),
    endpoints: [...w.endpoints].sort((a, b) => a.id.localeCompare(b.id)).map((e) => ({ id: e.id, privateDnsEnabled: e.privateDnsEnabled })),
    profileAssociations: w.profileAssociations.filter((a) => a.status !== 'DELETED').map((a) => `${a.profileId} ${a.resourceId} ${a.status}`).sort(),
    resourceAssociations: w.resourceAssociations.filter((a) => a.status !== 'DELETED').map((a) => `${a.profileId} ${arn(a.resourceArn)} ${a.status}`).sort(),
  };
}

export interface CleanRun {
  /** The operations of the clean run's mutating requests, in the order the twin saw them (SSM probe commands aside). */
  mutations: string[];
  /** Per step, the first request it sent: where a subset of the matrix that covers every step kills. */
  stepStarts: { step: number; n: number }[];
  fingerprint: unknown;
}

/** SSM Run Command requests are the probes' (a round's SendCommand, CancelCommand), S3's the state backend's: not the migration's. */
const migrationRequest = (l: RequestLogEntry) => l.service !== 'ssm' && l.service !== 's3';

export const statePath = (est: Estate): string => join(est.dir, 'state', 'run.state.json');

/**
 * Where a point keeps its state: a local file (`--state`), or S3 (issue 14: the plan's `state:`
 * entry), where every resume runs as another machine would (a working directory and a home of its
 * own), and the checkpoint is read with the AWS CLI.
 */
export type Backend = 'file' | 's3';

const s3Key = 'crash/run.state.json';

function s3Plan(est: Estate): string {
  const { name, accountName } = est.info.stateBucket;
  return est.planVariant('s3-state', (p) => {
    p.state = { location: `s3://${name}/${s3Key}`, account: accountName };
  });
}

/** The plan file and the arguments of `command` for a backend. */
function commandFor(est: Estate, backend: Backend, command: 'apply' | 'rollback' | 'resume'): string[] {
  if (backend === 'file') return [command, est.info.planFile, ...(command === 'resume' ? [] : ['--yes']), '--state', statePath(est)];
  return [command, s3Plan(est), ...(command === 'resume' ? [] : ['--yes'])];
}

/** A resume: for S3 from another working directory with another home each time. */
let machines = 0;
function resumeCli(est: Estate, backend: Backend, args: string[]): Promise<CliRun> {
  if (backend === 'file') return est.cli(args, 600_000);
  const dir = join(est.dir, 'machines', `m${++machines}`);
  mkdirSync(join(dir, 'home'), { recursive: true });
  return runCli(args, { env: { ...est.env, HOME: join(dir, 'home'), USER: `operator-${machines}` }, cwd: dir, timeoutMs: 600_000 });
}

/** The checkpoint's text, as an operator would fetch it (undefined: none). */
async function checkpointText(est: Estate, backend: Backend): Promise<string | undefined> {
  if (backend === 'file') return existsSync(statePath(est)) ? readFileSync(statePath(est), 'utf8') : undefined;
  const out = join(est.dir, `checkpoint-${Date.now()}-${Math.random().toString(16).slice(2)}.json`);
  try {
    await est.aws(est.info.stateBucket.accountName, ['s3api', 'get-object', '--bucket', est.info.stateBucket.name, '--key', s3Key, out]);
  } catch (e) {
    if (/NoSuchKey|404|Not Found/.test((e as Error).message)) return undefined;
    throw e;
  }
  return readFileSync(out, 'utf8');
}

/** Lets the world's lifecycles settle (bounded), so two worlds are compared at rest. */
export async function settled(est: Estate): Promise<TwinWorld> {
  let w = await est.state();
  for (let i = 0; i < 100; i++) {
    const busy = [...w.profileAssociations, ...w.resourceAssociations].some((a) => a.status !== 'COMPLETE') || w.endpoints.some((e) => e.state !== 'available');
    if (!busy) break;
    await new Promise((r) => setTimeout(r, 100));
    w = await est.state();
  }
  return w;
}

interface JournalLine {
  step: number;
  actionId: string;
  operation: string;
  phase: string;
  requestId?: string;
}

async function readJournal(est: Estate, backend: Backend = 'file'): Promise<JournalLine[]> {
  if (backend === 'file') return readStateWithJournalSync<{ journal: JournalLine[] }>(statePath(est)).journal;
  // In S3 the journal is inside the checkpoint.
  return (JSON.parse((await checkpointText(est, backend)) ?? '{"journal": []}') as { journal: JournalLine[] }).journal;
}

/**
 * Per step, the first of `reached` (1-based) that the step sent. Told by request id, which the
 * journal records for an applied call: a batch's chains go out in parallel, so the order of the
 * journal's intents is not the order the twin saw the requests in. A step whose calls carry no
 * request id in the journal (a rollback's zone re-creation) starts at the first request of its
 * first operation that no other step claims. Requests the journal doesn't name (the estate mark's
 * tag writes) belong to no step.
 */
function stepStartsOf(reached: RequestLogEntry[], journal: JournalLine[]): { step: number; n: number }[] {
  const stepOf = new Map(journal.flatMap((j) => (j.phase === 'applied' && j.requestId ? [[j.requestId, j.step] as const] : [])));
  const starts = new Map<number, number>();
  reached.forEach((l, i) => {
    const step = stepOf.get(l.requestId);
    if (step !== undefined && !starts.has(step)) starts.set(step, i + 1);
  });
  for (const j of journal) {
    if (j.phase !== 'intent' || starts.has(j.step)) continue;
    const i = reached.findIndex((l) => l.operation === j.operation && !stepOf.has(l.requestId));
    if (i >= 0) starts.set(j.step, i + 1);
  }
  return [...starts].map(([step, n]) => ({ step, n })).sort((a, b) => a.n - b.n);
}

export async function cleanRun(args: string[], backend: Backend = 'file'): Promise<CleanRun> {
  const est = await startEstate(args);
  try {
    const r = await est.cli(commandFor(est, backend, 'apply'), 600_000);
    if (r.code !== 0) throw new Error(`the clean run failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    const log = await est.requests();
    // the hold counts requests that got past the rate limiter, as these did
    const reached = log.filter((l) => l.mutating && migrationRequest(l) && (l.outcome === 'ok' || l.outcome === 'error'));
    const mutations = reached.map((l) => l.operation ?? '?');
    const stepStarts = stepStartsOf(reached, await readJournal(est, backend));
    return { mutations, stepStarts, fingerprint: worldFingerprint(await settled(est)) };
  } finally {
    await est.close();
  }
}

export interface PointResult {
  /** The operation the twin held (the one the CLI died on). */
  held: string;
  /** Exit codes of the resumes, in order (the last is 0 when the point passed). */
  resumes: (number | null)[];
  /** Everything that was wrong; empty when the point passed. */
  problems: string[];
}

/** Reads the checkpoint as an operator would at that moment: it must parse and say where the run is. */
async function stateProblems(est: Estate, moment: string, backend: Backend): Promise<string[]> {
  const text = await checkpointText(est, backend);
  if (text === undefined) return [`${moment}: no state file`];
  try {
    const s = JSON.parse(text) as { status?: unknown };
    return typeof s.status === 'string' ? [] : [`${moment}: state file has no status`];
  } catch (e) {
    return [`${moment}: state file does not parse: ${(e as Error).message}`];
  }
}

const MAX_RESUMES = 3;

/**
 * Holds request n of `command` (counted among its own operation's), kills the CLI there with
 * SIGKILL, lets the request go, then resumes until a resume exits 0 (at most MAX_RESUMES).
 * Appends what went wrong to `problems` and each resume's exit code to `resumes`; returns what
 * the twin held.
 */
async function killAtThenResume(est: Estate, command: 'apply' | 'rollback', mutations: string[], n: number, phase: Phase, problems: string[], resumes: (number | null)[], backend: Backend = 'file'): Promise<string> {
  const op = mutations[n - 1]!;
  const skip = mutations.slice(0, n - 1).filter((m) => m === op).length;
  await est.fault({ kind: 'hold', operation: op, mutating: true, skip, count: 1, phase });
  const run = est.start(commandFor(est, backend, command));
  // Generous: on a loaded 2-core box the run may take minutes to reach request n (the wait ends as soon as it does).
  const holding = await est.waitHeld(360_000);
  const held = holding.map((h) => h.operation).join(',') || 'nothing';
  if (holding.length !== 1) problems.push(`expected the twin to hold ${command} request ${n}, it holds [${held}]; stdout:\n${run.stdout()}`);
  run.child.kill('SIGKILL');
  await run.exited;
  await est.release();
  problems.push(...(await stateProblems(est, 'after the kill', backend)));
  // Killed at its very last request (the mark's removal), the work is done and resume says so.
  const finished = command === 'rollback' ? /Rollback complete|Nothing to roll back/ : /Migration complete|Nothing to do/;
  for (let i = 0; i < MAX_RESUMES && resumes.at(-1) !== 0; i++) {
    const r = await resumeCli(est, backend, commandFor(est, backend, 'resume'));
    resumes.push(r.code);
    problems.push(...(await stateProblems(est, `after resume ${i + 1}`, backend)));
    if (r.code !== 0 && i === MAX_RESUMES - 1) problems.push(`resume ${i + 1} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    if (r.code === 0 && !finished.test(r.stdout)) problems.push(`resume ${i + 1} exited 0 without finishing the ${command}:\n${r.stdout}`);
    if (r.stderr.includes('    at ')) problems.push(`resume ${i + 1} printed a stack trace:\n${r.stderr}`);
  }
  return held;
}

/** One point of the matrix, on an estate of its own. */
export async function crashPoint(args: string[], n: number, phase: Phase, clean: CleanRun, backend: Backend = 'file'): Promise<PointResult> {
  const est = await startEstate(args);
  const problems: string[] = [];
  const resumes: (number | null)[] = [];
  let held = '?';
  try {
    const zonesBefore = (await est.state()).zones.map((z) => z.id);
    const probes = est.probeLoop();
    // The n-th request of the migration: counted among its own operation's, so the probes' SSM
    // requests in between (mutating too) are not counted.
    held = await killAtThenResume(est, 'apply', clean.mutations, n, phase, problems, resumes, backend);
    const { failures } = await probes.stop();

    const world = await settled(est);
    if (JSON.stringify(worldFingerprint(world)) !== JSON.stringify(clean.fingerprint)) {
      problems.push(`final world differs from the clean run's:\n${JSON.stringify(worldFingerprint(world))}\nclean:\n${JSON.stringify(clean.fingerprint)}`);
    }
    if (!world.zones.every((z) => !zonesBefore.includes(z.id))) problems.push('a self-managed zone survived');

    const log = await est.requests();
    problems.push(...duplicateProblems(log.filter(migrationRequest)));
    // With a parking VPC no VPC is excused: step 7 has no keeper.
    const keeper = est.info.parkingVpc ? undefined : est.info.vpcs[est.info.vpcs.length - 1]!.id;
    const lost = failures.filter((f) => !keeper || !excusedKeeperGap(f, est.info, keeper, log));
    if (lost.length > 0) problems.push(`the probe loop saw ${lost.length} wrong answer(s), first: ${JSON.stringify(lost.slice(0, 3))}`);
  } catch (e) {
    problems.push(`the point could not run: ${(e as Error).stack ?? e}`);
  } finally {
    await est.close();
  }
  return { held, resumes, problems };
}

/** A mutation the twin applied twice, or one it rejected (a duplicate or a conflict the engine caused). */
function duplicateProblems(log: RequestLogEntry[]): string[] {
  const twice = [...appliedMutations(log)].filter(([, count]) => count > 1).map(([key, count]) => `applied ${count}×: ${key.slice(0, 200)}`);
  const rejected = log.filter((l) => l.mutating && l.outcome === 'error').map((l) => `rejected: ${l.operation} ${l.errorCode}`);
  return [...twice, ...rejected];
}

/** At most `limit` tasks in flight, shared by everyone who holds it (the matrix's tests run concurrently). */
export function semaphore(limit: number): <R>(task: () => Promise<R>) => Promise<R> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    while (active >= limit) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

// ---------------------------------------------------------------------------------------------
// Rollback rows (issue 11): the estate is first brought to a point by a forward run (complete, or
// halted at step 6), then request n of the rollback is held and the CLI killed; `resume` must
// finish the rollback. Judged on the starting world (zones by name: re-created zones have new ids),
// zero wrong answers from the test's probe loop during the rollback (the estates have a parking
// VPC, so no VPC is excused), and nothing applied twice by the rollback.

/** Brings a fresh estate to the point a rollback starts from. */
export type RollbackSetup = (est: Estate) => Promise<void>;

export const completeRun: RollbackSetup = async (est) => {
  const r = await est.cli(['apply', est.info.planFile, '--yes', '--state', statePath(est)], 600_000);
  if (r.code !== 0) throw new Error(`setup: apply exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
};

/** A DNS fault on the first spoke halts step 6 (exit 3); the fault is then cleared. */
export const haltedAtStep6: RollbackSetup = async (est) => {
  const spoke = est.info.vpcs[1]!.id;
  await est.fault({ kind: 'hold', count: 1, operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: spoke });
  const run = est.start(['apply', est.info.planFile, '--yes', '--state', statePath(est)]);
  await est.waitHeld(360_000);
  await est.fault({ kind: 'dns', vpcId: spoke, servfail: true });
  await est.release();
  const exit = await run.exited;
  await est.clearFaults();
  if (exit.code !== 3 || !/HALTED at step 6/.test(run.stdout())) throw new Error(`setup: expected a halt at step 6, got exit ${exit.code}:\n${run.stdout()}`);
};

export interface RollbackCleanRun {
  /** The rollback's mutating requests, in order. */
  mutations: string[];
  /** Per undo step, its first request: a subset of points that covers every undo step. */
  stepStarts: { step: number; n: number }[];
  /** The starting world (by name), which every point must end in. */
  start: unknown;
}

const rollbackRequests = (log: RequestLogEntry[]) => log.filter((l) => l.mutating && migrationRequest(l) && (l.outcome === 'ok' || l.outcome === 'error'));

export async function rollbackCleanRun(args: string[], setup: RollbackSetup): Promise<RollbackCleanRun> {
  const est = await startEstate(args);
  try {
    const start = worldByName(await settled(est));
    await setup(est);
    const from = (await est.requests()).length;
    const r = await est.cli(['rollback', est.info.planFile, '--yes', '--state', statePath(est)], 600_000);
    if (r.code !== 0) throw new Error(`the clean rollback failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
    const reached = rollbackRequests((await est.requests()).slice(from));
    const mutations = reached.map((l) => l.operation ?? '?');
    const end = worldByName(await settled(est));
    if (JSON.stringify(end) !== JSON.stringify(start)) throw new Error(`the clean rollback did not end in the starting world:\n${JSON.stringify(end)}\n${JSON.stringify(start)}`);
    const stepStarts = stepStartsOf(reached, (await readJournal(est)).filter((j) => j.actionId.startsWith('undo:')));
    return { mutations, stepStarts, start };
  } finally {
    await est.close();
  }
}

export async function rollbackCrashPoint(args: string[], setup: RollbackSetup, n: number, phase: Phase, clean: RollbackCleanRun): Promise<PointResult> {
  const est = await startEstate(args);
  const problems: string[] = [];
  const resumes: (number | null)[] = [];
  let held = '?';
  try {
    await setup(est);
    const from = (await est.requests()).length;
    const probes = est.probeLoop();
    held = await killAtThenResume(est, 'rollback', clean.mutations, n, phase, problems, resumes);
    const { failures } = await probes.stop();
    const end = worldByName(await settled(est));
    if (JSON.stringify(end) !== JSON.stringify(clean.start)) problems.push(`final world is not the starting one:\n${JSON.stringify(end)}\nstart:\n${JSON.stringify(clean.start)}`);
    problems.push(...duplicateProblems((await est.requests()).slice(from).filter(migrationRequest)));
    if (failures.length > 0) problems.push(`the probe loop saw ${failures.length} wrong answer(s), first: ${JSON.stringify(failures.slice(0, 3))}`);
  } catch (e) {
    problems.push(`the point could not run: ${(e as Error).stack ?? e}`);
  } finally {
    await est.close();
  }
  return { held, resumes, problems };
}
