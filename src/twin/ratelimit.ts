// Token buckets at AWS's documented rates (reference/aws-api.md), per account and region, so a
// client that floods the twin sees the same Throttling AWS would send.
import type { ServiceName } from './protocol.js';

export interface BucketSpec {
  burst: number;
  perSecond: number;
}

export interface ServiceLimits {
  /** A bucket every call of the service also draws from (Route 53's account-wide limit). */
  account?: BucketSpec;
  /** Per-operation buckets; `default` applies to operations not listed. */
  operations: Record<string, BucketSpec>;
  /** Operations whose bucket is the mutating class where AWS splits by class (EC2). */
  mutatingDefault?: BucketSpec;
  /**
   * One bucket per class (reads: operations.default, writes: mutatingDefault) shared by every
   * operation of the class, instead of one per operation (S3's per-prefix request rates).
   */
  byClass?: boolean;
}

export const AWS_RATE_LIMITS: Record<ServiceName, ServiceLimits> = {
  // [doc: throttling-api-requests] account-wide 50 burst / 10 per s; some mutations have their own.
  route53: {
    account: { burst: 50, perSecond: 10 },
    operations: {
      AssociateVPCWithHostedZone: { burst: 20, perSecond: 5 },
      DisassociateVPCFromHostedZone: { burst: 10, perSecond: 5 },
      DeleteHostedZone: { burst: 40, perSecond: 5 },
    },
  },
  // [doc: ec2-api-throttling] each API its own bucket: non-mutating 100/20, mutating 50/5.
  ec2: {
    operations: { default: { burst: 100, perSecond: 20 } },
    mutatingDefault: { burst: 50, perSecond: 5 },
  },
  // [unconfirmed] Route 53 Profiles publishes no rate; the conservative guess is Resolver's 5/s.
  route53profiles: {
    account: { burst: 10, perSecond: 5 },
    operations: {},
  },
  sts: { operations: { default: { burst: 100, perSecond: 50 } } },
  // GUESS [unconfirmed]: SSM publishes no API rates (aws-facts-2.md §1 "API rate limits: no
  // public number found"). These numbers are ours: per account, per operation, SendCommand
  // tighter than the reads a prober polls with. Clients must treat ThrottlingException as normal.
  ssm: {
    operations: {
      default: { burst: 40, perSecond: 20 },
      SendCommand: { burst: 20, perSecond: 10 },
      GetCommandInvocation: { burst: 100, perSecond: 50 },
      ListCommandInvocations: { burst: 50, perSecond: 25 },
    },
  },
  // GUESS [unconfirmed]: IAM publishes no per-operation rate for the simulator; a pre-flight
  // check makes one call per account.
  iam: { operations: { default: { burst: 20, perSecond: 10 } } },
  // GUESS [unconfirmed]: RAM publishes no API rates (the RAM quotas page lists resource counts
  // only). A modest per-account, per-operation bucket; sharing a Profile takes a handful of calls.
  ram: { operations: { default: { burst: 20, perSecond: 5 } } },
  // GUESS [unconfirmed]: the Organizations quotas page gives no per-operation request rate the
  // twin could cite. A run asks DescribeOrganization a handful of times at most.
  organizations: { operations: { default: { burst: 20, perSecond: 10 } } },
  // [doc: optimizing-performance] "at least 3,500 PUT/COPY/POST/DELETE or 5,500 GET/HEAD requests
  // per second per partitioned Amazon S3 prefix"; the twin partitions by bucket (s3FrontEnd.partition),
  // whoever calls. Burst = one second's worth [unconfirmed: S3 publishes no burst].
  s3: {
    operations: { default: { burst: 5500, perSecond: 5500 } },
    mutatingDefault: { burst: 3500, perSecond: 3500 },
    byClass: true,
  },
};

interface Bucket {
  tokens: number;
  updatedAt: number;
  spec: BucketSpec;
}

export class RateLimiter {
  private buckets = new Map<string, Bucket>();

  constructor(private limits: Record<ServiceName, ServiceLimits> | 'off' = AWS_RATE_LIMITS) {}

  /**
   * Takes one token from every bucket the call draws from; false (and nothing taken) if one is
   * empty. `partition`: the resource AWS limits by instead of the account (S3's bucket), if any.
   */
  tryTake(accountId: string, service: ServiceName, operation: string, mutating: boolean, now: number, partition?: string): boolean {
    if (this.limits === 'off') return true;
    const limits = this.limits[service];
    if (!limits) return true; // a custom table without this service: unlimited
    const owner = partition ?? accountId;
    const wanted: [string, BucketSpec][] = [];
    if (limits.account) wanted.push([`${owner}|${service}|*`, limits.account]);
    const opSpec = limits.byClass
      ? (mutating ? limits.mutatingDefault : undefined) ?? limits.operations.default
      : limits.operations[operation] ?? (mutating ? limits.mutatingDefault : undefined) ?? limits.operations.default;
    const opKey = limits.byClass ? (mutating ? 'write' : 'read') : operation;
    if (opSpec) wanted.push([`${owner}|${service}|${opKey}`, opSpec]);
    const buckets = wanted.map(([key, spec]) => this.refill(key, spec, now));
    if (buckets.some((b) => b.tokens < 1)) return false;
    for (const b of buckets) b.tokens -= 1;
    return true;
  }

  private refill(key: string, spec: BucketSpec, now: number): Bucket {
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: spec.burst, updatedAt: now, spec };
      this.buckets.set(key, b);
    }
    const elapsedS = Math.max(0, now - b.updatedAt) / 1000;
    b.tokens = Math.min(spec.burst, b.tokens + elapsedS * spec.perSecond);
    b.updatedAt = now;
    return b;
  }
}

/** How each protocol says "slow down". */
export const THROTTLE_ERRORS: Record<ServiceName, { code: string; status: number; message: string }> = {
  route53: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  ec2: { code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.' },
  // The API reference lists HTTP 400 for every modelled Profiles error, ThrottlingException included.
  route53profiles: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded.' },
  sts: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  // JSON 1.1 services answer ThrottlingException / HTTP 400 (the SDKs retry it as a throttle) [unconfirmed for SSM's status].
  ssm: { code: 'ThrottlingException', status: 400, message: 'Rate exceeded' },
  // IAM (query protocol) throttles as STS does [unconfirmed].
  iam: { code: 'Throttling', status: 400, message: 'Rate exceeded' },
  // ThrottlingException is HTTP 429 in the RAM model.
  ram: { code: 'ThrottlingException', status: 429, message: 'Rate exceeded.' },
  // TooManyRequestsException in the Organizations model (botocore retries it as a throttle); the
  // message is the model's documentation of the shape; HTTP 400 as JSON 1.1 client errors are [unconfirmed].
  organizations: { code: 'TooManyRequestsException', status: 400, message: 'You have sent too many requests in too short a period of time. The quota helps protect against denial-of-service attacks. Try again later.' },
  // [doc: API ErrorResponses] SlowDown, 503 Slow Down, "Please reduce your request rate."
  s3: { code: 'SlowDown', status: 503, message: 'Please reduce your request rate.' },
};
