// Time behind a small contract (Clock + Sleep) so the monitor and gates can be driven exactly by
// tests: the system version uses a monotonic clock and setTimeout, the manual one moves only when
// told.
import { performance } from 'node:perf_hooks';

export interface Clock {
  /** Milliseconds on an epoch-like scale (see monotonicNow). */
  now(): number;
}

/**
 * Epoch-scaled milliseconds that never jump: the wall clock as it was when the process started,
 * plus the monotonic time since. Durations, deadlines and budgets use it, so an NTP step or a
 * hand-set clock (forward: every budget "expired"; backward: every wait "hours away") changes
 * nothing. A new process re-reads the wall clock, so deadlines kept in a state file still mean
 * roughly the same moment after a resume. Timestamps shown to humans use the wall clock.
 */
export function monotonicNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as the signal aborts.
 * A sleep never outlives its signal, so nothing keeps the process alive after a stop.
 */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface Time extends Clock {
  sleep: Sleep;
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

export const systemTime: Time = {
  now: monotonicNow,
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface Sleeper {
  wakeAt: number;
  seq: number;
  resolve(): void;
}

/** A clock that moves only by advance()/set(); sleepers wake in deadline order as it passes them. */
export class ManualTime implements Time {
  private sleepers: Sleeper[] = [];
  private seq = 0;

  constructor(private t = 0) {}

  now(): number {
    return this.t;
  }

  /** How many sleeps are waiting (tests use it to know the code under test has parked). */
  get pending(): number {
    return this.sleepers.length;
  }

  sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(abortReason(signal));
      const sleeper: Sleeper = {
        wakeAt: this.t + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortReason(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.sleepers.push(sleeper);
    });

  /** Moves time forward, waking each due sleeper at its own deadline and letting its continuation run. */
  async advance(ms: number): Promise<void> {
    await this.set(this.t + ms);
  }

  async set(target: number): Promise<void> {
    for (;;) {
      const due = this.sleepers
        .filter((s) => s.wakeAt <= target)
        .sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq)[0];
      if (!due) break;
      this.sleepers = this.sleepers.filter((s) => s !== due);
      this.t = Math.max(this.t, due.wakeAt);
      due.resolve();
      await flushMicrotasks();
    }
    this.t = Math.max(this.t, target);
    await flushMicrotasks();
  }
}

/** Lets promise continuations queued by a wake-up run before the clock moves again. */
async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}
