// `r53migrate sandbox up`: a rehearsal estate on loopback, in the foreground until Ctrl-C.
import { Command, InvalidArgumentError } from 'commander';
import { join } from 'node:path';
import { buildScenario, DEFAULT_SCENARIO, ENDPOINT_CATALOGUE, validateScenario, type ScenarioName } from '../twin/scenario.js';
import { isLoopback } from '../twin/loopback.js';
import { startSandbox } from '../twin/sandbox.js';
import { UsageError } from './errors.js';
import { processInterrupted, type CliIo } from './io.js';

function wholeNumber(flag: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${flag} takes a whole number, not "${v}"`);
    return Number(v);
  };
}

function decimal(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`--delay-scale takes a number, not "${v}"`);
  return n;
}

export function sandboxCommand(io: CliIo): Command {
  const sandbox = new Command('sandbox').description(
    'Rehearse a migration on this machine: a local twin of Route 53, Route 53 Profiles and EC2 with one DNS resolver per VPC, all on loopback.',
  );
  sandbox
    .command('up')
    .description('Start a sandbox estate and keep it running in the foreground until Ctrl-C.')
    .option('--scenario <name>', 'starting architecture: direct (zones associated with every VPC) or via-profile (zones on a Route 53 Profile)', DEFAULT_SCENARIO.scenario)
    .option('--vpcs <n>', 'VPCs in all, the shared-services VPC included (2-1000)', wholeNumber('--vpcs'), DEFAULT_SCENARIO.vpcs)
    .option('--endpoints <n>', `interface endpoints (1-${ENDPOINT_CATALOGUE.length}): lambda, s3, ecr.api, ecr.dkr, sts, ...`, wholeNumber('--endpoints'), DEFAULT_SCENARIO.endpoints)
    .option('--accounts <n>', 'AWS accounts: the first is shared services, spokes spread over the rest (1-50)', wholeNumber('--accounts'), DEFAULT_SCENARIO.accounts)
    .option('--dir <dir>', 'where sandbox.json, the AWS config/credentials, env.sh and the plan are written', '.sandbox')
    .option('--delay-scale <f>', 'multiplier on AWS-like propagation delays (1 = seconds, like AWS; 0.05 = fast rehearsal)', decimal, DEFAULT_SCENARIO.delayScale)
    .option('--seed <text>', 'seed for account, VPC, zone and endpoint ids (same seed, same ids)', DEFAULT_SCENARIO.seed)
    .option('--region <region>', 'AWS region the estate lives in', DEFAULT_SCENARIO.region)
    .option('--host <addr>', 'loopback address to bind (127.0.0.0/8 only)', '127.0.0.1')
    .option('--port <n>', 'API port (0 = any free port)', wholeNumber('--port'), 0)
    .option('--no-rate-limits', "don't apply AWS's request rate limits")
    .addHelpText(
      'after',
      `
When ready it writes DIR/sandbox.json (endpoint URL, accounts and keys, each VPC's resolver, each
name's endpoint IPs), DIR/aws-config + DIR/aws-credentials (profile r53m-<account> per account,
and r53m-<account>-role assuming a role), DIR/env.sh and DIR/plan.yaml, then prints one line.

Examples:
  r53migrate sandbox up
  r53migrate sandbox up --scenario via-profile --vpcs 20 --endpoints 3 --accounts 3
  source .sandbox/env.sh && aws route53 list-hosted-zones`,
    )
    .action(async (o) => {
      const scenario = {
        scenario: o.scenario as ScenarioName,
        vpcs: o.vpcs,
        endpoints: o.endpoints,
        accounts: o.accounts,
        seed: o.seed,
        region: o.region,
        delayScale: o.delayScale,
      };
      const problems = validateScenario(scenario);
      if (!isLoopback(o.host)) problems.push(`--host must be a loopback address (127.0.0.0/8), not ${o.host}`);
      if (o.port > 65535) problems.push(`--port must be at most 65535 (got ${o.port})`);
      if (problems.length) throw new UsageError(problems.join('\n'));
      buildScenario(scenario); // fails fast on anything validate missed, before binding ports
      let sb;
      try {
        sb = await startSandbox({ ...scenario, dir: o.dir, host: o.host, port: o.port, rateLimits: o.rateLimits ? undefined : 'off' });
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        if (err.code === 'EADDRINUSE') throw new UsageError(`port ${o.port} on ${o.host} is in use; pick another with --port or use --port 0`);
        if (err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'ENOTDIR') throw new UsageError(`cannot write the sandbox files in ${o.dir}: ${err.message}`);
        throw e;
      }
      const { info } = sb;
      const first = info.vpcs[0]!;
      const [host, port] = first.resolver.split(':');
      io.stdout.write(
        `sandbox ready (${info.scenario.scenario}: ${info.vpcs.length} VPCs, ${info.names.length} names, ${info.accounts.length} accounts) at ${info.endpointUrl}; ` +
          `run: source ${join(o.dir, 'env.sh')} — then e.g. aws route53 list-hosted-zones, or dig @${host} -p ${port} ${info.names[0]!.probeName} (${first.name}); details in ${join(o.dir, 'sandbox.json')}; Ctrl-C stops it\n`,
      );
      const signal = await (io.interrupted ?? processInterrupted());
      await sb.close();
      io.stdout.write(`sandbox stopped (${signal})\n`);
    });
  return sandbox;
}
