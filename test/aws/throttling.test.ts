// Discovery survives a throttling burst: `r53migrate plan` is read-only discovery, and a burst of
// throttled answers (another tool on the same account, AWS's bucket briefly empty) must be waited
// out with jittered backoff, not turned into a failed plan. Against the twin over HTTP, with its
// throttle fault; time is virtual (the budget's waits and the backoff sleeps move a fake clock),
// so the default retry policy runs as it would on AWS without the test sleeping through it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess, DEFAULT_RETRY } from '../../src/aws/access.js';
import type { Clock, Sleep } from '../../src/aws/budget.js';
import { ThrottledError } from '../../src/aws/errors.js';
import { observe } from '../../src/aws/observe.js';
import { GetProfileCommand } from '../../src/aws/route53profiles/index.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
let plan: Plan;
const savedEnv = { ...process.env };

const faults = (specs: object[]) => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'POST', body: JSON.stringify(specs) });
const clearFaults = () => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'DELETE' });

/** A clock that moves only when someone sleeps on it: waits cost no wall time and are recorded. */
function virtualTime(): { clock: Clock; sleep: Sleep; slept: number[] } {
  let now = 0;
  const slept: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms, signal) => {
      signal?.throwIfAborted();
      slept.push(ms);
      now += ms;
    },
    slept,
  };
}

/** AwsAccess with the default retry policy, on virtual time; `random` 1 is the longest jitter. */
function accessOnVirtualTime(random = () => 1) {
  const time = virtualTime();
  const access = new AwsAccess({ region: plan.region, accounts: plan.accounts, clock: time.clock, sleep: time.sleep, random });
  return { access, time };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-throttling-'));
  sb = await startSandbox({
    scenario: 'direct',
    vpcs: 20,
    endpoints: 3,
    accounts: 3,
    seed: 'throttling',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    // Only the injected throttles: the twin's own rate limits run on wall time, ours on virtual time.
    rateLimits: 'off',
  });
  process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
  process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
  ({ plan } = await loadPlan(sb.info.planFile));
});

afterEach(async () => {
  await clearFaults();
});

afterAll(async () => {
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function baseline() {
  const { access } = accessOnVirtualTime();
  try {
    return await observe(plan, access, { now: () => 0 });
  } finally {
    access.destroy();
  }
}

describe('discovery (what `plan` runs) rides out a burst of throttled reads', () => {
  const cases: [service: string, burst: number][] = [
    ['route53profiles', 10],
    ['route53profiles', 40],
    ['ec2', 10],
    ['ec2', 40],
    ['route53', 10],
    ['route53', 40],
    ['sts', 40],
  ];
  for (const [service, burst] of cases) {
    it(`${burst} throttled ${service} reads in a row: the same World as without them, every throttle answered by a retry`, async () => {
      const expected = await baseline();
      const { access } = accessOnVirtualTime();
      await faults([{ kind: 'throttle', service, mutating: false, count: burst }]);
      const before = sb.server.twin.log.length;
      const world = await observe(plan, access, { now: () => 0 });
      access.destroy();
      expect(world).toEqual(expected);
      const calls = sb.server.twin.log.slice(before);
      expect(calls.filter((c) => c.outcome === 'throttled')).toHaveLength(burst);
      expect(calls.filter((c) => c.mutating)).toEqual([]);
    });
  }

  it('40 throttles on every service at once (160 in all), with random jitter: the same World', async () => {
    const expected = await baseline();
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const { access } = accessOnVirtualTime(random);
    await faults(['sts', 'route53', 'ec2', 'route53profiles'].map((service) => ({ kind: 'throttle', service, mutating: false, count: 40 })));
    const before = sb.server.twin.log.length;
    const world = await observe(plan, access, { now: () => 0 });
    access.destroy();
    expect(world).toEqual(expected);
    expect(sb.server.twin.log.slice(before).filter((c) => c.outcome === 'throttled')).toHaveLength(160);
  });
});

describe('the retry policy for throttles', () => {
  it('one call alone rides out 25 throttles in a row with the default policy, even at the longest jitter; no wait exceeds maxDelayMs', async () => {
    const { access, time } = accessOnVirtualTime();
    await access.accountId('shared-services');
    await faults([{ kind: 'throttle', operation: 'GetProfile', count: 25 }]);
    const out = await access.read('shared-services', 'route53profiles', new GetProfileCommand({ ProfileId: sb.info.profileId }));
    access.destroy();
    expect(out.Profile?.Id).toBe(sb.info.profileId);
    const backoff = time.slept.filter((ms) => ms > 0);
    expect(Math.max(...backoff)).toBeLessThanOrEqual(DEFAULT_RETRY.maxDelayMs);
  });

  it('gives up with ThrottledError once its backoff has used maxThrottleWaitMs; 5xx answers still stop at maxAttempts', async () => {
    const time = virtualTime();
    const access = new AwsAccess({
      region: plan.region,
      accounts: plan.accounts,
      clock: time.clock,
      sleep: time.sleep,
      random: () => 1,
      retry: { baseDelayMs: 100, maxDelayMs: 400, maxThrottleWaitMs: 1000 },
    });
    await access.accountId('shared-services');
    // Backoff at the longest jitter: 100, 200, 400, 300 (the rest of the 1000 ms): five attempts, then give up.
    await faults([{ kind: 'throttle', operation: 'ListHostedZones', count: 50 }]);
    const before = sb.server.twin.log.length;
    const err = await access.read('shared-services', 'route53', new ListHostedZonesCommand({})).catch((e) => e);
    expect(err).toBeInstanceOf(ThrottledError);
    expect(sb.server.twin.log.slice(before).filter((c) => c.operation === 'ListHostedZones')).toHaveLength(5);
    await clearFaults();
    await faults([{ kind: 'error', operation: 'ListHostedZones', count: 50 }]);
    const before2 = sb.server.twin.log.length;
    await expect(access.read('shared-services', 'route53', new ListHostedZonesCommand({}))).rejects.toThrow(/this is on AWS's side/);
    expect(sb.server.twin.log.slice(before2).filter((c) => c.operation === 'ListHostedZones')).toHaveLength(DEFAULT_RETRY.maxAttempts);
    access.destroy();
  });
});
