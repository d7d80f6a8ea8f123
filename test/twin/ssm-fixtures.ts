// A twin with the scenario's probe instances, SSM and EC2 clients per account, and a bounded
// poll for Run Command invocations.
import { EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient, type GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import type { Clock } from '../../src/twin/clock.js';
import { buildScenario, type ScenarioOptions } from '../../src/twin/scenario.js';
import { startTwinServer, type TwinServer } from '../../src/twin/server.js';
import type { CommandExecutionOptions } from '../../src/twin/twin.js';
import type { Account, World } from '../../src/twin/world.js';

export interface SsmTwin extends TwinServer {
  world: World;
  accounts: Account[];
  ssm(account?: number): SSMClient;
  ec2(account?: number): EC2Client;
  cli(account?: number): { endpointUrl: string; accessKeyId: string; secretAccessKey: string; region: string };
  /** The probe instance of the VPC at this index. */
  instanceOf(vpcIndex: number): string;
}

export async function startSsmTwin(
  opts: Partial<ScenarioOptions> & { world?: World; clock?: Clock; commandExecution?: CommandExecutionOptions } = {},
): Promise<SsmTwin> {
  const world = opts.world ?? buildScenario({ delayScale: 0.01, ...opts });
  const server = await startTwinServer({ world, clock: opts.clock, rateLimits: 'off', commandExecution: opts.commandExecution });
  const conf = (i = 0) => {
    const a = world.accounts[i]!;
    return { endpoint: server.url, region: world.region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 };
  };
  const clients: { destroy(): void }[] = [];
  const keep = <T extends { destroy(): void }>(c: T): T => (clients.push(c), c);
  return {
    ...server,
    close: async () => {
      for (const c of clients) c.destroy();
      await server.close();
    },
    world,
    accounts: world.accounts,
    ssm: (i) => keep(new SSMClient(conf(i))),
    ec2: (i) => keep(new EC2Client(conf(i))),
    cli: (i) => ({ endpointUrl: server.url, ...conf(i).credentials, region: world.region }),
    instanceOf: (v) => world.instances.find((x) => x.vpcId === world.vpcs[v]!.id)!.id,
  };
}

const TERMINAL = new Set(['Success', 'Failed', 'TimedOut', 'Cancelled']);

/** Polls GetCommandInvocation until the invocation is terminal: at most `attempts` polls, `everyMs` apart (real time). */
export async function waitForInvocation(
  ssm: SSMClient,
  commandId: string,
  instanceId: string,
  { attempts = 150, everyMs = 100, onPoll }: { attempts?: number; everyMs?: number; onPoll?: () => void } = {},
): Promise<GetCommandInvocationCommandOutput> {
  let last: GetCommandInvocationCommandOutput | undefined;
  for (let i = 0; i < attempts; i++) {
    onPoll?.();
    try {
      last = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
      if (TERMINAL.has(last.Status ?? '')) return last;
    } catch (e) {
      if ((e as Error).name !== 'InvocationDoesNotExist') throw e;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`invocation ${commandId}/${instanceId} not terminal after ${attempts} polls (last: ${last?.Status}/${last?.StatusDetails})`);
}
