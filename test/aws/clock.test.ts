// Durations and budgets run on a monotonic clock: a wall-clock jump (NTP step, a clock set by
// hand, a VM resumed) neither "expires" every budget nor stalls the token buckets.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { monotonicClock, RequestBudget } from '../../src/aws/budget.js';
import { monotonicNow, systemTime } from '../../src/probes/time.js';

afterEach(() => vi.restoreAllMocks());

describe('the monotonic clock', () => {
  it('does not move when the wall clock jumps forward or back; systemTime and the budgets use it', () => {
    const before = monotonicNow();
    const real = Date.now();
    const spy = vi.spyOn(Date, 'now').mockReturnValue(real + 2 * 3600_000);
    const forward = monotonicNow();
    spy.mockReturnValue(real - 2 * 3600_000);
    const backward = monotonicNow();
    expect(forward - before).toBeLessThan(60_000);
    expect(backward).toBeGreaterThanOrEqual(forward);
    expect(systemTime.now()).toBeGreaterThanOrEqual(backward);
    expect(Math.abs(monotonicClock.now() - systemTime.now())).toBeLessThan(60_000);
  });

  it('is on the epoch scale (deadlines kept in a state file still mean about the same moment in a new process)', () => {
    expect(Math.abs(monotonicNow() - Date.now())).toBeLessThan(60_000);
  });
});

describe('request budget under a clock that steps back', () => {
  it('a step back does not put the bucket in debt: the next token comes one interval later, not hours', async () => {
    let now = 10 * 3600_000;
    const sleeps: number[] = [];
    const budget = new RequestBudget({ now: () => now }, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    for (let i = 0; i < 8; i++) await budget.acquire('a', 'route53profiles', 'GetProfile', false); // burst 8 (80% of 10)
    now -= 2 * 3600_000;
    await budget.acquire('a', 'route53profiles', 'GetProfile', false);
    expect(sleeps).toEqual([250]); // 80% of 5/s: one every 250 ms
  });
});
