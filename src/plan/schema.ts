// The plan file: what the operator wants migrated, and how to reach it. Validated with zod so
// every problem is reported at once with its path; `r53migrate schema` exports it as JSON Schema.
import { z } from 'zod';
import { DEFAULT_LOCK_LEASE_MS } from '../state/s3-lock.js';
import { parseS3Location, StateLocationError } from '../state/location.js';

export const ID_PATTERNS = {
  account: /^\d{12}$/,
  vpc: /^vpc-[0-9a-f]{8}([0-9a-f]{9})?$/,
  endpoint: /^vpce-[0-9a-f]{8}([0-9a-f]{9})?$/,
  zone: /^Z[0-9A-Z]{1,32}$/,
  profile: /^rp-[0-9a-f]{8,32}$/,
  roleArn: /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/,
  region: /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/,
  name: /^[a-z0-9][a-z0-9-]{0,62}$/,
} as const;

const id = (pattern: RegExp, what: string, example: string) =>
  z.string({ error: `expected ${what} (like ${example})` }).regex(pattern, { error: `expected ${what} (like ${example})` });

export const VpcId = id(ID_PATTERNS.vpc, 'a VPC id', 'vpc-0a1b2c3d4e5f67890');
export const EndpointId = id(ID_PATTERNS.endpoint, 'an interface endpoint id', 'vpce-0a1b2c3d4e5f67890');
export const ZoneId = id(ID_PATTERNS.zone, 'a hosted zone id', 'Z0123456789ABCDEFGHIJ');
export const ProfileId = id(ID_PATTERNS.profile, 'a Route 53 Profile id', 'rp-0a1b2c3d4e5f6789');

const AccountRef = z.string({ error: 'expected the name of an account defined under accounts' }).min(1);

const AssumeRole = z
  .object({
    roleArn: id(ID_PATTERNS.roleArn, 'an IAM role ARN', 'arn:aws:iam::111122223333:role/r53migrate'),
    externalId: z.string().min(2).max(1224).optional(),
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, { error: 'expected 2-64 characters of letters, digits and +=,.@-_' })
      .default('r53migrate'),
    /** The profile whose credentials assume the role; omitted: the default credential chain. */
    sourceProfile: z.string().min(1).optional(),
  })
  .strict();

export const Account = z
  .object({
    /** Checked against STS GetCallerIdentity before anything else runs. */
    accountId: id(ID_PATTERNS.account, 'a 12-digit AWS account id', '111122223333').optional(),
    /** A named profile from the AWS config/credentials files. */
    profile: z.string().min(1).optional(),
    assumeRole: AssumeRole.optional(),
  })
  .strict()
  .refine((a) => !(a.profile && a.assumeRole), {
    error: 'give either profile or assumeRole (with assumeRole.sourceProfile for a base profile), not both',
  });

const VpcRef = z.object({ id: VpcId, account: AccountRef }).strict();

const Resolver = z
  .string({ error: 'expected host:port of the resolver that answers for this VPC' })
  .regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\]|[a-zA-Z0-9.-]+):\d{1,5}$/, { error: 'expected host:port, like 10.0.0.2:53' });

const Ipv4 = z.string().regex(/^(\d{1,3})(\.\d{1,3}){3}$/, { error: 'expected an IPv4 address' });

export const InstanceId = id(/^i-[0-9a-f]{8}([0-9a-f]{9})?$/, 'an EC2 instance id', 'i-0a1b2c3d4e5f67890');

/** `Key` or `Key=Value`: discovery takes only instances with this tag. */
const TagFilter = z
  .string({ error: 'expected a tag as Key or Key=Value, like r53migrate:probe=true' })
  .regex(/^[^=]{1,128}(=.{0,256})?$/, { error: 'expected a tag as Key or Key=Value, like r53migrate:probe=true' });

/**
 * Probing from inside VPCs through SSM Run Command: a VPC's own Route 53 Resolver answers only
 * queries from inside it, so an instance there asks it and reports the answers.
 */
export const SsmProbes = z
  .object({
    /** Per VPC: the instance that probes it, or `discover` (a managed, online instance in it). */
    vpcs: z.record(VpcId, z.union([InstanceId, z.literal('discover')], { error: 'expected an instance id (like i-0a1b2c3d4e5f67890) or discover' })).default({}),
    /** Every plan VPC with neither a resolver nor an entry under vpcs is probed through a discovered instance. */
    discover: z.boolean().default(false),
    /** Discovery takes only instances with this tag. */
    tag: TagFilter.optional(),
    /** The address the instance asks: the VPC's Route 53 Resolver. */
    resolver: Ipv4.default('169.254.169.253'),
    /** Queries per name per round (the resolver allows 1,024 packets/s per interface: a few, never a flood). */
    queriesPerRound: z.number().int().min(1).max(10).default(3),
    /** A round of SSM probes waits this long for every instance's answers, then counts the missing ones as probe errors. */
    roundTimeoutMs: z.number().int().min(10_000).max(600_000).default(90_000),
    /** SendCommand's delivery timeout: a command no agent picked up by then ends DeliveryTimedOut (AWS's minimum is 30). */
    deliveryTimeoutSeconds: z.number().int().min(30, { error: "expected 30 or more: AWS's shortest delivery timeout (SendCommand TimeoutSeconds) is 30 s" }).max(600).default(30),
    /** Rounds in a row in which a VPC's probe did not run (instance offline, command failed) before its gates halt. */
    errorRounds: z.number().int().min(1).max(100).default(3),
  })
  .strict();

export const Probes = z
  .object({
    /** Per VPC: the resolver to query for it (its .2 via an inbound endpoint, or the sandbox's). */
    resolvers: z.record(VpcId, Resolver).default({}),
    /** Per VPC: probed from inside through SSM Run Command on an instance. */
    ssm: SsmProbes.optional(),
    intervalMs: z.number().int().min(100).max(60_000).default(1000),
    timeoutMs: z.number().int().min(50).max(10_000).default(1000),
    retries: z.number().int().min(0).max(5).default(1),
    /** A pair passes a gate after this many consecutive ok answers. */
    okStreak: z.number().int().min(1).max(100).default(3),
    /** A pair halts the run after this many consecutive failed answers. */
    failStreak: z.number().int().min(1).max(100).default(3),
    /** Pin the expected answers per endpoint (default: its ENI private IPs, discovered). */
    expect: z.record(EndpointId, z.array(Ipv4).min(1)).default({}),
  })
  .strict();

/** A VPC that depends on the migrated names but is deliberately left out of this plan. */
export const ExcludedVpc = z
  .object({
    id: VpcId,
    /**
     * gap: it may lose its answer while the run is under way, but must have it at the end (a VPC
     * on the Profile resolves the endpoint through it once step 5 is done). loss: it may lose its
     * answer for good (being retired, or resolving the public service name is fine for it).
     */
    accept: z.enum(['gap', 'loss'], { error: 'expected gap (may lose its answer during the run, must have it at the end) or loss (may lose it for good)' }),
    /** Why, for the people who review the plan. */
    reason: z.string().max(500).optional(),
  })
  .strict();

/** Named wave schedules, in the spirit of CodeDeploy's deployment configurations. */
export const WAVE_PRESETS = ['one-at-a-time', 'half-at-a-time', 'canary-10-percent'] as const;

/**
 * How step 6 moves the spokes: a canary wave, then waves growing by `growth` up to `max` VPCs,
 * each gated (INSYNC, then every VPC probed) before the next. The default, a canary of one then
 * 2, 4, 8, ... up to 50, moves 300 spokes in 11 waves.
 */
export const WaveSchedule = z
  .object({
    /** VPCs in the first wave: a surprise stops the run having moved only these. */
    canary: z.number().int().min(1).max(1000).default(1),
    /** Each wave is this many times the one before (1: every wave the canary's size). */
    growth: z.number().min(1).max(10).default(2),
    /** No wave moves more VPCs than this. */
    max: z.number().int().min(1).max(1000).default(50),
  })
  .strict()
  .refine((w) => w.max >= w.canary, { error: 'waves.max must be at least waves.canary', path: ['max'] });

export const Waves = z.union(
  [z.enum(WAVE_PRESETS), WaveSchedule],
  { error: `expected one of ${WAVE_PRESETS.join(', ')}, or { canary, growth, max } (like { canary: 1, growth: 2, max: 50 })` },
);

/** Bounds of the wait budgets, in the plan file and on the command line (apply/resume --step-timeout). */
export const BUDGET_LIMITS_MS = { stepTimeoutMs: [1000, 24 * 3600_000], dnsGateTimeoutMs: [1000, 3600_000] } as const;

/**
 * budgets.rateShare's default and bounds. Below a tenth a 300-VPC step 6 would take hours. At 1
 * r53migrate's buckets and AWS's would run dry together, and a call that the network delivers a
 * little sooner than the one before it finds AWS's bucket empty (bench:migrate at 300 VPCs: 20
 * throttled calls at 1, none at 0.95): below 1, AWS's bucket refills faster than it is drawn and
 * has room for that jitter.
 */
export const DEFAULT_RATE_SHARE = 0.8;
export const RATE_SHARE_LIMITS = [0.1, 0.95] as const;
export const RATE_SHARE_EXPECTED = `expected a fraction of AWS's documented request rates from ${RATE_SHARE_LIMITS[0]} to ${RATE_SHARE_LIMITS[1]}, like ${DEFAULT_RATE_SHARE} (the default) or ${RATE_SHARE_LIMITS[1]}, not a percentage`;

export const Budgets = z
  .object({
    /** Longest wait for one step's control-plane gate. */
    stepTimeoutMs: z.number().int().min(BUDGET_LIMITS_MS.stepTimeoutMs[0]).max(BUDGET_LIMITS_MS.stepTimeoutMs[1]).default(15 * 60_000),
    /** Longest wait for one step's DNS gate. */
    dnsGateTimeoutMs: z.number().int().min(BUDGET_LIMITS_MS.dnsGateTimeoutMs[0]).max(BUDGET_LIMITS_MS.dnsGateTimeoutMs[1]).default(5 * 60_000),
    pollIntervalMs: z.number().int().min(50).max(60_000).default(2000),
    /**
     * The share of AWS's documented request rates r53migrate allows itself in every account of the
     * plan. The default leaves a fifth to the other tools and people using the same accounts; a
     * window where nothing else calls these APIs can give more (a rate-bound step, like step 6's
     * disassociations, takes its calls ÷ (rate × share)).
     */
    rateShare: z
      .number()
      .min(RATE_SHARE_LIMITS[0], { error: RATE_SHARE_EXPECTED })
      .max(RATE_SHARE_LIMITS[1], { error: RATE_SHARE_EXPECTED })
      .default(DEFAULT_RATE_SHARE),
  })
  .strict();

/** Route 53 Profiles' Name: 1-64 letters, digits, space, - _ ', not digits only [model route53profiles Name]. */
const ProfileName = z
  .string({ error: "expected a Profile name: 1-64 letters, digits, spaces, - _ ' (not digits only)" })
  .regex(/^(?!^[0-9]+$)([a-zA-Z0-9\-_' ]{1,64})$/, { error: "expected a Profile name: 1-64 letters, digits, spaces, - _ ' (not digits only)" });

const OuArn = id(/^arn:aws[a-z-]*:organizations::\d{12}:ou\/o-[a-z0-9]{10,32}\/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$/, 'an organizational unit ARN', 'arn:aws:organizations::111122223333:ou/o-exampleorgid/ou-ab12-cdef3456');

/**
 * How the Profile reaches the plan's other accounts: a RAM resource share in the Profile's account
 * (created, or extended when one of that name exists), shared with each account (which accepts its
 * invitation, unless it is inside the owner's organization with RAM sharing enabled), with the
 * whole organization, or with organizational units.
 */
export const ProfileShare = z
  .object({
    /** The resource share's name (default: r53migrate-<plan name>). */
    name: z.string().min(1).max(255).optional(),
    with: z
      .union([z.literal('accounts'), z.literal('organization'), z.object({ ous: z.array(OuArn).min(1) }).strict()], {
        error: 'expected accounts (each account of the plan), organization (the whole organization) or { ous: [OU ARN, ...] }',
      })
      .default('accounts'),
    /** RAM's allowExternalPrincipals for a share r53migrate creates (AWS's default: true). */
    allowExternalPrincipals: z.boolean().default(true),
  })
  .strict();

/**
 * Where the run's state lives when it is not a local file: an S3 object, its lock beside it, so any
 * teammate's machine can resume and two operators never run at once (README "Working as a team").
 */
export const PlanState = z
  .object({
    /** s3://bucket/prefix/name.state.json */
    location: z
      .string()
      .regex(/^s3:\/\/[^/]+\/.+\.state\.json$/, { error: 'expected s3://<bucket>/<prefix>/<name>.state.json (a local state file is given with --state, not here)' })
      .superRefine((text, ctx) => {
        if (!/^s3:\/\/[^/]+\/.+\.state\.json$/.test(text)) return;
        try {
          parseS3Location(text);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: e instanceof StateLocationError ? e.message.replace(/^state location /, '') : String(e) });
        }
      }),
    /** The plan account whose credentials reach the bucket (default: the AWS credential chain: AWS_PROFILE, environment, SSO, instance role). */
    account: AccountRef.optional(),
    /** The bucket's region (default: the plan's). */
    region: z.string().regex(ID_PATTERNS.region, { error: 'expected an AWS region like us-east-1' }).optional(),
    /** How long a lock its holder stopped renewing stays untouchable (it is renewed every third of this). */
    lockLeaseMs: z.number().int().min(3_000).max(3_600_000).default(DEFAULT_LOCK_LEASE_MS),
  })
  .strict();
export type PlanState = z.infer<typeof PlanState>;

const NEW_PROFILE = '(new Profile ';

/** The id a plan's Profile has until prepare creates it: shown in the dry run, never sent to AWS. */
export const newProfileId = (name: string) => `${NEW_PROFILE}${name})`;

export const PlanProfile = z
  .object({
    id: ProfileId.optional(),
    account: AccountRef,
    /** Create the Profile in `account` before step 1 (recognised again by its name and client token). */
    create: z.object({ name: ProfileName }).strict().optional(),
    share: ProfileShare.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (p.id && p.create) ctx.addIssue({ code: 'custom', path: ['create'], message: 'give either id (an existing Profile) or create (r53migrate creates it), not both' });
    if (!p.id && !p.create) ctx.addIssue({ code: 'custom', path: ['id'], message: 'expected id (an existing Profile, like rp-0a1b2c3d4e5f6789) or create: { name } (r53migrate creates it before step 1)' });
  })
  .transform((p) => ({ ...p, id: p.id ?? newProfileId(p.create?.name ?? '') }));

export const Plan = z
  .object({
    /** Names the state file and logs. */
    name: z.string().regex(ID_PATTERNS.name, { error: 'expected lower-case letters, digits and dashes (max 63)' }),
    region: z.string().regex(ID_PATTERNS.region, { error: 'expected an AWS region like us-east-1' }),
    accounts: z.record(z.string().regex(ID_PATTERNS.name, { error: 'account names: lower-case letters, digits and dashes' }), Account),
    /**
     * The Route 53 Profile: an existing one (`id`), or one r53migrate creates before step 1
     * (`create`); `share` makes it visible to the plan's other accounts through AWS RAM.
     */
    profile: PlanProfile,
    sharedServicesVpc: VpcRef,
    /** Every other VPC; the last is the keeper, which holds each zone until it is deleted. */
    spokes: z.array(VpcRef).min(1, { error: 'at least one spoke VPC is needed (the last one is the keeper)' }),
    endpoints: z
      .array(
        z
          .object({
            id: EndpointId,
            /** The self-managed private hosted zones that serve this endpoint's names today. */
            zones: z.array(ZoneId).min(1, { error: 'list the self-managed zone(s) that serve this endpoint today' }),
          })
          .strict(),
      )
      .min(1, { error: 'at least one endpoint is needed' }),
    /**
     * VPCs outside the plan that resolve a migrated name today (associated with one of its zones,
     * or with its Profile). r53migrate refuses to start while such a VPC is not listed here or in
     * spokes: it would lose its answer, and nobody would have said that is fine.
     */
    excludedVpcs: z.array(ExcludedVpc).default([]),
    /**
     * A VPC with no workloads in the zones' account and region: it holds the zones from step 1 on,
     * so step 6 can move every spoke (the keeper too) and step 7 deletes zones no workload VPC
     * resolves through: no VPC of the plan is ever without its answer. Rollback re-creates zones
     * with it. Never probed, never put on the Profile.
     */
    parkingVpc: VpcRef.optional(),
    /** How step 6 moves the spokes (default: a canary of one, then doubling waves of at most 50). */
    waves: Waves.default(WaveSchedule.parse({})),
    probes: Probes.default(Probes.parse({})),
    budgets: Budgets.default(Budgets.parse({})),
    /** The run's state in S3 rather than a local file (default: .r53migrate/<name>.state.json). */
    state: PlanState.optional(),
  })
  .strict()
  .superRefine((plan, ctx) => {
    const accountNames = new Set(Object.keys(plan.accounts));
    const checkAccount = (name: string, path: (string | number)[]) => {
      if (!accountNames.has(name)) {
        ctx.addIssue({ code: 'custom', path, message: `no account named "${name}" under accounts (have: ${[...accountNames].join(', ') || 'none'})` });
      }
    };
    checkAccount(plan.profile.account, ['profile', 'account']);
    if (plan.state?.account) checkAccount(plan.state.account, ['state', 'account']);
    checkAccount(plan.sharedServicesVpc.account, ['sharedServicesVpc', 'account']);
    const seenVpc = new Map<string, string>([[plan.sharedServicesVpc.id, 'sharedServicesVpc']]);
    plan.spokes.forEach((s, i) => {
      checkAccount(s.account, ['spokes', i, 'account']);
      const prev = seenVpc.get(s.id);
      if (prev) ctx.addIssue({ code: 'custom', path: ['spokes', i, 'id'], message: `${s.id} is listed twice (also at ${prev})` });
      else seenVpc.set(s.id, `spokes[${i}]`);
    });
    const seenEndpoint = new Map<string, number>();
    const seenZone = new Map<string, string>();
    plan.endpoints.forEach((e, i) => {
      const prev = seenEndpoint.get(e.id);
      if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'id'], message: `${e.id} is listed twice (also at endpoints[${prev}])` });
      else seenEndpoint.set(e.id, i);
      e.zones.forEach((z, j) => {
        const owner = seenZone.get(z);
        if (owner) ctx.addIssue({ code: 'custom', path: ['endpoints', i, 'zones', j], message: `zone ${z} is already listed for ${owner}` });
        else seenZone.set(z, e.id);
      });
    });
    if (plan.parkingVpc) {
      checkAccount(plan.parkingVpc.account, ['parkingVpc', 'account']);
      const inPlan = seenVpc.get(plan.parkingVpc.id);
      if (inPlan) ctx.addIssue({ code: 'custom', path: ['parkingVpc', 'id'], message: `${plan.parkingVpc.id} is already ${inPlan}: the parking VPC must be one without workloads, outside the migration` });
      if (plan.excludedVpcs.some((x) => x.id === plan.parkingVpc!.id)) {
        ctx.addIssue({ code: 'custom', path: ['parkingVpc', 'id'], message: `${plan.parkingVpc.id} is also under excludedVpcs: a parking VPC is left out of the checks already` });
      }
    }
    const seenExcluded = new Set<string>();
    plan.excludedVpcs.forEach((x, i) => {
      const inPlan = seenVpc.get(x.id);
      if (inPlan) ctx.addIssue({ code: 'custom', path: ['excludedVpcs', i, 'id'], message: `${x.id} is in the plan (${inPlan}): a VPC is either migrated or excluded` });
      else if (seenExcluded.has(x.id)) ctx.addIssue({ code: 'custom', path: ['excludedVpcs', i, 'id'], message: `${x.id} is listed twice` });
      seenExcluded.add(x.id);
    });
    for (const vpcId of Object.keys(plan.probes.resolvers)) {
      if (!seenVpc.has(vpcId)) {
        ctx.addIssue({ code: 'custom', path: ['probes', 'resolvers', vpcId], message: `${vpcId} is not a VPC of this plan` });
      }
    }
    for (const vpcId of Object.keys(plan.probes.ssm?.vpcs ?? {})) {
      if (!seenVpc.has(vpcId)) ctx.addIssue({ code: 'custom', path: ['probes', 'ssm', 'vpcs', vpcId], message: `${vpcId} is not a VPC of this plan` });
      else if (plan.probes.resolvers[vpcId]) ctx.addIssue({ code: 'custom', path: ['probes', 'ssm', 'vpcs', vpcId], message: `${vpcId} is also under probes.resolvers: probe a VPC one way (a resolver, or an instance through SSM)` });
    }
    const byInstance = new Map<string, string>();
    for (const [vpcId, how] of Object.entries(plan.probes.ssm?.vpcs ?? {})) {
      if (how === 'discover') continue;
      const other = byInstance.get(how);
      if (other) ctx.addIssue({ code: 'custom', path: ['probes', 'ssm', 'vpcs', vpcId], message: `${how} already probes ${other}: an instance is in one VPC, so it can probe only that one` });
      byInstance.set(how, vpcId);
    }
    for (const epId of Object.keys(plan.probes.expect)) {
      if (!seenEndpoint.has(epId)) ctx.addIssue({ code: 'custom', path: ['probes', 'expect', epId], message: `${epId} is not an endpoint of this plan` });
    }
  });

export type Plan = z.infer<typeof Plan>;
export type PlanAccount = z.infer<typeof Account>;

export type PlanVpc = { id: string; account: string; role: 'shared' | 'spoke' | 'keeper' };

/** A plan is a value: its VPC list is worked out once (the engine asks for it per VPC). */
const PLAN_VPCS = new WeakMap<Plan, readonly PlanVpc[]>();

/** Every VPC of the plan in order: shared services first, then the spokes (keeper last). */
export function planVpcs(plan: Plan): readonly PlanVpc[] {
  let vpcs = PLAN_VPCS.get(plan);
  if (!vpcs) {
    vpcs = Object.freeze([
      { ...plan.sharedServicesVpc, role: 'shared' as const },
      // With a parking VPC no spoke keeps the zones: the last one moves like the others.
      ...plan.spokes.map((s, i) => ({ ...s, role: i === plan.spokes.length - 1 && !plan.parkingVpc ? ('keeper' as const) : ('spoke' as const) })),
    ]);
    PLAN_VPCS.set(plan, vpcs);
  }
  return vpcs;
}

export type ProbeWay = { via: 'resolver'; address: string } | { via: 'ssm'; instance: string | 'discover' } | { via: 'none' };

/** How a plan VPC is probed: through a resolver address, through SSM on an instance, or not at all. */
export function probeWay(plan: Plan, vpcId: string): ProbeWay {
  const address = plan.probes.resolvers[vpcId];
  if (address) return { via: 'resolver', address };
  const ssm = plan.probes.ssm;
  const instance = ssm?.vpcs[vpcId] ?? (ssm?.discover ? 'discover' : undefined);
  return instance ? { via: 'ssm', instance } : { via: 'none' };
}

/** Whether the plan's Profile is still to be created (its id is the placeholder until prepare made it). */
export function profileToCreate(plan: Plan): boolean {
  return plan.profile.id.startsWith(NEW_PROFILE);
}

/** The parking VPC's id, when the plan names one. */
export function parkingVpcId(plan: Plan): string | undefined {
  return plan.parkingVpc?.id;
}

/**
 * The VPCs the plan leaves out on purpose, with what each may lose. The parking VPC is one: it
 * has no workloads, so what it resolves matters to nobody.
 */
export function excludedVpcs(plan: Plan): Map<string, 'gap' | 'loss'> {
  return new Map([...(plan.excludedVpcs ?? []).map((x) => [x.id, x.accept] as const), ...(plan.parkingVpc ? [[plan.parkingVpc.id, 'loss'] as const] : [])]);
}

export function planJsonSchema(): unknown {
  return z.toJSONSchema(Plan, { io: 'input', target: 'draft-2020-12' });
}
