// Every AWS call reaches the run's log (pino NDJSON): one line when it ends — reads at debug,
// mutations at info — with operation, account, target, request id, attempts, retries and the
// throttles it met; and one warn line for each failed attempt that is tried again. No secret
// ever appears. Asserted through an in-memory pino destination, against the twin over HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand, ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { NotFoundError } from '../../src/aws/errors.js';
import { GetProfileCommand } from '../../src/aws/route53profiles/index.js';
import type { PlanAccount } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
const savedEnv = { ...process.env };

const faults = (specs: object[]) => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'POST', body: JSON.stringify(specs) });
const clearFaults = () => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'DELETE' });

type Line = Record<string, unknown> & { level: number; msg: string };
const DEBUG = 20;
const INFO = 30;
const WARN = 40;

/** An AwsAccess logging into memory, as the CLI's file logger does (level debug). */
function logged(accounts: Record<string, PlanAccount>) {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      cb();
    },
  });
  const access = new AwsAccess({ region: 'us-east-1', accounts, logger: pino({ level: 'debug' }, sink), retry: { baseDelayMs: 1, maxDelayMs: 5 } });
  const calls = () => lines.filter((l) => l.msg === 'aws call');
  const retries = () => lines.filter((l) => l.msg === 'aws retry');
  // pino writes through a stream: let it drain before reading.
  const settled = () => new Promise((r) => setImmediate(r));
  return { access, lines, calls, retries, settled };
}

const acct = (i: number) => sb.info.accounts[i]!;
const accounts = (): Record<string, PlanAccount> => ({
  shared: { profile: acct(0).profile, accountId: acct(0).id },
  spoke: { assumeRole: { roleArn: acct(1).roleArn, sessionName: 'r53migrate', sourceProfile: acct(0).profile } },
});
const twinEntry = (requestId: unknown) => sb.server.twin.log.find((e) => e.requestId === requestId);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-logging-'));
  sb = await startSandbox({
    scenario: 'direct',
    vpcs: 4,
    endpoints: 1,
    accounts: 2,
    seed: 'logging',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    rateLimits: 'off',
  });
  process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
  process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
});

afterEach(async () => {
  await clearFaults();
});

afterAll(async () => {
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the AWS call log', () => {
  it('a read that succeeds at once: one debug line with operation, account, target, request id, 1 attempt, 0 retries, 0 throttles', async () => {
    const log = logged(accounts());
    await log.access.accountId('shared');
    const zoneId = sb.world.zones[0]!.id;
    await log.access.read('shared', 'route53', new GetHostedZoneCommand({ Id: zoneId }), { target: zoneId });
    await log.settled();
    const [sts, get] = log.calls();
    expect(log.calls()).toHaveLength(2);
    expect(sts).toMatchObject({ level: DEBUG, service: 'sts', operation: 'GetCallerIdentity', account: 'shared', mutating: false, outcome: 'ok', attempts: 1 });
    expect(get).toMatchObject({
      level: DEBUG,
      service: 'route53',
      operation: 'GetHostedZone',
      account: 'shared',
      accountId: acct(0).id,
      target: zoneId,
      mutating: false,
      outcome: 'ok',
      attempts: 1,
      retries: 0,
      throttles: 0,
      latencyMs: expect.any(Number),
    });
    // The request id is the one AWS (the twin) gave that request.
    expect(twinEntry(get!.requestId)).toMatchObject({ operation: 'GetHostedZone', accountId: acct(0).id });
    expect(log.retries()).toEqual([]);
    log.access.destroy();
  });

  it('the target is named even when the caller gives none (the resource id in the request)', async () => {
    const log = logged(accounts());
    const zoneId = sb.world.zones[0]!.id;
    await log.access.read('shared', 'route53', new GetHostedZoneCommand({ Id: zoneId }));
    await log.access.read('shared', 'route53profiles', new GetProfileCommand({ ProfileId: sb.info.profileId }));
    await log.settled();
    expect(log.calls().filter((c) => c.service !== 'sts').map((c) => c.target)).toEqual([zoneId, sb.info.profileId]);
    log.access.destroy();
  });

  it('a read through 2 throttles and a 500: a warn line per retry (attempt, code, request id, delay), then one debug line with 4 attempts, 3 retries, 2 throttles', async () => {
    const log = logged(accounts());
    await log.access.accountId('shared');
    await faults([
      { kind: 'throttle', operation: 'ListHostedZones', count: 2 },
      { kind: 'error', operation: 'ListHostedZones', count: 1 },
    ]);
    await log.access.read('shared', 'route53', new ListHostedZonesCommand({}));
    await log.settled();
    const retries = log.retries();
    expect(retries).toHaveLength(3);
    expect(retries.map((r) => [r.level, r.attempt, r.outcome, r.throttled])).toEqual([
      [WARN, 1, 'throttled', true],
      [WARN, 2, 'throttled', true],
      [WARN, 3, 'service-failure', false],
    ]);
    for (const r of retries) {
      expect(r).toMatchObject({ service: 'route53', operation: 'ListHostedZones', account: 'shared', accountId: acct(0).id, code: expect.any(String), delayMs: expect.any(Number) });
      expect(twinEntry(r.requestId)?.operation).toBe('ListHostedZones');
    }
    const end = log.calls().find((c) => c.operation === 'ListHostedZones')!;
    expect(end).toMatchObject({ level: DEBUG, outcome: 'ok', attempts: 4, retries: 3, throttles: 2 });
    expect(twinEntry(end.requestId)?.outcome).toBe('ok');
    log.access.destroy();
  });

  it('a read that fails: one debug line with its outcome, AWS code and request id', async () => {
    const log = logged(accounts());
    const err = await log.access.read('shared', 'route53', new GetHostedZoneCommand({ Id: 'ZNOSUCHZONE000000000' })).catch((e) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    await log.settled();
    const end = log.calls().find((c) => c.operation === 'GetHostedZone')!;
    expect(end).toMatchObject({ level: DEBUG, outcome: 'not-found', code: 'NoSuchHostedZone', requestId: err.requestId, attempts: 1, target: 'ZNOSUCHZONE000000000' });
    log.access.destroy();
  });

  it('a mutation: one info line, outcome applied; after a lost attempt that verify finds applied, outcome already-done', async () => {
    const log = logged(accounts());
    const endpointId = sb.world.endpoints[0]!.id;
    await log.access.mutate('shared', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: false }), { target: endpointId });
    await faults([{ kind: 'throttle', operation: 'ModifyVpcEndpoint', count: 1 }]);
    const result = await log.access.mutate('shared', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: false }), {
      target: endpointId,
      verify: async () => {
        const out = await log.access.read('shared', 'ec2', new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
        return out.VpcEndpoints?.[0]?.PrivateDnsEnabled === false;
      },
    });
    expect(result.status).toBe('already-done');
    await log.settled();
    const ends = log.calls().filter((c) => c.operation === 'ModifyVpcEndpoint');
    expect(ends).toHaveLength(2);
    expect(ends[0]).toMatchObject({ level: INFO, mutating: true, outcome: 'applied', target: endpointId, attempts: 1, retries: 0, throttles: 0, requestId: expect.any(String) });
    expect(ends[1]).toMatchObject({ level: INFO, mutating: true, outcome: 'already-done', target: endpointId, attempts: 1, throttles: 1 });
    expect(log.retries().filter((r) => r.operation === 'ModifyVpcEndpoint')).toMatchObject([{ level: WARN, throttled: true, mutating: true }]);
    // verify's read is a call of its own, logged at debug
    expect(log.calls().filter((c) => c.operation === 'DescribeVpcEndpoints')).toMatchObject([{ level: DEBUG, mutating: false }]);
    log.access.destroy();
  });

  it('no secret reaches the log: keys, session tokens and signatures of every account, the assumed role included', async () => {
    const log = logged(accounts());
    await log.access.accountId('shared');
    await log.access.accountId('spoke');
    await faults([{ kind: 'throttle', service: 'route53', count: 1 }]);
    await log.access.read('spoke', 'route53', new ListHostedZonesCommand({}));
    await log.access.read('spoke', 'route53', new GetHostedZoneCommand({ Id: sb.world.zones[0]!.id })).catch(() => undefined);
    await log.settled();
    expect(log.calls().length).toBeGreaterThanOrEqual(4);
    const text = JSON.stringify(log.lines);
    for (const a of sb.info.accounts) {
      expect(text).not.toContain(a.secretAccessKey);
      expect(text).not.toContain(a.accessKeyId);
    }
    for (const s of sb.world.sessions) {
      expect(text).not.toContain(s.secretAccessKey);
      expect(text).not.toContain(s.sessionToken);
    }
    expect(text).not.toMatch(/Signature=|x-amz-security-token|Authorization/i);
    log.access.destroy();
  });
});
