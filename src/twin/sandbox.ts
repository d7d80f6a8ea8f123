// A whole rehearsal estate on loopback: the twin's API port, one DNS resolver per VPC, and the
// files a user (or a test) needs to point tools at it: sandbox.json, an AWS config/credentials
// pair with one named profile per account, env.sh, and a plan file for the scenario.
import { mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Plan } from '../plan/schema.js';
import { probeNameFor } from '../probes/targets.js';
import { writeFileAtomic } from '../state/fs.js';
import type { Clock } from './clock.js';
import { startVpcResolvers } from './dns-server.js';
import { endpointZoneNames } from './ops/lookup.js';
import { resolveIamPolicies, type IamPoliciesFile } from './iam-policies-file.js';
import type { ServiceName } from './protocol.js';
import type { ServiceLimits } from './ratelimit.js';
import { buildScenario, PARKING_VPC_NAME, type ScenarioOptions } from './scenario.js';
import { assertLoopback } from './loopback.js';
import { startTwinServer, type TwinServer } from './server.js';
import { stripDot, type World } from './world.js';

export interface SandboxOptions extends ScenarioOptions {
  dir: string;
  host: string;
  port: number;
  clock?: Clock;
  rateLimits?: Record<ServiceName, ServiceLimits> | 'off';
  /** How the written plan probes DNS: through each VPC's loopback resolver (default) or SSM Run Command on each VPC's instance. */
  probes?: ProbeTransportName;
  /**
   * Run SSM SendCommand scripts as local processes with the instance's VPC resolver in
   * R53M_RESOLVER / R53M_PORT (default true: a rehearsal's probes must really run).
   */
  runCommands?: boolean;
  /** Step 6's wave schedule, written into the plan (default: the plan's own default). */
  waves?: Plan['waves'];
  /**
   * IAM policies to attach, in the shape `r53migrate iam-policy PLAN --json` prints (entries
   * matched to accounts by accountId, else by name); accounts left out allow everything.
   * Throws IamPoliciesFileError (naming iamPoliciesLabel) when an entry does not parse or match.
   */
  iamPolicies?: IamPoliciesFile;
  /** How errors name where iamPolicies came from (default "iamPolicies"). */
  iamPoliciesLabel?: string;
}

export type ProbeTransportName = 'resolver' | 'ssm';
export const PROBE_TRANSPORTS: readonly ProbeTransportName[] = ['resolver', 'ssm'];

export interface SandboxAccount {
  name: string;
  id: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Named profile with static keys. */
  profile: string;
  /** Named profile that assumes arn:aws:iam::<id>:role/r53migrate from the shared-services profile. */
  roleProfile: string;
  roleArn: string;
}

/** The contract of DIR/sandbox.json (read by tests, the engine and users' scripts). */
export interface SandboxInfo {
  version: 1;
  pid: number;
  scenario: ScenarioOptions;
  endpointUrl: string;
  region: string;
  awsConfigFile: string;
  awsCredentialsFile: string;
  planFile: string;
  accounts: SandboxAccount[];
  /** The scenario's Route 53 Profile; absent when the estate has none (direct-no-profile: the plan creates one). */
  profileId?: string;
  /** The AWS Organization every account belongs to (sandbox --organization); absent: none. */
  organization?: { id: string; managementAccountId: string; ramSharingEnabled: boolean };
  vpcs: { id: string; name: string; accountId: string; resolver: string }[];
  /** The parking VPC (sandbox up --parking): no workloads, never probed; not among vpcs. */
  parkingVpc?: { id: string; accountId: string };
  /** One probe instance per VPC (a managed node with an online SSM Agent), owned by the VPC's account. */
  instances: { id: string; vpcId: string; accountId: string }[];
  /** How the written plan probes: 'resolver' (probes.resolvers) or 'ssm' (probes.ssm.vpcs). */
  probes: ProbeTransportName;
  /** The wave schedule written into the plan, when one was asked for. */
  waves?: Plan['waves'];
  /** Every Private DNS name with the endpoint that serves it and its ENI IPs (what probes expect). */
  names: { name: string; probeName: string; endpointId: string; zoneName: string; ips: string[] }[];
  /** Accounts with an IAM policy attached (sandbox --iam-policies); the others allow everything. */
  iamPolicyAccounts?: string[];
  /** The empty S3 bucket for shared state (`--state s3://NAME/…`), owned by the shared-services account; accountName is its name in the plan (profile r53m-<accountName>). */
  stateBucket: { name: string; accountId: string; accountName: string };
}

export interface Sandbox {
  info: SandboxInfo;
  server: TwinServer;
  world: World;
  close(): Promise<void>;
}

const profileName = (accountName: string) => `r53m-${accountName}`;


export async function startSandbox(opts: SandboxOptions): Promise<Sandbox> {
  assertLoopback(opts.host);
  const world = buildScenario(opts);
  // Attached before the server starts, so no request ever sees the estate without them.
  if (opts.iamPolicies) world.iamPolicies = resolveIamPolicies(opts.iamPolicies, world.accounts, opts.iamPoliciesLabel ?? 'iamPolicies');
  const dir = resolve(opts.dir);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const server = await startTwinServer({ world, clock: opts.clock, host: opts.host, port: opts.port, rateLimits: opts.rateLimits });
  const twin = server.twin;
  let resolvers;
  try {
    resolvers = await startVpcResolvers(
      { world: () => twin.world, now: () => twin.clock.now(), dnsFault: (vpcId) => twin.faults.dnsFault(vpcId) },
      { host: opts.host },
    );
  } catch (e) {
    await server.close();
    throw e;
  }
  if (opts.runCommands !== false) {
    // Each script gets the resolver that answers as its instance's VPC does; the map is read
    // per command, so VPCs added later (resolvers.sync) are served too.
    twin.enableCommandExecution({ resolverFor: (vpcId) => resolvers.addresses.get(vpcId) });
  }

  const accounts: SandboxAccount[] = world.accounts.map((a) => ({
    name: a.name,
    id: a.id,
    accessKeyId: a.accessKeyId,
    secretAccessKey: a.secretAccessKey,
    profile: profileName(a.name),
    roleProfile: `${profileName(a.name)}-role`,
    roleArn: `arn:aws:iam::${a.id}:role/r53migrate`,
  }));
  const parking = world.vpcs.find((v) => v.name === PARKING_VPC_NAME);
  const stateBucket = world.buckets?.[0];
  const stateAccount = accounts.find((a) => a.id === stateBucket?.ownerAccountId);
  if (!stateBucket || !stateAccount) throw new Error('the scenario has no state bucket owned by one of its accounts');
  const info: SandboxInfo = {
    version: 1,
    pid: process.pid,
    scenario: {
      scenario: opts.scenario,
      vpcs: opts.vpcs,
      endpoints: opts.endpoints,
      accounts: opts.accounts,
      seed: opts.seed,
      region: opts.region,
      delayScale: opts.delayScale,
      ...(opts.parking ? { parking: true } : {}),
      ...(opts.organization ? { organization: opts.organization } : {}),
    },
    endpointUrl: server.url,
    region: world.region,
    awsConfigFile: join(dir, 'aws-config'),
    awsCredentialsFile: join(dir, 'aws-credentials'),
    planFile: join(dir, 'plan.yaml'),
    accounts,
    ...(world.profiles[0] ? { profileId: world.profiles[0].id } : {}),
    ...(world.organization
      ? { organization: { id: world.organization.id, managementAccountId: world.organization.managementAccountId, ramSharingEnabled: world.organization.ramSharingEnabled } }
      : {}),
    ...(parking ? { parkingVpc: { id: parking.id, accountId: parking.ownerId } } : {}),
    vpcs: world.vpcs.filter((v) => v !== parking).map((v) => {
      const addr = resolvers.addresses.get(v.id)!;
      return { id: v.id, name: v.name, accountId: v.ownerId, resolver: `${addr.host}:${addr.port}` };
    }),
    instances: world.instances.map((i) => ({ id: i.id, vpcId: i.vpcId, accountId: i.ownerId })),
    probes: opts.probes ?? 'resolver',
    ...(opts.waves ? { waves: opts.waves } : {}),
    ...(world.iamPolicies ? { iamPolicyAccounts: Object.keys(world.iamPolicies) } : {}),
    stateBucket: { name: stateBucket.name, accountId: stateAccount.id, accountName: stateAccount.name },
    names: world.endpoints.flatMap((ep) =>
      ep.privateDnsNames.map((name) => ({
        name,
        probeName: probeNameFor(name),
        endpointId: ep.id,
        zoneName: stripDot(endpointZoneNames({ ...ep, privateDnsNames: [name] })[0]!),
        ips: world.networkInterfaces.filter((n) => ep.networkInterfaceIds.includes(n.id)).map((n) => n.privateIp),
      })),
    ),
  };

  const config = accounts
    .map((a) =>
      [
        `[profile ${a.profile}]`,
        `region = ${world.region}`,
        `endpoint_url = ${server.url}`,
        '',
        `[profile ${a.roleProfile}]`,
        `region = ${world.region}`,
        `endpoint_url = ${server.url}`,
        `role_arn = ${a.roleArn}`,
        `source_profile = ${accounts[0]!.profile}`,
        // Unique per start: the AWS CLI caches assumed-role credentials by session name, and a
        // previous sandbox's cached keys mean nothing to this one.
        `role_session_name = r53migrate-sandbox-${Date.now().toString(36)}`,
        '',
      ].join('\n'),
    )
    .join('\n');
  const credentials = accounts
    .map((a) => `[${a.profile}]\naws_access_key_id = ${a.accessKeyId}\naws_secret_access_key = ${a.secretAccessKey}\n`)
    .join('\n');
  const env = [
    `export AWS_CONFIG_FILE='${info.awsConfigFile}'`,
    `export AWS_SHARED_CREDENTIALS_FILE='${info.awsCredentialsFile}'`,
    `export AWS_ENDPOINT_URL='${server.url}'`,
    `export AWS_PROFILE='${accounts[0]!.profile}'`,
    `export AWS_REGION='${world.region}'`,
    // The estimates (plan, the window guard) expect the sandbox's delays, not AWS's.
    `export R53M_DELAY_SCALE='${info.scenario.delayScale}'`,
    '',
  ].join('\n');
  await writeFileAtomic(info.awsConfigFile, config);
  await writeFileAtomic(info.awsCredentialsFile, credentials);
  await writeFileAtomic(join(dir, 'env.sh'), env);
  await writeFileAtomic(info.planFile, planYaml(world, info));
  // Written last: its presence means everything else is ready.
  await writeFileAtomic(join(dir, 'sandbox.json'), JSON.stringify(info, null, 2) + '\n');

  let closed = false;
  return {
    info,
    server,
    world,
    close: async () => {
      if (closed) return;
      closed = true;
      await rm(join(dir, 'sandbox.json'), { force: true });
      await resolvers.close();
      await server.close();
    },
  };
}

function probeInstanceOf(info: SandboxInfo, vpcId: string): string {
  const inst = info.instances.find((i) => i.vpcId === vpcId);
  if (!inst) throw new Error(`no probe instance in ${vpcId}`);
  return inst.id;
}

/** A plan for the scenario's estate, in the plan-file format (src/plan). */
function planYaml(world: World, info: SandboxInfo): string {
  const accountName = (id: string) => info.accounts.find((a) => a.id === id)!.name;
  const [shared, ...spokes] = world.vpcs.filter((v) => v.name !== PARKING_VPC_NAME);
  const plan = {
    name: `sandbox-${info.scenario.scenario}`,
    region: world.region,
    accounts: Object.fromEntries(info.accounts.map((a) => [a.name, { accountId: a.id, profile: a.profile }])),
    // No Profile in the estate (direct-no-profile): the plan asks for one to be created, in the
    // shared-services account, named as the other scenarios' Profile is.
    profile: info.profileId ? { id: info.profileId, account: info.accounts[0]!.name } : { account: info.accounts[0]!.name, create: { name: 'shared-dns' } },
    sharedServicesVpc: { id: shared!.id, account: accountName(shared!.ownerId) },
    spokes: spokes.map((v) => ({ id: v.id, account: accountName(v.ownerId) })),
    ...(info.parkingVpc ? { parkingVpc: { id: info.parkingVpc.id, account: accountName(info.parkingVpc.accountId) } } : {}),
    ...(info.waves ? { waves: info.waves } : {}),
    endpoints: world.endpoints.map((ep) => ({
      id: ep.id,
      zones: world.zones.filter((z) => endpointZoneNames(ep).includes(z.name)).map((z) => z.id),
    })),
    // Loopback answers in microseconds and lifecycles are scaled down: probe and poll briskly.
    probes: {
      ...(info.probes === 'ssm'
        ? // Probed from inside each VPC through SSM Run Command on its probe instance.
          { ssm: { vpcs: Object.fromEntries(info.vpcs.map((v) => [v.id, probeInstanceOf(info, v.id)])) } }
        : { resolvers: Object.fromEntries(info.vpcs.map((v) => [v.id, v.resolver])) }),
      intervalMs: 200,
      timeoutMs: 500,
      okStreak: 2,
      failStreak: 3,
    },
    budgets: { pollIntervalMs: 100, stepTimeoutMs: 120_000, dnsGateTimeoutMs: 60_000 },
  };
  return `# r53migrate plan for the ${info.scenario.scenario} sandbox (written by \`r53migrate sandbox up\`).\n` + stringify(plan);
}
