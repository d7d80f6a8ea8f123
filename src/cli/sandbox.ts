// `r53migrate sandbox up`: a rehearsal estate on loopback, in the foreground until Ctrl-C.
// `r53migrate sandbox run`: the same estate, migrated end to end with live progress — the main job
// of `npm start`.
import { observeAndPlan } from './dry-run.js';
import { Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { observe } from '../aws/observe.js';
import { WAVE_PRESETS, Waves, type Plan } from '../plan/schema.js';
import { IamPoliciesFileError, resolveIamPolicies, type IamPoliciesFile } from '../twin/iam-policies-file.js';
import { isLoopback } from '../twin/loopback.js';
import { PROBE_TRANSPORTS, startSandbox, type ProbeTransportName, type Sandbox, type SandboxInfo } from '../twin/sandbox.js';
import { buildScenario, DEFAULT_SCENARIO, ENDPOINT_CATALOGUE, ORGANIZATION_MODES, validateScenario, type OrganizationMode, type ScenarioName, type ScenarioOptions } from '../twin/scenario.js';
import { accessFor, loadPlanForCli } from './common.js';
import { EXIT, UsageError } from './errors.js';
import { processInterrupted, type CliIo } from './io.js';
import { renderPlanText } from './render-plan.js';
import { executeRun, openRunLog } from './run.js';
import { estimateRun, formatDuration } from '../steps/timing.js';
import type { RunResult } from '../machines/runner.js';

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

interface SandboxFlags {
  scenario: string;
  vpcs: number;
  endpoints: number;
  accounts: number;
  dir: string;
  delayScale: number;
  seed: string;
  region: string;
  host: string;
  port: number;
  rateLimits: boolean;
  probes: string;
  parking?: boolean;
  waves?: string;
  iamPolicies?: string;
  organization?: string;
}

function withScenarioOptions(cmd: Command): Command {
  return cmd
    .option(
      '--scenario <name>',
      'starting architecture: direct (zones associated with every VPC), via-profile (zones on a Route 53 Profile) or direct-no-profile (as direct, with no Route 53 Profile yet: the plan creates one)',
      DEFAULT_SCENARIO.scenario,
    )
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
    .option('--parking', 'add a parking VPC (no workloads, in the zones\' account) and name it in the plan: step 7 then leaves no VPC without its answer')
    .option('--probes <transport>', 'how the written plan probes DNS: resolver (each VPC\'s loopback resolver) or ssm (SSM Run Command on each VPC\'s probe instance)', 'resolver')
    .option('--waves <schedule>', `step 6's waves in the written plan: ${WAVE_PRESETS.join(', ')}, or canary[,growth[,max]] like 1,2,50 (default: the plan's, 1,2,50)`)
    .option('--organization <mode>', `put every account in one AWS Organization, the first account managing it: ${ORGANIZATION_MODES.join(' or ')} (RAM sharing with AWS Organizations on or off; default: no organization)`)
    .option('--iam-policies <file>', 'attach IAM policies to the accounts, as `r53migrate iam-policy PLAN --json` prints them ({"accounts": {"<name>": {"accountId", "policy"}}}); the twin then refuses every call they do not allow');
}

/** `--waves`: a preset name, or canary[,growth[,max]]; checked by the plan's own schema. */
function parseWaves(text: string): { ok: true; waves: Plan['waves'] } | { ok: false; problem: string } {
  const numbers = text.split(',').map((x) => x.trim());
  const input = (WAVE_PRESETS as readonly string[]).includes(text)
    ? text
    : numbers.every((x) => /^\d+(\.\d+)?$/.test(x)) && numbers.length <= 3
      ? Object.fromEntries(numbers.map((x, i) => [['canary', 'growth', 'max'][i]!, Number(x)]))
      : undefined;
  const parsed = input === undefined ? undefined : Waves.safeParse(input);
  if (parsed?.success) return { ok: true, waves: parsed.data };
  return {
    ok: false,
    problem: `--waves must be ${WAVE_PRESETS.join(', ')}, or canary[,growth[,max]] like 1,2,50 (got ${text}${parsed?.error ? `: ${parsed.error.issues.map((i) => i.message).join('; ')}` : ''})`,
  };
}

/** Validates the flags (exit 2 with every problem) and starts the sandbox. */
async function startFromFlags(o: SandboxFlags): Promise<Sandbox> {
  const scenario: ScenarioOptions = {
    scenario: o.scenario as ScenarioName,
    vpcs: o.vpcs,
    endpoints: o.endpoints,
    accounts: o.accounts,
    seed: o.seed,
    region: o.region,
    delayScale: o.delayScale,
    ...(o.parking ? { parking: true } : {}),
    ...(o.organization !== undefined ? { organization: o.organization as OrganizationMode } : {}),
  };
  const problems = validateScenario(scenario);
  if (!isLoopback(o.host)) problems.push(`--host must be a loopback address (127.0.0.0/8), not ${o.host}`);
  if (o.port > 65535) problems.push(`--port must be at most 65535 (got ${o.port})`);
  if (!(PROBE_TRANSPORTS as readonly string[]).includes(o.probes)) problems.push(`--probes must be ${PROBE_TRANSPORTS.join(' or ')} (got ${o.probes})`);
  const waves = o.waves === undefined ? undefined : parseWaves(o.waves);
  if (waves && !waves.ok) problems.push(waves.problem);
  let iamPolicies: IamPoliciesFile | undefined;
  if (o.iamPolicies !== undefined && problems.length === 0) {
    const read = readPoliciesFile(o.iamPolicies);
    if (typeof read === 'string') problems.push(read);
    else iamPolicies = read;
  }
  if (problems.length) throw new UsageError(problems.join('\n'));
  const world = buildScenario(scenario); // fails fast on anything validate missed, before binding ports
  if (iamPolicies) {
    try {
      resolveIamPolicies(iamPolicies, world.accounts, `--iam-policies ${o.iamPolicies}`);
    } catch (e) {
      if (e instanceof IamPoliciesFileError) throw new UsageError(`${e.label}: ${e.problems.join('\n  ')}`);
      throw e;
    }
  }
  try {
    return await startSandbox({
      ...scenario,
      dir: o.dir,
      host: o.host,
      port: o.port,
      rateLimits: o.rateLimits ? undefined : 'off',
      probes: o.probes as ProbeTransportName,
      ...(waves?.ok ? { waves: waves.waves } : {}),
      ...(iamPolicies ? { iamPolicies, iamPoliciesLabel: `--iam-policies ${o.iamPolicies}` } : {}),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${o.port} on ${o.host} is in use; pick another with --port or use --port 0`);
    if (err.code === 'EACCES' || err.code === 'EROFS' || err.code === 'ENOTDIR') throw new UsageError(`cannot write the sandbox files in ${o.dir}: ${err.message}`);
    throw e;
  }
}

/** The --iam-policies file as JSON, or a problem naming the file. */
function readPoliciesFile(file: string): IamPoliciesFile | string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return `--iam-policies ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  try {
    return JSON.parse(text) as IamPoliciesFile;
  } catch (e) {
    return `--iam-policies ${file}: not valid JSON (${(e as Error).message})`;
  }
}

const FILES_HELP = `
When ready it writes DIR/sandbox.json (endpoint URL, accounts and keys, each VPC's resolver, each
name's endpoint IPs, each VPC's probe instance, the S3 state bucket), DIR/aws-config + DIR/aws-credentials (profile r53m-<account> per account,
and r53m-<account>-role assuming a role), DIR/env.sh and DIR/plan.yaml.`;

const policiesNote = (accounts: string[] | undefined) => (accounts?.length ? `, IAM policies on ${accounts.length}` : '');
const organizationNote = (org: SandboxInfo['organization']) => (org ? `, organization ${org.id} (RAM sharing ${org.ramSharingEnabled ? 'enabled' : 'disabled'})` : '');
/** What the "sandbox ready" line says about the estate. */
const readySummary = (info: SandboxInfo) =>
  `${info.scenario.scenario}: ${info.vpcs.length} VPCs, ${info.names.length} names, ${info.accounts.length} accounts${organizationNote(info.organization)}${policiesNote(info.iamPolicyAccounts)}`;

export function sandboxCommand(io: CliIo, setExit: (code: number) => void): Command {
  const sandbox = new Command('sandbox').description(
    'Rehearse a migration on this machine: a local twin of Route 53, Route 53 Profiles and EC2 with one DNS resolver per VPC, all on loopback.',
  );

  withScenarioOptions(sandbox.command('up'))
    .description('Start a sandbox estate and keep it running in the foreground until Ctrl-C.')
    .addHelpText(
      'after',
      `${FILES_HELP}

Examples:
  r53migrate sandbox up
  r53migrate sandbox up --scenario via-profile --vpcs 20 --endpoints 3 --accounts 3
  source .sandbox/env.sh && aws route53 list-hosted-zones && r53migrate plan .sandbox/plan.yaml`,
    )
    .action(async (o: SandboxFlags) => {
      const sb = await startFromFlags(o);
      const { info } = sb;
      const first = info.vpcs[0]!;
      const [host, port] = first.resolver.split(':');
      io.stdout.write(
        `sandbox ready (${readySummary(info)}) at ${info.endpointUrl}; ` +
          `run: source ${join(o.dir, 'env.sh')} — then e.g. aws route53 list-hosted-zones, or dig @${host} -p ${port} ${info.names[0]!.probeName} (${first.name}); ` +
          `state bucket s3://${info.stateBucket.name} (account ${info.stateBucket.accountName}); details in ${join(o.dir, 'sandbox.json')}; Ctrl-C stops it\n`,
      );
      const signal = await (io.interrupted ?? processInterrupted());
      await sb.close();
      io.stdout.write(`sandbox stopped (${signal})\n`);
    });

  withScenarioOptions(sandbox.command('run'))
    .description('Start a sandbox estate, show the migration plan, apply it with live progress, print a summary, and stop.')
    .option('--rollback-after', 'once the migration is complete, roll it back (r53migrate rollback) and count wrong answers per VPC in both directions')
    .addHelpText(
      'after',
      `${FILES_HELP}
The run's state, probe log, log and zone backups go to DIR/run/ (cleared at start).

Examples:
  r53migrate sandbox run --parking            path A, 3 VPCs, 1 endpoint, zero gap (what npm start runs)
  r53migrate sandbox run --parking --rollback-after   forward, then back to the start
  r53migrate sandbox run --scenario via-profile --vpcs 20 --endpoints 3 --accounts 3`,
    )
    .action(async (o: SandboxFlags & { rollbackAfter?: boolean }) => {
      const sb = await startFromFlags(o);
      try {
        const { info } = sb;
        // The SDK clients of this process use the sandbox exactly as a user's shell would.
        Object.assign(process.env, {
          AWS_CONFIG_FILE: info.awsConfigFile,
          AWS_SHARED_CREDENTIALS_FILE: info.awsCredentialsFile,
          AWS_ENDPOINT_URL: info.endpointUrl,
          AWS_REGION: info.region,
          // The estimates expect this sandbox's delays.
          R53M_DELAY_SCALE: String(o.delayScale),
        });
        delete process.env.AWS_PROFILE;
        io.stdout.write(`sandbox ready (${readySummary(info)}) at ${info.endpointUrl}\n\n`);
        const loaded = await loadPlanForCli(info.planFile);
        const runDir = join(o.dir, 'run');
        await rm(runDir, { recursive: true, force: true });
        const statePath = join(runDir, `${loaded.plan.name}.state.json`);
        const { logger } = openRunLog(statePath);
        const access = accessFor(loaded, logger);
        try {
          const { world, run } = await observeAndPlan(loaded.plan, access);
          io.stdout.write(renderPlanText(loaded, run) + '\n');
          if (!run.ok) return setExit(EXIT.badInput);
          const wrong: Record<string, Record<string, number>> = {};
          const took: Partial<Record<RunResult['direction'], number>> = {};
          const onResult = (r: RunResult) => {
            wrong[r.direction] = { ...(r.probes.nonOkByVpc ?? {}) };
            took[r.direction] = r.elapsedMs;
          };
          let code = await executeRun(io, loaded, access, { mode: 'apply', statePath, command: 'sandbox run', observed: world, run: { budgets: {}, control: {} }, onResult, ...(logger ? { logger } : {}) });
          if (!run.nothingToDo && took.forward !== undefined) {
            const estimate = estimateRun(loaded.plan, run.steps).totalMs;
            io.stdout.write(`The migration took ${formatDuration(took.forward)}; the plan's estimate was ~${formatDuration(estimate)} (actual ÷ estimate ${(took.forward / estimate).toFixed(2)}, at --delay-scale ${o.delayScale}).\n`);
          }
          if (o.rollbackAfter && code === EXIT.done) {
            io.stdout.write('\nRolling back (r53migrate rollback):\n');
            code = await executeRun(io, loaded, access, { mode: 'rollback', statePath, command: 'sandbox run --rollback-after', run: { budgets: {}, control: {} }, onResult, ...(logger ? { logger } : {}) });
          }
          if (o.rollbackAfter) {
            io.stdout.write('Wrong answers per VPC seen by the run\'s probes (keeper gap not counted):\n');
            for (const v of info.vpcs) io.stdout.write(`  ${v.id} (${v.name}): forward ${wrong.forward?.[v.id] ?? 0}, rollback ${wrong.rollback?.[v.id] ?? (wrong.rollback ? 0 : '-')}\n`);
          }
          const log = sb.server.twin.log;
          const denied = log.filter((e) => e.outcome === 'denied');
          io.stdout.write(
            `The twin saw ${log.length} API calls (${log.filter((e) => e.mutating && e.outcome === 'ok').length} that changed something, ${log.filter((e) => e.outcome === 'throttled').length} throttled${info.iamPolicyAccounts ? `, ${denied.length} denied by IAM` : ''}).\n`,
          );
          for (const d of denied.slice(0, 10)) io.stdout.write(`  denied: ${d.denied?.action} on ${d.denied?.resource} (${d.accountId})\n`);
          setExit(code);
        } finally {
          access.destroy();
        }
      } finally {
        await sb.close();
      }
    });
  return sandbox;
}
