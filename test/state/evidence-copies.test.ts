// The probe evidence of an S3 state's machines kept beside the state as each machine's log grows,
// so a report made anywhere draws every session: stretches of whole lines named by their first
// byte, a machine that dies keeping what it sent, a stretch S3 would not take sent again, a
// missing one said rather than drawn over. Machines are working folders of their own (each its
// own local mirror) sharing one in-memory bucket.
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useObjectStores } from '../../src/state/backend.js';
import { evidenceDirFor, evidenceOfOthers, machineTag, probeLogId, shipEvidence, shipEvidenceWhileRunning } from '../../src/state/evidence-copies.js';
import { localStatePath } from '../../src/state/location.js';
import { MemoryObjectStore } from '../../src/state/memory-object-store.js';
import { probeLogPathFor } from '../../src/state/run-state.js';
import { tempDir } from './support.js';

const URI = 's3://team-state/prod/prod-cutover.state.json';
const PROBE_LOG = probeLogPathFor(localStatePath(URI));
const HEADER = '{"kind":"format","format":"r53migrate-probes/2","maxRunMs":60000}\n';
const line = (vpc: string, at: number) => `${JSON.stringify({ kind: 'ok-run', vpcId: vpc, name: 'lambda', from: at, to: at + 999, count: 2 })}\n`;

const home = process.cwd();
let objects: MemoryObjectStore;
let root: string;

beforeAll(() => {
  root = tempDir();
});
afterEach(() => {
  process.chdir(home);
  useObjectStores(undefined);
});
afterAll(() => process.chdir(home));

/** A fresh bucket, and a working folder per machine. */
function bucket(): (name: string) => string {
  objects = new MemoryObjectStore('team-state');
  useObjectStores(() => objects);
  const base = join(root, `${Date.now()}-${Math.random().toString(16).slice(2)}`);
  return (name) => {
    const dir = join(base, name);
    mkdirSync(dir, { recursive: true });
    process.chdir(dir);
    return dir;
  };
}

const writeLog = (text: string) => {
  mkdirSync(dirname(PROBE_LOG), { recursive: true });
  writeFileSync(PROBE_LOG, text);
};
const stretchKeys = () => [...objects.objects.keys()].filter((k) => k.startsWith('prod/prod-cutover.evidence/')).sort();
const joined = (paths: string[]) => paths.map((p) => readFileSync(p, 'utf8')).join('');

describe('probe evidence kept beside an S3 state', () => {
  it('a local state keeps nothing anywhere else', async () => {
    bucket()('alice');
    writeLog(HEADER + line('vpc-1', 0));
    expect(await shipEvidence('.r53migrate/prod-cutover.state.json', PROBE_LOG)).toBe(0);
    expect(objects.calls).toEqual([]);
  });

  it('the log goes up in stretches of whole lines as it grows, each named by its first byte; another machine reads them back as the log', async () => {
    const machine = bucket();
    machine('alice');
    writeLog(HEADER);
    expect(await shipEvidence(URI, PROBE_LOG), 'a header alone is no evidence yet').toBe(0);
    const torn = '{"kind":"ok-run","vpcId":"vpc-2"';
    appendFileSync(PROBE_LOG, line('vpc-1', 0) + torn);
    const first = await shipEvidence(URI, PROBE_LOG);
    expect(first, 'the line still being written waits').toBe(Buffer.byteLength(HEADER + line('vpc-1', 0)));
    appendFileSync(PROBE_LOG, `,"name":"lambda"}\n${line('vpc-3', 1000)}`);
    const second = await shipEvidence(URI, PROBE_LOG);
    expect(first + second).toBe(readFileSync(PROBE_LOG).length);
    expect(await shipEvidence(URI, PROBE_LOG), 'nothing new, nothing sent').toBe(0);
    const id = probeLogId(PROBE_LOG)!;
    const alice = machineTag();
    expect(stretchKeys()).toEqual([
      `prod/prod-cutover.evidence/${alice}/${id}/000000000000.ndjson`,
      `prod/prod-cutover.evidence/${alice}/${id}/${String(first).padStart(12, '0')}.ndjson`,
    ]);
    const aliceLog = readFileSync(PROBE_LOG, 'utf8');

    machine('bob');
    writeLog(HEADER + line('vpc-9', 5000));
    const others = await evidenceOfOthers(URI, PROBE_LOG);
    expect(others.problems).toEqual([]);
    expect(others.logs.map((l) => l.machine)).toEqual([alice]);
    expect(joined(others.logs[0]!.paths)).toBe(aliceLog);
    // Bob's own log is read in place, never counted twice once he has sent it too.
    await shipEvidence(URI, PROBE_LOG);
    expect((await evidenceOfOthers(URI, PROBE_LOG)).logs.map((l) => l.machine)).toEqual([alice]);
  });

  it('a stretch S3 does not take is sent again, from the same byte, the next time', async () => {
    bucket()('alice');
    writeLog(HEADER + line('vpc-1', 0));
    objects.failNext('put', { message: 'SlowDown (503)' });
    await expect(shipEvidence(URI, PROBE_LOG)).rejects.toThrow(/SlowDown/);
    expect(stretchKeys()).toEqual([]);
    appendFileSync(PROBE_LOG, line('vpc-1', 1000));
    expect(await shipEvidence(URI, PROBE_LOG)).toBe(readFileSync(PROBE_LOG).length);
    expect(stretchKeys().map((k) => k.split('/').pop())).toEqual(['000000000000.ndjson']);
  });

  it('a stretch whose reply was lost is sent again longer under the same name: a reader that fetched the short one reads the log whole', async () => {
    const machine = bucket();
    const alice = machine('alice');
    writeLog(HEADER + line('vpc-1', 0));
    await shipEvidence(URI, PROBE_LOG);
    appendFileSync(PROBE_LOG, line('vpc-1', 1000));
    objects.failNext('put', { after: true, message: 'the reply was lost' });
    await expect(shipEvidence(URI, PROBE_LOG)).rejects.toThrow(/reply was lost/);

    machine('carol');
    expect((await evidenceOfOthers(URI, PROBE_LOG)).problems).toEqual([]);

    process.chdir(alice);
    appendFileSync(PROBE_LOG, line('vpc-1', 2000));
    await shipEvidence(URI, PROBE_LOG);
    appendFileSync(PROBE_LOG, line('vpc-1', 3000));
    await shipEvidence(URI, PROBE_LOG);
    const aliceLog = readFileSync(PROBE_LOG, 'utf8');

    machine('carol');
    const others = await evidenceOfOthers(URI, PROBE_LOG);
    expect(others.problems).toEqual([]);
    expect(joined(others.logs[0]!.paths)).toBe(aliceLog);
  });

  it('a stretch missing from the bucket: the log is read up to it and the gap is named', async () => {
    const machine = bucket();
    machine('alice');
    writeLog(HEADER + line('vpc-1', 0));
    const first = await shipEvidence(URI, PROBE_LOG);
    appendFileSync(PROBE_LOG, line('vpc-1', 1000));
    await shipEvidence(URI, PROBE_LOG);
    appendFileSync(PROBE_LOG, line('vpc-1', 2000));
    await shipEvidence(URI, PROBE_LOG);
    const [, lost] = stretchKeys();
    objects.objects.delete(lost!);

    machine('carol');
    const others = await evidenceOfOthers(URI, PROBE_LOG);
    expect(joined(others.logs[0]!.paths)).toBe(HEADER + line('vpc-1', 0));
    expect(others.problems).toEqual([expect.stringMatching(new RegExp(`stops at byte ${first}: the stretch from there is missing .* after byte \\d+ is not shown`))]);
  });

  it('a probe log deleted and started again in the same folder is another log: both are kept and read', async () => {
    const machine = bucket();
    machine('alice');
    writeLog(HEADER + line('vpc-1', 0));
    await shipEvidence(URI, PROBE_LOG);
    const before = probeLogId(PROBE_LOG);
    writeLog(HEADER + line('vpc-1', 90_000));
    expect(probeLogId(PROBE_LOG)).not.toBe(before);
    await shipEvidence(URI, PROBE_LOG);
    expect(stretchKeys()).toHaveLength(2);

    machine('bob');
    const others = await evidenceOfOthers(URI, PROBE_LOG);
    expect(others.logs.map((l) => joined(l.paths)).sort()).toEqual([HEADER + line('vpc-1', 0), HEADER + line('vpc-1', 90_000)].sort());
  });

  it('while a run goes on, its evidence is sent every interval: a machine that dies keeps what it sent', async () => {
    bucket()('alice');
    writeLog(HEADER + line('vpc-1', 0));
    const shipping = shipEvidenceWhileRunning(URI, PROBE_LOG, 20);
    try {
      for (let i = 0; i < 100 && stretchKeys().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      // Never stopped, as a killed process never is: the first stretch is in the bucket anyway.
      expect(stretchKeys()).toHaveLength(1);
    } finally {
      appendFileSync(PROBE_LOG, line('vpc-1', 1000));
      expect(await shipping.stop()).toBeUndefined();
    }
    expect(stretchKeys(), 'the end of the session sends the rest').toHaveLength(2);
  });

  it('evidence that could not all be sent at the end is a warning naming where it stays', async () => {
    bucket()('alice');
    writeLog(HEADER + line('vpc-1', 0));
    const shipping = shipEvidenceWhileRunning(URI, PROBE_LOG, 60_000);
    objects.failNext('put', { message: 'AccessDenied (403)' });
    const warning = await shipping.stop();
    expect(warning).toMatch(/could not all be kept beside the state \(.*AccessDenied.*\): it is in .*prod-cutover\.probes\.ndjson/);
    expect(stretchKeys()).toEqual([]);
    // Nor is it taken as sent here: the next run on this machine sends it.
    expect(existsSync(join(evidenceDirFor(URI), machineTag(), probeLogId(PROBE_LOG)!, '000000000000.ndjson'))).toBe(false);
  });
});

// Keep the folders tidy for the next file in this worker.
afterAll(() => rmSync(root, { recursive: true, force: true }));
