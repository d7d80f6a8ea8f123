// One AbortSignal, many AWS calls: discovery of a large estate sends dozens of requests at once on
// the run's signal (the request budget lets 40 Route 53 reads per account go together). Each
// request in flight used to hang its own abort listener on that signal (the SDK's HTTP handler,
// its retry middleware, our budget waits and backoff sleeps), so every observation of a 100-VPC
// estate set off Node's "MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]".
// AwsAccess now derives a signal per call and hangs one listener on the caller's signal however
// many calls share it, removed when the last of them ends. Counted exactly, never sampled.
import { getEventListeners } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListHostedZonesCommand } from '@aws-sdk/client-route-53';
import { DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess, SignalFanout } from '../../src/aws/access.js';
import { observe } from '../../src/aws/observe.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { AWS_RATE_LIMITS } from '../../src/twin/ratelimit.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
let plan: Plan;
const savedEnv = { ...process.env };

const fault = (spec: object) => fetch(`${sb.info.endpointUrl}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) });

/** A signal whose abort listeners are counted at every add: `peak` is exact, not sampled. */
function countedSignal() {
  const controller = new AbortController();
  const signal = controller.signal;
  const stats = { peak: 0, added: 0 };
  const add = signal.addEventListener.bind(signal);
  signal.addEventListener = ((type: string, listener: EventListenerOrEventListenerObject, options?: AddEventListenerOptions | boolean) => {
    add(type, listener, options);
    if (type === 'abort') {
      stats.added++;
      stats.peak = Math.max(stats.peak, getEventListeners(signal, 'abort').length);
    }
  }) as typeof signal.addEventListener;
  return { controller, signal, stats, live: () => getEventListeners(signal, 'abort').length };
}

/** Collects process warnings (Node emits them on the next tick) while `fn` runs. */
async function warningsDuring(fn: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (w: Error) => seen.push(w);
  process.on('warning', onWarning);
  try {
    await fn();
    await new Promise((r) => setImmediate(r));
  } finally {
    process.off('warning', onWarning);
  }
  return seen.filter((w) => w.name === 'MaxListenersExceededWarning');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-signals-'));
  sb = await startSandbox({
    scenario: 'direct',
    vpcs: 100,
    endpoints: 10,
    accounts: 3,
    seed: 'signals',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    rateLimits: AWS_RATE_LIMITS,
  });
  process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
  process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
  ({ plan } = await loadPlan(sb.info.planFile));
});

afterAll(async () => {
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('abort listeners on a signal shared by many AWS calls', () => {
  it('discovery of 100 VPCs × 10 endpoints in 3 accounts, three times on one signal: at most one listener on it at any time, none after, no MaxListenersExceededWarning', async () => {
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    const s = countedSignal();
    const before = sb.server.twin.log.length;
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 3; i++) {
        await observe(plan, access, { signal: s.signal });
        expect(s.live()).toBe(0);
      }
    });
    access.destroy();
    // The estate really was read with many requests in flight at once (the budget allows it).
    expect(sb.server.twin.log.length - before).toBeGreaterThan(100);
    expect(s.stats.added).toBeGreaterThan(0);
    expect(s.stats.peak).toBe(1);
    expect(s.live()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('30 concurrent reads on one signal: one listener while they run; an abort rejects each one still waiting or in flight with the signal\'s reason and leaves none', async () => {
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    await access.accountId('shared-services');
    const s = countedSignal();
    const warnings = await warningsDuring(async () => {
      const done = await Promise.all(Array.from({ length: 30 }, () => access.read('shared-services', 'route53', new ListHostedZonesCommand({}), { signal: s.signal })));
      expect(done).toHaveLength(30);
      expect(s.live()).toBe(0);
      // Now 30 more, most of which the budget makes wait (40 tokens at most), aborted while they wait or fly.
      const reason = new Error('operator pressed Ctrl-C');
      const pending = Array.from({ length: 30 }, () => access.read('shared-services', 'route53', new ListHostedZonesCommand({}), { signal: s.signal }).catch((e) => e));
      await new Promise((r) => setTimeout(r, 20));
      s.controller.abort(reason);
      const outcomes = await Promise.all(pending);
      expect(outcomes.filter((o) => o instanceof Error).length).toBeGreaterThan(0);
      // Waiting for the budget or in flight, each rejects with the signal's reason (not as an AWS failure).
      for (const o of outcomes.filter((x) => x instanceof Error)) expect(o).toBe(reason);
    });
    access.destroy();
    expect(s.stats.peak).toBe(1);
    expect(s.live()).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('reads and mutations one after another through throttles, 5xx answers, backoff and verify leave no listener behind', async () => {
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts, retry: { baseDelayMs: 1, maxDelayMs: 5 } });
    await access.accountId('shared-services');
    const s = countedSignal();
    await fault({ kind: 'throttle', operation: 'DescribeVpcEndpoints', count: 8 });
    await fault({ kind: 'error', operation: 'ListHostedZones', count: 3 });
    const warnings = await warningsDuring(async () => {
      for (let i = 0; i < 15; i++) {
        await access.read('shared-services', 'ec2', new DescribeVpcEndpointsCommand({}), { signal: s.signal });
        await access.read('shared-services', 'route53', new ListHostedZonesCommand({}), { signal: s.signal });
      }
      // A mutation whose first attempt fails with a 5xx: backoff, verify (a read on the same signal), then again.
      await fault({ kind: 'error', operation: 'ModifyVpcEndpoint', count: 1 });
      const endpointId = sb.world.endpoints[0]!.id;
      const result = await access.mutate('shared-services', 'ec2', new ModifyVpcEndpointCommand({ VpcEndpointId: endpointId, PrivateDnsEnabled: false }), {
        signal: s.signal,
        target: endpointId,
        verify: async () => {
          await access.read('shared-services', 'ec2', new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }), { signal: s.signal });
          return false;
        },
      });
      expect(result.status).toBe('applied');
    });
    access.destroy();
    expect(s.stats.peak).toBe(1);
    expect(s.live()).toBe(0);
    expect(warnings).toEqual([]);
  });
});

describe('destroy() ends the calls under way', () => {
  it('a read backing off from throttles (a minute per retry) rejects at once with an error naming destroy(), and its signal is left clean', async () => {
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts, retry: { baseDelayMs: 60_000, maxDelayMs: 60_000 }, random: () => 1 });
    await access.accountId('shared-services');
    await fault({ kind: 'throttle', operation: 'ListHostedZones', count: 1 });
    const s = countedSignal();
    const before = sb.server.twin.log.length;
    const pending = access.read('shared-services', 'route53', new ListHostedZonesCommand({}), { signal: s.signal }).catch((e) => e);
    // wait until the throttled answer is in: the call is now in its 60-second backoff
    while (!sb.server.twin.log.slice(before).some((e) => e.operation === 'ListHostedZones')) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    access.destroy();
    const err = await pending;
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/the AWS access was closed \(destroy\(\)\)/);
    expect(s.live()).toBe(0);
    expect(sb.server.twin.log.slice(before).filter((e) => e.operation === 'ListHostedZones')).toHaveLength(1);
  });
});

describe('SignalFanout', () => {
  it('one listener on the parent for any number of children; a child is aborted with the parent\'s reason; the listener goes with the last child', () => {
    const fanout = new SignalFanout();
    const parent = new AbortController();
    const children = Array.from({ length: 50 }, () => fanout.derive(parent.signal));
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    for (const c of children.slice(0, 49)) c.release();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(1);
    children[49]!.release();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);

    const a = fanout.derive(parent.signal);
    const b = fanout.derive(parent.signal);
    const reason = new Error('stop');
    parent.abort(reason);
    expect(a.signal.aborted && b.signal.aborted).toBe(true);
    expect(a.signal.reason).toBe(reason);
    a.release();
    b.release();
    // Derived from an already-aborted signal: born aborted, nothing hung on the parent.
    const c = fanout.derive(parent.signal);
    expect(c.signal.aborted).toBe(true);
    expect(c.signal.reason).toBe(reason);
    c.release();
    expect(getEventListeners(parent.signal, 'abort')).toHaveLength(0);
  });

  it('without a parent, a call still gets a signal of its own (for destroy()), linked to nothing', () => {
    const link = new SignalFanout().derive(undefined);
    expect(link.signal.aborted).toBe(false);
    link.controller.abort(new Error('closed'));
    expect(link.signal.aborted).toBe(true);
    link.release();
  });
});
