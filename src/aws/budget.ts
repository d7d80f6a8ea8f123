// Client-side request budgets: one token bucket per (account, service, operation class), shared
// by every caller in the process, kept under AWS's documented rates so parallel work never sets
// off a throttling storm: at the plan's budgets.rateShare of them (80% unless the plan says
// otherwise, leaving room for other tools using the same accounts).
//
// R53M_RATE_SCALE (default 1) multiplies every bucket's refill rate (bursts stay the same count
// of calls). It exists only for time-compressed rehearsals against the twin (`npm run
// bench:migrate` runs the twin with AWS's rates × F and its delays ÷ F, and r53migrate with
// R53M_RATE_SCALE=F): it must never be set against real AWS, where it would make r53migrate send
// faster than AWS allows. A positive number up to 1000, else every request fails with a clear error.
import { monotonicNow } from '../probes/time.js';
import { DEFAULT_RATE_SHARE, RATE_SHARE_LIMITS } from '../plan/schema.js';
import type { AwsService } from './errors.js';

export interface Rate {
  burst: number;
  perSecond: number;
}

/** Waits as long as asked, or rejects when the signal aborts. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface Clock {
  now(): number;
}

/** Refill and backoff are durations: measured on a clock that a wall-clock jump does not move. */
export const monotonicClock: Clock = { now: monotonicNow };

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** How much of AWS's documented rates r53migrate allows itself unless the plan says otherwise (budgets.rateShare). */
export const HEADROOM = DEFAULT_RATE_SHARE;

/** A share of AWS's rates as the plan's schema bounds it; anything else is a programming error. */
export function checkedShare(share: number): number {
  if (!(share >= RATE_SHARE_LIMITS[0] && share <= RATE_SHARE_LIMITS[1])) {
    throw new RangeError(`a rate share must be from ${RATE_SHARE_LIMITS[0]} to ${RATE_SHARE_LIMITS[1]}, not ${share}`);
  }
  return share;
}

/** R53M_RATE_SCALE, read when a bucket is made (see the module comment). */
export function rateScale(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.R53M_RATE_SCALE;
  if (raw === undefined || raw.trim() === '') return 1;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n > 1000) {
    throw new Error(`R53M_RATE_SCALE must be a positive number up to 1000 (it speeds up r53migrate's request budget for time-compressed rehearsals against the twin only; never set it against AWS), not "${raw}"`);
  }
  return n;
}

/**
 * AWS's documented rates (reference/aws-api.md), times the share r53migrate allows itself: the
 * buckets each call draws from. Route 53 has an account-wide bucket plus its own for some
 * mutations; EC2 one bucket per API (mutating and non-mutating differ); Route 53 Profiles
 * publishes none (Resolver's 5/s is the careful guess). A share of 1 gives AWS's own rates.
 */
export function bucketsFor(service: AwsService, operation: string, mutating: boolean, share: number = HEADROOM): [string, Rate][] {
  const scaled = (r: Rate): Rate => ({ burst: Math.max(1, Math.floor(r.burst * share)), perSecond: r.perSecond * share * rateScale() });
  switch (service) {
    case 'route53': {
      const own: Record<string, Rate> = {
        AssociateVPCWithHostedZone: { burst: 20, perSecond: 5 },
        DisassociateVPCFromHostedZone: { burst: 10, perSecond: 5 },
        DeleteHostedZone: { burst: 40, perSecond: 5 },
      };
      const out: [string, Rate][] = [['route53:*', scaled({ burst: 50, perSecond: 10 })]];
      if (own[operation]) out.push([`route53:${operation}`, scaled(own[operation])]);
      return out;
    }
    case 'ec2':
      return [[`ec2:${operation}`, scaled(mutating ? { burst: 50, perSecond: 5 } : { burst: 100, perSecond: 20 })]];
    case 'route53profiles':
      return [['route53profiles:*', scaled({ burst: 10, perSecond: 5 })]];
    case 'sts':
      return [['sts:*', scaled({ burst: 100, perSecond: 50 })]];
    case 'ssm':
      // SSM publishes no rates for Run Command (docs/aws-facts.md): a guess, kept low, since a
      // probe round's calls are few and a throttle slows the evidence rather than the migration.
      return [[`ssm:${mutating ? 'mutating' : 'read'}`, scaled(mutating ? { burst: 10, perSecond: 3 } : { burst: 20, perSecond: 10 })]];
    case 'iam':
      // The pre-flight's SimulatePrincipalPolicy calls: IAM publishes no per-API rate; a few per second.
      return [['iam:*', scaled({ burst: 10, perSecond: 5 })]];
    case 'ram':
      // RAM publishes no API request rates (docs/aws-facts.md): prepare makes a handful of calls.
      return [['ram:*', scaled({ burst: 10, perSecond: 5 })]];
    case 'organizations':
      // Organizations: a few DescribeOrganization calls per run, before any change.
      return [['organizations:*', scaled({ burst: 10, perSecond: 5 })]];
  }
}

interface Bucket {
  rate: Rate;
  tokens: number;
  updatedAt: number;
  /** Callers wait in arrival order, so a busy bucket is fair. */
  queue: Promise<void>;
}

export class RequestBudget {
  private buckets = new Map<string, Bucket>();
  /** Every token handed out: (key, time) — for tests and the discovery benchmark. */
  granted = 0;
  /** Throttled answers reported by throttled(). */
  throttles = 0;

  /** The share of AWS's documented rates these buckets refill at (budgets.rateShare). */
  readonly share: number;

  constructor(
    private clock: Clock = monotonicClock,
    private sleep: Sleep = realSleep,
    share: number = HEADROOM,
  ) {
    this.share = checkedShare(share);
  }

  /** Takes one token from each bucket the call draws from, waiting for them if needed. */
  async acquire(accountKey: string, service: AwsService, operation: string, mutating: boolean, signal?: AbortSignal): Promise<void> {
    for (const [key, rate] of bucketsFor(service, operation, mutating, this.share)) await this.take(`${accountKey}|${key}`, rate, signal);
    this.granted++;
  }

  /**
   * AWS answered a call "throttled": its bucket for this account is empty (another tool, or
   * another process of ours, spends from it too). Our buckets for that call are emptied as well,
   * so every caller drawing from them goes on at the sustained rate instead of spending the burst
   * that AWS just said is not there. Nothing is owed: the refill starts now.
   */
  throttled(accountKey: string, service: AwsService, operation: string, mutating: boolean): void {
    for (const [key, rate] of bucketsFor(service, operation, mutating, this.share)) {
      const bucket = this.bucket(`${accountKey}|${key}`, rate);
      this.refill(bucket);
      bucket.tokens = Math.min(bucket.tokens, 0);
    }
    this.throttles++;
  }

  private bucket(key: string, rate: Rate): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { rate, tokens: rate.burst, updatedAt: this.clock.now(), queue: Promise.resolve() };
      this.buckets.set(key, b);
    }
    return b;
  }

  private refill(bucket: Bucket): void {
    const now = this.clock.now();
    // Never refill by a negative amount: an injected clock may step back, and a bucket that
    // went deep into debt would hold every caller for as long as the step was.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    bucket.tokens = Math.min(bucket.rate.burst, bucket.tokens + (elapsed / 1000) * bucket.rate.perSecond);
    bucket.updatedAt = now;
  }

  private take(key: string, rate: Rate, signal?: AbortSignal): Promise<void> {
    const bucket = this.bucket(key, rate);
    const turn = bucket.queue.then(async () => {
      for (;;) {
        signal?.throwIfAborted();
        this.refill(bucket);
        if (bucket.tokens >= 1) {
          bucket.tokens -= 1;
          return;
        }
        await this.sleep(Math.ceil(((1 - bucket.tokens) / bucket.rate.perSecond) * 1000), signal);
      }
    });
    // The next caller waits for this one, whether it got its token or was aborted.
    bucket.queue = turn.catch(() => undefined);
    return turn;
  }
}
