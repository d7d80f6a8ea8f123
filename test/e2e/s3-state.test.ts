// A state kept in S3 (issue 14), end to end: the real CLI, the sandbox's twin S3, "machines" that
// are processes with working directories and homes of their own. Each case runs on an estate of
// its own, a few at once. The operator's hand (a lock deleted, a checkpoint restored) is the AWS
// CLI's, as it would be on a real bucket.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readEvidence } from '../../src/probes/read-evidence.js';
import type { RequestLogEntry } from '../../src/twin/twin.js';
import { runCli, startCli, type CliRun } from '../support/cli.js';
import { appliedMutations, estatePool, type Estate } from '../support/estate.js';
import { settleUnfinishedRows, trackRow } from '../support/reliability.js';

/** The S3 faults are rows of the reliability table of faults (npm test prints it). */
const faultRow = (name: string) => trackRow('faults', 'S3 state', name);
afterAll(settleUnfinishedRows);

const pool = estatePool(4);
const SMALL = ['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2'];
const LEASE_MS = 3_000;

interface S3Run {
  uri: string;
  bucket: string;
  key: string;
  plan: string;
  /** The CLI as another machine would run it: a working directory and a home of its own. */
  machine(name: string): { dir: string; cli(args: string[], extraEnv?: NodeJS.ProcessEnv): Promise<CliRun>; start(args: string[]): ReturnType<Estate['start']> };
  /** The object as `aws s3api get-object` returns it (undefined: no such key). */
  object(key: string): Promise<string | undefined>;
  put(key: string, body: string): Promise<void>;
  remove(key: string): Promise<void>;
}

function s3Run(est: Estate, name: string, extra: Record<string, unknown> = {}): S3Run {
  const { name: bucket, accountName } = est.info.stateBucket;
  const key = `team/${name}.state.json`;
  const uri = `s3://${bucket}/${key}`;
  const plan = est.planVariant(name, (p) => {
    p.state = { location: uri, account: accountName, lockLeaseMs: LEASE_MS, ...extra };
  });
  const tmp = join(est.dir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  let n = 0;
  return {
    uri,
    bucket,
    key,
    plan,
    machine(machine) {
      const dir = join(est.dir, 'machines', machine);
      const home = join(dir, 'home');
      mkdirSync(home, { recursive: true });
      const env = { ...est.env, HOME: home, USER: machine };
      return {
        dir,
        cli: (args, extraEnv = {}) => runCli(args, { env: { ...env, ...extraEnv }, cwd: dir, timeoutMs: 240_000 }),
        start: (args) => startCli(args, { env, cwd: dir }),
      };
    },
    async object(k) {
      const out = join(tmp, `get-${++n}`);
      try {
        await est.aws(accountName, ['s3api', 'get-object', '--bucket', bucket, '--key', k, out]);
      } catch (e) {
        if (/NoSuchKey|Not Found|404/.test((e as Error).message)) return undefined;
        throw e;
      }
      return readFileSync(out, 'utf8');
    },
    async put(k, body) {
      const file = join(tmp, `put-${++n}`);
      writeFileSync(file, body);
      await est.aws(accountName, ['s3api', 'put-object', '--bucket', bucket, '--key', k, '--body', file]);
    },
    async remove(k) {
      await est.aws(accountName, ['s3api', 'delete-object', '--bucket', bucket, '--key', k]);
    },
  };
}

/** The migration's own requests: not the state backend's (S3), not the probes' (SSM). */
const migration = (log: RequestLogEntry[]) => log.filter((l) => l.service !== 's3' && l.service !== 'ssm');
const changesMade = async (est: Estate) => migration(await est.requests()).filter((l) => l.mutating && l.outcome === 'ok').length;
const appliedTwice = (log: RequestLogEntry[]) => [...appliedMutations(migration(log))].filter(([, c]) => c > 1).map(([k]) => k.slice(0, 160));
const migrated = (w: Awaited<ReturnType<Estate['state']>>) => w.zones.length === 0 && w.endpoints.every((e) => e.privateDnsEnabled);

describe.concurrent('a state kept in S3', () => {
  it('apply keeps its checkpoint, its lock and the zone backups in S3 and nothing on disk but the local mirror; status, resume, report and rollback work from other working directories and homes', async () => {
    // A parking VPC, so the rollback can re-create the zones in their own account.
    await pool([...SMALL, '--parking'], async (est) => {
      const run = s3Run(est, 'team-run');
      const first = run.machine('alice');
      const stopped = await first.cli(['apply', run.plan, '--yes', '--through-step', '3']);
      expect(stopped.code, stopped.stdout + stopped.stderr).toBe(5);
      expect(stopped.stdout).toContain(`State: ${run.uri}`);
      // The checkpoint is in S3, a whole JSON state with its journal inside; no state file on disk.
      const state = JSON.parse((await run.object(run.key))!) as { status: string; journal: unknown[]; position: { step: number } };
      expect(state.status).toBe('stopped');
      expect(state.journal.length).toBeGreaterThan(0);
      expect(existsSync(join(first.dir, '.r53migrate', 'team-run.state.json'))).toBe(false);
      expect(await run.object(`${run.key}.lock`), 'the lock is released at the end').toBeUndefined();

      const second = run.machine('bob');
      // No plan at hand: the AWS credential chain reaches the bucket (here a named profile).
      const asStateAccount = { AWS_PROFILE: `r53m-${est.info.stateBucket.accountName}` };
      const status = await second.cli(['status', '--state', run.uri], asStateAccount);
      expect(status.code, status.stderr).toBe(0);
      expect(status.stdout).toMatch(/stopped on request \(through-step\)/);

      const resumed = await second.cli(['resume', run.plan]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain('Migration complete');
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      // Journal writes between checkpoints went to the checkpoint's tail, objects of their own; the
      // last checkpoint folded them in, every entry in order.
      const puts = (await est.requests()).filter((l) => l.service === 's3' && l.operation === 'PutObject' && l.outcome === 'ok');
      expect(puts.filter((l) => decodeURIComponent(l.path).includes(`/${run.key}.journal/`)).length, 'journal writes in the tail').toBeGreaterThan(0);
      const seqs = (JSON.parse((await run.object(run.key))!) as { journal: { seq: number }[] }).journal.map((j) => j.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect(seqs.length).toBeGreaterThan(state.journal.length);

      // Step 7's backups were uploaded and read back beside the state before any zone was deleted.
      const after = JSON.parse((await run.object(run.key))!) as { backups: { zoneId: string; json: string }[] };
      expect(after.backups.length).toBeGreaterThan(0);
      for (const b of after.backups) {
        const key = `team/${b.json.split('/').slice(-2).join('/')}`;
        const kept = await run.object(key);
        expect(kept, key).toBeDefined();
        expect(JSON.parse(kept!).zoneId).toBe(b.zoneId);
      }
      expect(await run.object('team/team-run.report.html'), 'the report is kept beside the state').toContain('<html');

      // A third machine: the report from S3 alone (backups fetched into its mirror).
      const third = run.machine('carol');
      const report = await third.cli(['report', '--state', run.uri], asStateAccount);
      expect(report.code, report.stderr).toBe(0);
      const html = readFileSync(join(third.dir, '.r53migrate', 's3', run.bucket, 'team', 'team-run.report.html'), 'utf8');
      expect(html).not.toContain('cannot be read back now');
      // Both machines' sessions, from their log summaries kept beside the state.
      const summaries = (await est.aws(est.info.stateBucket.accountName, ['s3api', 'list-objects-v2', '--bucket', run.bucket, '--prefix', 'team/team-run.logs/'])) as { Contents?: { Key: string }[] };
      expect(summaries.Contents?.length, 'one log summary per machine').toBe(2);
      expect(html).toMatch(/<td><code>apply [^<]*team-run\.yaml<\/code><\/td>/);
      expect(html).toMatch(/<td><code>resume [^<]*team-run\.yaml<\/code><\/td>/);
      // Both machines' probe evidence, kept beside the state as it was written: the timeline
      // carol draws holds every result alice and bob recorded, each once, and nothing else.
      const evidence = (await est.aws(est.info.stateBucket.accountName, ['s3api', 'list-objects-v2', '--bucket', run.bucket, '--prefix', 'team/team-run.evidence/'])) as { Contents?: { Key: string }[] };
      const senders = new Set((evidence.Contents ?? []).map((o) => o.Key.split('/')[2]));
      expect(senders.size, 'one evidence folder per machine').toBe(2);
      const recorded = (m: { dir: string }) => [...readEvidence(join(m.dir, '.r53migrate', 's3', run.bucket, 'team', 'team-run.probes.ndjson'))].reduce((n, r) => n + r.count, 0);
      const [byAlice, byBob] = [recorded(first), recorded(second)];
      expect(byAlice).toBeGreaterThan(0);
      expect(byBob).toBeGreaterThan(0);
      const drawn = JSON.parse(/<script type="application\/json" id="timeline-data">(.*?)<\/script>/s.exec(html)![1]!) as { timeline: { results: number; startMs: number } };
      expect(drawn.timeline.results).toBe(byAlice + byBob);
      expect(html, 'no evidence is missing').not.toMatch(/probe log .* was not found|stops at byte/);
      // The report says whose evidence it drew besides its own machine's (carol probed nothing).
      expect(/<th>Probe evidence also from<\/th><td>([^<]*)<\/td>/.exec(html)?.[1]?.split(', ').sort()).toEqual([...senders].sort());
      // A fourth machine rolls back: the backups it re-creates the zones from come from S3.
      const back = await run.machine('dan').cli(['rollback', run.plan, '--yes']);
      expect(back.code, back.stdout + back.stderr).toBe(0);
      const w = await est.state();
      expect(w.zones.length).toBe(after.backups.length);
    });
  });

  it('two machines racing apply on the same S3 state: exactly one runs, the other exits 4 naming the holder and changes nothing', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('two machines racing apply on one S3 state');
      const run = s3Run(est, 'race');
      // The winner is held at its first change of the estate, lock in hand, until the loser has been refused.
      await est.fault({ kind: 'hold', phase: 'before', mutating: true, service: 'route53profiles', count: 1 });
      const a = run.machine('alice').start(['apply', run.plan, '--yes']);
      const b = run.machine('bob').start(['apply', run.plan, '--yes']);
      const held = await est.waitHeld(120_000);
      expect(held.length, a.stdout() + b.stdout()).toBe(1);
      const loser = await Promise.race([a.exited.then(({ code }) => ({ code, run: a })), b.exited.then(({ code }) => ({ code, run: b }))]);
      expect(loser.code, loser.run.stdout() + loser.run.stderr()).toBe(4);
      const winnerRun = loser.run === a ? b : a;
      // The holder as the lock records it: its user, host and pid (both "machines" run as one OS user here).
      expect(loser.run.stderr()).toContain(`holds the lock ${run.uri}.lock: `);
      expect(loser.run.stderr()).toMatch(new RegExp(`@\\S+ pid ${winnerRun.child.pid} since .*lock id [0-9a-f-]{36}, renewed \\d+ s ago`));
      expect(loser.run.stderr()).not.toContain('    at ');
      await est.release();
      expect((await winnerRun.exited).code, winnerRun.stdout() + winnerRun.stderr()).toBe(0);
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      row.pass();
    });
  });

  it('a lock left by another machine: refused while renewed, refused as stale until --force-unlock with its id, then taken over', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('a stale S3 lock left by another machine');
      const run = s3Run(est, 'stale');
      const lock = { id: '7c0ffee0-1111-4222-8333-944445555666', user: 'dave', host: 'laptop-d', machine: 'another-machine', pid: 4242, startedAt: new Date().toISOString(), command: `apply ${run.plan}`, leaseMs: 120_000 };
      await run.put(`${run.key}.lock`, JSON.stringify(lock));
      const me = run.machine('erin');
      const before = await changesMade(est);

      const live = await me.cli(['apply', run.plan, '--yes']);
      expect(live.code, live.stdout + live.stderr).toBe(4);
      expect(live.stderr).toMatch(/dave@laptop-d pid 4242 .*lock id 7c0ffee0-1111-4222-8333-944445555666, renewed \d+ s ago/);
      expect(live.stderr).not.toContain('    at ');

      // The same holder's last renewal, with a short lease (the lease the holder recorded is the one
      // that counts), so the test need not wait two minutes for it to go stale.
      await run.put(`${run.key}.lock`, JSON.stringify({ ...lock, leaseMs: LEASE_MS }));
      await new Promise((r) => setTimeout(r, LEASE_MS + 1_000));
      const stale = await me.cli(['apply', run.plan, '--yes']);
      expect(stale.code, stale.stderr).toBe(4);
      expect(stale.stderr).toContain(`--force-unlock ${lock.id}`);
      const wrong = await me.cli(['apply', run.plan, '--yes', '--force-unlock', '00000000-0000-4000-8000-000000000000']);
      expect(wrong.code).toBe(4);
      expect(wrong.stderr).toContain("is not this lock's id");
      expect(await changesMade(est), 'refused runs change nothing').toBe(before);

      const taken = await me.cli(['apply', run.plan, '--yes', '--force-unlock', lock.id]);
      expect(taken.code, taken.stdout + taken.stderr).toBe(0);
      expect(taken.stdout).toMatch(/Took over the lock .*dave@laptop-d pid 4242/);
      expect(migrated(await est.state())).toBe(true);
      row.pass();
    });
  });

  it('the lock object deleted by hand mid-run: the run notices at its next write and stops (exit 1) without another change; resume finishes', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('the S3 lock deleted by hand mid-run');
      const run = s3Run(est, 'lock-gone');
      const me = run.machine('frank');
      await est.fault({ kind: 'hold', phase: 'before', operation: 'ModifyVpcEndpoint', count: 1 });
      const apply = me.start(['apply', run.plan, '--yes']);
      expect((await est.waitHeld(120_000)).map((h) => h.operation)).toEqual(['ModifyVpcEndpoint']);
      await run.remove(`${run.key}.lock`);
      const changes = await changesMade(est);
      await est.release();
      expect((await apply.exited).code, apply.stdout() + apply.stderr()).toBe(1);
      expect(apply.stderr() + apply.stdout()).toMatch(/lock .*\.lock \(id [0-9a-f-]+\) was deleted behind its back/);
      // The held request went through; nothing after it.
      expect(await changesMade(est)).toBe(changes + 1);
      const resumed = await me.cli(['resume', run.plan]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      row.pass();
    });
  });

  it('a checkpoint changed behind its back (ETag mismatch): the run stops without overwriting it; resume goes on from it', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow("the S3 checkpoint changed behind the run's back");
      const run = s3Run(est, 'etag');
      const me = run.machine('grace');
      await est.fault({ kind: 'hold', phase: 'before', operation: 'ModifyVpcEndpoint', count: 1 });
      const apply = me.start(['apply', run.plan, '--yes']);
      expect((await est.waitHeld(120_000)).map((h) => h.operation)).toEqual(['ModifyVpcEndpoint']);
      // Someone restores the previous checkpoint over the current one.
      const previous = (await run.object(`${run.key}.prev`))!;
      await run.put(run.key, previous);
      await est.release();
      expect((await apply.exited).code, apply.stdout() + apply.stderr()).toBe(1);
      expect(apply.stderr() + apply.stdout()).toMatch(/changed behind this run's back \(ETag "[0-9a-f]+" expected, ETag "[0-9a-f]+" found\)/);
      expect(await run.object(run.key), 'never overwritten').toBe(previous);
      const resumed = await me.cli(['resume', run.plan]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      row.pass();
    });
  });

  it('S3 answering 503 SlowDown and 500 on checkpoint writes (one of them after it applied): retried, the run goes on to the end', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('S3 503 SlowDown and 500 (one after it applied) on checkpoints');
      const run = s3Run(est, 'slowdown');
      await est.fault([
        { kind: 'error', service: 's3', operation: 'PutObject', match: run.key, status: 503, code: 'SlowDown', message: 'Please reduce your request rate.', skip: 3, count: 2 },
        { kind: 'error', service: 's3', operation: 'PutObject', match: run.key, status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.', after: true, skip: 8, count: 1 },
      ]);
      const r = await run.machine('heidi').cli(['apply', run.plan, '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const faults = (await est.requests()).filter((l) => l.service === 's3' && l.outcome === 'fault');
      expect(faults.length).toBe(3);
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      row.pass();
    });
  });

  it('S3 failing every checkpoint write from some point: the run halts before its next AWS change (exit 1); resume finishes once S3 is back', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('S3 refusing every checkpoint from some point');
      const run = s3Run(est, 's3-down');
      const me = run.machine('ivan');
      await est.fault({ kind: 'error', service: 's3', operation: 'PutObject', match: run.key, status: 500, code: 'InternalError', skip: 12 });
      const r = await me.cli(['apply', run.plan, '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/InternalError/);
      expect(r.stderr).not.toContain('    at ');
      // No change of the estate after the first checkpoint S3 refused for good.
      const log = await est.requests();
      const firstFailure = log.find((l) => l.service === 's3' && l.outcome === 'fault')!;
      const changesAfter = migration(log).filter((l) => l.mutating && l.outcome === 'ok' && l.at > firstFailure.at + 1);
      expect(changesAfter.map((l) => l.operation)).toEqual([]);
      await est.clearFaults();
      const resumed = await me.cli(['resume', run.plan]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(migrated(await est.state())).toBe(true);
      expect(appliedTwice(await est.requests())).toEqual([]);
      row.pass();
    });
  });

  it('a zone backup S3 will not keep: no zone is emptied or deleted; resume finishes once S3 takes it', async () => {
    await pool(SMALL, async (est) => {
      const row = faultRow('S3 refusing the zone backups (step 7)');
      const run = s3Run(est, 'no-backup');
      const me = run.machine('judy');
      const zones = (await est.state()).zones.map((z) => ({ id: z.id, records: z.records.length }));
      await est.fault({ kind: 'error', service: 's3', operation: 'PutObject', match: '.backups/Z', status: 500, code: 'InternalError' });
      const r = await me.cli(['apply', run.plan, '--yes']);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr + r.stdout).toMatch(/InternalError/);
      expect(r.stderr).not.toContain('    at ');
      // Every zone still there with every record: nothing was deleted on a backup S3 did not keep.
      const after = await est.state();
      expect(after.zones.map((z) => ({ id: z.id, records: z.records.length }))).toEqual(zones);
      expect(migration(await est.requests()).filter((l) => (l.operation === 'ChangeResourceRecordSets' || l.operation === 'DeleteHostedZone') && l.outcome === 'ok')).toEqual([]);
      await est.clearFaults();
      const resumed = await me.cli(['resume', run.plan]);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(migrated(await est.state())).toBe(true);
      row.pass();
    });
  });

  it('a bad s3:// location is refused with what is wrong (exit 2): a malformed one before any AWS call, a missing bucket before any change', async () => {
    await pool(SMALL, async (est) => {
      const before = (await est.requests()).length;
      const r = await est.cli(['apply', est.info.planFile, '--yes', '--state', 's3://Bad_Bucket/x.state.json']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/state location s3:\/\/Bad_Bucket\/x\.state\.json: "Bad_Bucket" is not an S3 bucket name/);
      const key = await est.cli(['status', '--state', `s3://${est.info.stateBucket.name}/no-suffix`]);
      expect(key.code).toBe(2);
      expect(key.stderr).toContain('must be a path');
      expect((await est.requests()).length).toBe(before);

      // A bucket that does not exist: found when the run takes its lock, after discovery (reads)
      // and before any change; a mistake in the location, so exit 2.
      const env = { ...est.env, AWS_PROFILE: `r53m-${est.info.stateBucket.accountName}` };
      const nowhere = await runCli(['apply', est.info.planFile, '--yes', '--state', 's3://no-such-bucket-r53m/team/x.state.json'], { env, cwd: est.dir, timeoutMs: 120_000 });
      expect(nowhere.code, nowhere.stdout + nowhere.stderr).toBe(2);
      expect(nowhere.stderr).toContain('there is no bucket no-such-bucket-r53m');
      expect(nowhere.stderr).not.toContain('    at ');
      expect((await est.requests()).filter((l) => l.mutating && l.service !== 's3')).toEqual([]);
    });
  });
});
