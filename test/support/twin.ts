// Starts a twin on loopback for a test, with SDK clients per account.
import { AwsApiError } from '../../src/twin/errors.js';
import { EC2Client } from '@aws-sdk/client-ec2';
import { Route53Client } from '@aws-sdk/client-route-53';
import type { Clock } from '../../src/twin/clock.js';
import type { ServiceName } from '../../src/twin/protocol.js';
import type { ServiceLimits } from '../../src/twin/ratelimit.js';
import { buildScenario, type ScenarioOptions } from '../../src/twin/scenario.js';
import { startTwinServer, type TwinServer } from '../../src/twin/server.js';
import type { Account, World } from '../../src/twin/world.js';

export interface TestTwin extends TwinServer {
  world: World;
  accounts: Account[];
  route53(account?: number | Account): Route53Client;
  ec2(account?: number | Account): EC2Client;
  /** Credentials + endpoint for awsCli(). */
  cli(account?: number | Account): { endpointUrl: string; accessKeyId: string; secretAccessKey: string; region: string };
}

export async function startTestTwin(
  opts: Partial<ScenarioOptions> & { world?: World; clock?: Clock; rateLimits?: Record<ServiceName, ServiceLimits> | 'off' } = {},
): Promise<TestTwin> {
  const world = opts.world ?? buildScenario(opts);
  const server = await startTwinServer({ world, clock: opts.clock, rateLimits: opts.rateLimits ?? 'off' });
  const pick = (a: number | Account = 0): Account => (typeof a === 'number' ? world.accounts[a]! : a);
  const sdk = (a: number | Account = 0) => {
    const acct = pick(a);
    return {
      endpoint: server.url,
      region: world.region,
      credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
      maxAttempts: 1,
    };
  };
  return {
    ...server,
    world,
    accounts: world.accounts,
    route53: (a) => new Route53Client(sdk(a)),
    ec2: (a) => new EC2Client(sdk(a)),
    cli: (a) => ({ endpointUrl: server.url, ...sdk(a).credentials, region: world.region }),
  };
}

/** The AwsApiError an op throws (a test of the twin's refusals); fails when the call succeeds. */
export function errorOf(fn: () => unknown): AwsApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsApiError) return e;
    throw e;
  }
  throw new Error('expected an AwsApiError, the call succeeded');
}
