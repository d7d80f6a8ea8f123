// The request budget's schedule, exactly, with an injected clock (tests never sleep).
import { describe, expect, it } from 'vitest';
import { bucketsFor, HEADROOM, RequestBudget } from '../../src/aws/budget.js';

function fakeTime() {
  let now = 0;
  const sleeps: number[] = [];
  return {
    clock: { now: () => now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    sleeps,
    at: () => now,
  };
}

describe('request budget', () => {
  it('stays under AWS\'s documented Route 53 rate: 40 at once (80% of 50), then one every 125 ms (80% of 10/s)', async () => {
    const t = fakeTime();
    const budget = new RequestBudget(t.clock, t.sleep);
    const grantedAt: number[] = [];
    for (let i = 0; i < 43; i++) {
      await budget.acquire('111122223333', 'route53', 'ListHostedZones', false);
      grantedAt.push(t.at());
    }
    expect(grantedAt.slice(0, 40).every((x) => x === 0)).toBe(true);
    expect(grantedAt.slice(40)).toEqual([125, 250, 375]);
    expect(HEADROOM).toBe(0.8);
  });

  it('at a rate share of 0.95 (budgets.rateShare) the budget sends at 95% of AWS\'s documented rate: 47 at once, then about one every 105 ms', async () => {
    const t = fakeTime();
    const budget = new RequestBudget(t.clock, t.sleep, 0.95);
    const grantedAt: number[] = [];
    for (let i = 0; i < 50; i++) {
      await budget.acquire('111122223333', 'route53', 'ListHostedZones', false);
      grantedAt.push(t.at());
    }
    expect(grantedAt.slice(0, 47).every((x) => x === 0)).toBe(true);
    expect(grantedAt.slice(47)).toEqual([106, 211, 316]);
  });

  it('at a share of 1 the buckets are AWS\'s own (the benchmark\'s lower bound counts with them)', () => {
    expect(bucketsFor('route53', 'DisassociateVPCFromHostedZone', true, 1)).toEqual([
      ['route53:*', { burst: 50, perSecond: 10 }],
      ['route53:DisassociateVPCFromHostedZone', { burst: 10, perSecond: 5 }],
    ]);
  });

  it('a rate share outside 0.1..0.95 is refused when the budget is made: at 1 network jitter alone gets calls throttled', () => {
    for (const share of [0, 0.05, 0.96, 1, 80, Number.NaN]) expect(() => new RequestBudget(undefined, undefined, share), String(share)).toThrow(/a rate share must be from 0\.1 to 0\.95/);
    expect(new RequestBudget(undefined, undefined, 0.5).share).toBe(0.5);
  });

  it('a Route 53 mutation draws from its own bucket and the account-wide one', () => {
    expect(bucketsFor('route53', 'DisassociateVPCFromHostedZone', true).map(([k]) => k)).toEqual(['route53:*', 'route53:DisassociateVPCFromHostedZone']);
    expect(bucketsFor('ec2', 'ModifyVpcEndpoint', true)).toEqual([['ec2:ModifyVpcEndpoint', { burst: 40, perSecond: 4 }]]);
  });

  it('accounts do not share buckets; callers of one account are served in arrival order', async () => {
    const t = fakeTime();
    const budget = new RequestBudget(t.clock, t.sleep);
    for (let i = 0; i < 8; i++) await budget.acquire('a', 'route53profiles', 'GetProfile', false);
    const order: string[] = [];
    await Promise.all([
      budget.acquire('a', 'route53profiles', 'GetProfile', false).then(() => order.push('a1')),
      budget.acquire('b', 'route53profiles', 'GetProfile', false).then(() => order.push('b1')),
      budget.acquire('a', 'route53profiles', 'GetProfile', false).then(() => order.push('a2')),
    ]);
    expect(order.indexOf('a1')).toBeLessThan(order.indexOf('a2'));
    expect(order).toContain('b1');
  });

  it('an aborted wait rejects and does not block the next caller', async () => {
    const t = fakeTime();
    let release: () => void = () => {};
    const budget = new RequestBudget(t.clock, (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        signal?.addEventListener('abort', () => reject(new Error('aborted')));
        release = () => {
          t.sleeps.push(ms);
          resolve();
        };
      }),
    );
    for (let i = 0; i < 8; i++) await budget.acquire('a', 'route53profiles', 'GetProfile', false);
    const ac = new AbortController();
    const waiting = budget.acquire('a', 'route53profiles', 'GetProfile', false, ac.signal);
    await new Promise((r) => setTimeout(r, 0));
    ac.abort();
    await expect(waiting).rejects.toThrow('aborted');
    // the next caller gets its turn (the clock moved on, so a token is there)
    t.clock.now = () => 10_000;
    await budget.acquire('a', 'route53profiles', 'GetProfile', false);
    release();
  });
});

describe('a throttled answer empties the buckets it drew from', () => {
  it('after AWS throttles one Route 53 read, the next caller of that account waits for the sustained rate (125 ms), not the 40-call burst', async () => {
    const t = fakeTime();
    const budget = new RequestBudget(t.clock, t.sleep);
    await budget.acquire('a', 'route53', 'ListHostedZones', false);
    budget.throttled('a', 'route53', 'ListHostedZones', false);
    expect(budget.throttles).toBe(1);
    await budget.acquire('a', 'route53', 'GetHostedZone', false);
    expect(t.at()).toBe(125);
    // another account's buckets are untouched
    await budget.acquire('b', 'route53', 'ListHostedZones', false);
    expect(t.at()).toBe(125);
  });

  it('throttles do not put the bucket in debt: two in a row still cost one token\'s wait', async () => {
    const t = fakeTime();
    const budget = new RequestBudget(t.clock, t.sleep);
    budget.throttled('a', 'route53profiles', 'GetProfile', false);
    budget.throttled('a', 'route53profiles', 'GetProfile', false);
    await budget.acquire('a', 'route53profiles', 'GetProfile', false);
    expect(t.sleeps).toEqual([250]); // 80% of 5/s
  });
});
