// Where does this estate stand? From an observed World: refuse what the migration can't safely
// start from (with what differs and what to do), detect path A or B, and recognise an estate
// that is part-way (an interrupted run, or steps done by hand). Pure.
import type { ObservedEndpoint, ObservedZone, World } from '../aws/world.js';
import { excludedVpcs, planVpcs, type Plan } from '../plan/schema.js';
import { endpointOnProfile, failed, lastHolder, privateDnsOn, vpcOnProfile, zoneOf, zoneOnProfile, zoneOnVpc } from './facts.js';
import { describeVpc } from './invariant.js';
import { targetsEndpoint } from './resolution.js';
import type { Path, StepContext } from './types.js';

/** Route 53's default number of VPCs one private zone can be associated with. */
export const ZONE_VPC_ASSOCIATION_LIMIT = 300;
/** Route 53 Profiles' default number of VPCs one Profile can be associated with. */
export const PROFILE_VPC_ASSOCIATION_LIMIT = 1000;

export type Assessment =
  | {
      ok: true;
      path: Path;
      /** The step to run next (1-7), or 8 when the migration is complete. */
      position: number;
      /** Step `position` has started (some of its changes are there). */
      partial: boolean;
      ctx: StepContext;
      warnings: string[];
    }
  | { ok: false; problems: string[]; warnings: string[] };

type Facts = Map<string, boolean>;

const APEX = new Set(['SOA', 'NS']);

function zoneNameOf(name: string): string {
  return (name.startsWith('*.') ? name.slice(2) : name).toLowerCase().replace(/\.?$/, '.');
}

/** How many VPCs the zone is associated with once step 1 is done: those it has, and every VPC step 1 adds. */
export function peakZoneAssociations(zone: { vpcs: readonly { vpcId: string }[] }, plan: Plan): number {
  return new Set([...zone.vpcs.map((v) => v.vpcId), ...planVpcs(plan).map((v) => v.id), ...(plan.parkingVpc ? [plan.parkingVpc.id] : [])]).size;
}

/** Records the migration knows how to retire: the apex SOA/NS and alias A/AAAA records at the endpoint's names pointing at it. */
export function unexpectedRecords(zone: ObservedZone, ep: ObservedEndpoint): string[] {
  const names = new Set(ep.privateDnsNames.map((n) => n.toLowerCase().replace(/\.?$/, '.')));
  return zone.records
    .filter((r) => {
      if (APEX.has(r.type) && r.name === zone.name) return false;
      return !((r.type === 'A' || r.type === 'AAAA') && names.has(r.name) && r.alias && targetsEndpoint(ep, r.alias.dnsName));
    })
    .map((r) => `${r.name} ${r.type}${r.alias ? ` alias ${r.alias.dnsName}` : ` ${(r.values ?? []).join(' ')}`}`);
}

/**
 * VPCs outside the plan that depend on what it changes (associated with one of its zones, or
 * with its Profile) and that the plan does not exclude on purpose: each with why it depends.
 */
export function unlistedDependents(world: World, plan: Plan): { vpcId: string; account: string; accountId: string; why: string }[] {
  const excluded = excludedVpcs(plan);
  const zoneIds = plan.endpoints.flatMap((e) => e.zones);
  return Object.values(world.others)
    .filter((o) => !excluded.has(o.id))
    .map((o) => {
      const zones = zoneIds.filter((z) => zoneOnVpc(world, z, o.id));
      const onProfile = vpcOnProfile(world, plan, o.id);
      const why = [...(zones.length ? [`is associated with zone ${zones.join(', ')}`] : []), ...(onProfile ? [`is associated with Profile ${plan.profile.id}`] : [])].join(' and ');
      return { vpcId: o.id, account: o.account, accountId: o.accountId, why };
    })
    .filter((d) => d.why);
}

export function unlistedDependentProblem(d: { vpcId: string; account: string; accountId: string; why: string }): string {
  return (
    `${describeVpc({ ...d, inPlan: false })} ${d.why}, so the migration changes what it resolves: ` +
    `add it to spokes (it is then migrated with the others), or list it under excludedVpcs with accept: gap (on the Profile: may lose its answer during the run) or accept: loss (may lose it for good), or migrate it first with another plan`
  );
}

/**
 * `then`: what the operator does once a problem is fixed — run plan again (before a run), or
 * resume (in the middle of one).
 */
export function assess(world: World, plan: Plan, opts: { then?: string; path?: Path } = {}): Assessment {
  const then = opts.then ?? 'run plan again';
  const problems: string[] = [];
  const warnings: string[] = [];
  const P = plan.profile.id;

  if (!world.profile) problems.push(`Profile ${P} was not found in account ${plan.profile.account} (${world.accounts[plan.profile.account]}): check profile.id and profile.account in the plan`);
  for (const d of unlistedDependents(world, plan)) problems.push(unlistedDependentProblem(d));
  for (const v of planVpcs(plan)) {
    const o = world.vpcs[v.id];
    if (!o?.exists) {
      problems.push(`VPC ${v.id} was not found in account ${v.account} (${world.accounts[v.account]}) in ${plan.region}: check its id, its account and the plan's region`);
      continue;
    }
    if (o.profileAssociation && o.profileAssociation.profileId !== P) {
      problems.push(`VPC ${v.id} is associated with another Profile (${o.profileAssociation.profileId}); a VPC takes one Profile: disassociate it from ${o.profileAssociation.profileId} first, or leave the VPC out of the plan`);
    }
    if (!o.profileVisible && world.profile) {
      problems.push(`Profile ${P} is not visible to account ${v.account} (${o.accountId}), which owns ${v.id}: share the Profile with that account through AWS RAM, then ${then}`);
    }
  }

  problems.push(...parkingProblems(world, plan));
  warnings.push(...untouchedProfileResources(world, plan));

  const taking: { id: string; zones: string[] }[] = [];
  /** Zones step 1 would take past Route 53's quota: a problem only while step 1 is still to run. */
  const overQuota: string[] = [];
  for (const e of plan.endpoints) {
    const ep = world.endpoints[e.id];
    if (!ep?.exists) {
      problems.push(`endpoint ${e.id} was not found in any account of the plan in ${plan.region}: check its id and the plan's region`);
      continue;
    }
    if (ep.type !== 'Interface') {
      problems.push(`endpoint ${e.id} is a ${ep.type} endpoint; only interface endpoints serve Private DNS: remove it from the plan`);
      continue;
    }
    if (ep.vpcId !== plan.sharedServicesVpc.id) {
      problems.push(`endpoint ${e.id} is in ${ep.vpcId}, not in the shared-services VPC ${plan.sharedServicesVpc.id}: fix sharedServicesVpc or the endpoint id`);
      continue;
    }
    if (!ep.supportsPrivateDns) {
      warnings.push(`endpoint ${e.id} (${ep.serviceName}) can't use Private DNS: it is left out and its zone(s) ${e.zones.join(', ')} stay as they are`);
      continue;
    }
    const served = new Set(ep.privateDnsNames.map(zoneNameOf));
    // A zone is deleted only by step 7, after the endpoint serves its names through the Profile.
    const zonesMayBeGone = ep.privateDnsEnabled && endpointOnProfile(world, e.id);
    for (const z of e.zones) {
      const zone = zoneOf(world, z);
      if (!zone) {
        if (!zonesMayBeGone) problems.push(`zone ${z} was not found in any account of the plan: check its id (and that its owner's account is under accounts)`);
        continue;
      }
      if (!zone.privateZone) problems.push(`zone ${z} (${zone.name}) is a public zone; only private zones are migrated`);
      if (!served.has(zone.name)) {
        problems.push(`zone ${z} is named ${zone.name}, but ${e.id} (${ep.serviceName}) serves ${[...served].join(', ')}: list the zone under the endpoint whose name it carries`);
      }
      const extra = unexpectedRecords(zone, ep);
      if (extra.length) {
        problems.push(
          `zone ${z} (${zone.name}) holds records the migration would delete with the zone: ${extra.join('; ')} — move them to another zone (or remove them) first; r53migrate only retires the apex SOA/NS and the alias records to ${e.id}`,
        );
      }
      const peak = peakZoneAssociations(zone, plan);
      // A zone that already has more than the default shows the quota was raised (by how much, only AWS knows).
      if (peak > Math.max(ZONE_VPC_ASSOCIATION_LIMIT, zone.vpcs.length)) {
        overQuota.push(
          `zone ${z} (${zone.name}) would be associated with ${peak} VPCs at once (it has ${zone.vpcs.length} now; step 1 associates it directly with the shared-services VPC, every spoke${plan.parkingVpc ? ' and the parking VPC' : ''} before step 6 takes them off), ` +
            `and Route 53 allows ${ZONE_VPC_ASSOCIATION_LIMIT} VPCs per private hosted zone by default: ask AWS to raise that quota for the zone's account, or split the spokes across two plans`,
        );
      }
    }
    taking.push({ id: e.id, zones: e.zones });
  }
  if (planVpcs(plan).length > PROFILE_VPC_ASSOCIATION_LIMIT) {
    problems.push(`the plan has ${planVpcs(plan).length} VPCs; a Profile takes ${PROFILE_VPC_ASSOCIATION_LIMIT} by default: raise the quota or split the plan`);
  }
  if (!taking.length && !problems.length) problems.push('no endpoint of the plan can take part (none can use Private DNS): there is nothing to migrate');
  if (problems.length) return { ok: false, problems, warnings };

  const ctxA: StepContext = { plan, endpoints: taking, path: 'A' };
  for (const f of failed(world, ctxA)) problems.push(`${f.what} is ${f.status}: disassociate it (console or CLI), then ${then}`);
  if (problems.length) return { ok: false, problems, warnings };

  const observed = observeFacts(world, ctxA);
  const candidates: { path: Path; position: number; partial: boolean }[] = [];
  const closest: { path: Path; step: number; diff: string[] }[] = [];
  // A rollback knows the path it started from (after step 1 both look alike; before it, not).
  for (const path of opts.path ? [opts.path] : (['A', 'B'] as Path[])) {
    const at = position(observed, baseline(ctxA, path), ctxA);
    if ('position' in at) candidates.push({ path, ...at });
    else closest.push({ path, ...at.closest });
  }
  const found = candidates.sort((a, b) => b.position - a.position)[0];
  if (!found) {
    const best = closest.sort((a, b) => a.diff.length - b.diff.length)[0]!;
    return {
      ok: false,
      warnings,
      problems: [
        `the estate is in a state no run of the steps produces (closest: path ${best.path} with step ${best.step} next); what differs:\n    ${best.diff.join('\n    ')}\n  set these as they were (or finish the step by hand), then ${then}`,
      ],
    };
  }
  // Past step 1 the zones have had every VPC already (and step 6 may have taken some off since).
  if (found.position === 1 && overQuota.length) return { ok: false, problems: overQuota, warnings };
  // After step 1 both paths look the same; before it, the starting architecture decides.
  const path = opts.path ?? (candidates.length === 2 && found.position > 1 ? 'A' : found.path);
  return { ok: true, path, position: found.position, partial: found.partial, ctx: { ...ctxA, path }, warnings };
}

/** A parking VPC must exist and must take no part in resolution: on no Profile, holding no endpoint of the plan. */
function parkingProblems(world: World, plan: Plan): string[] {
  const p = plan.parkingVpc;
  if (!p) return [];
  const seen = world.parking;
  if (seen && !seen.exists) return [`parking VPC ${p.id} was not found in account ${p.account} (${world.accounts[p.account]}) in ${plan.region}: check parkingVpc.id and parkingVpc.account`];
  const out: string[] = [];
  const other = knownOther(world, p.id)?.profileAssociation;
  if (other) {
    out.push(`parking VPC ${p.id} is associated with Profile ${other.profileId}: a parking VPC must be one with no workloads that takes no part in resolution — disassociate it, or name another`);
  }
  const ep = plan.endpoints.find((e) => world.endpoints[e.id]?.exists && (world.endpoints[e.id] as ObservedEndpoint).vpcId === p.id);
  if (ep) out.push(`parking VPC ${p.id} holds endpoint ${ep.id} of the plan: name a VPC without workloads as parkingVpc`);
  return out;
}

const knownOther = (world: World, vpcId: string) => world.others[vpcId] ?? (world.parking?.id === vpcId ? world.parking : undefined);

/**
 * What the observed world shows that neither "steps 1..k-1 done" nor "step k done" explains: the
 * estate moved under the run (someone undid or redid a change). Empty when it is as the run left it.
 */
export function driftBefore(world: World, ctx: StepContext, k: number): string[] {
  const observed = observeFacts(world, ctx);
  const before = baseline(ctx, ctx.path);
  for (let j = 1; j < k && j <= EFFECTS.length; j++) EFFECTS[j - 1]!(before, ctx);
  const after = new Map(before);
  if (k <= EFFECTS.length) EFFECTS[k - 1]!(after, ctx);
  return [...observed].filter(([key, v]) => v !== before.get(key) && v !== after.get(key)).map(([key, v]) => `${key}: is ${v}, expected ${before.get(key)}`);
}

function observeFacts(world: World, ctx: StepContext): Facts {
  const f: Facts = new Map();
  const vpcs = planVpcs(ctx.plan).map((v) => v.id);
  for (const v of vpcs) f.set(`${v} is on the Profile`, vpcOnProfile(world, ctx.plan, v));
  for (const e of ctx.endpoints) {
    f.set(`${e.id} has Private DNS on`, privateDnsOn(world, e.id));
    f.set(`${e.id} is on the Profile`, endpointOnProfile(world, e.id));
    for (const z of e.zones) {
      f.set(`zone ${z} exists`, !!zoneOf(world, z));
      f.set(`zone ${z} is on the Profile`, zoneOnProfile(world, z));
      for (const v of [...vpcs, ...(ctx.plan.parkingVpc ? [ctx.plan.parkingVpc.id] : [])]) f.set(`zone ${z} is associated with ${v}`, zoneOnVpc(world, z, v));
    }
  }
  return f;
}

type Effect = (f: Facts, ctx: StepContext) => void;

function setAll(f: Facts, match: (key: string) => boolean, value: boolean) {
  for (const k of f.keys()) if (match(k)) f.set(k, value);
}

/** What each step changes, as facts (the same order as STEPS). */
const EFFECTS: Effect[] = [
  (f) => {
    setAll(f, (k) => / is on the Profile$/.test(k) && (k.startsWith('vpc-') || k.startsWith('zone ')), true);
    setAll(f, (k) => / is associated with /.test(k), true);
  },
  (f, ctx) => setAll(f, (k) => k.endsWith(` is associated with ${ctx.plan.sharedServicesVpc.id}`), false),
  (f) => setAll(f, (k) => k.endsWith(' has Private DNS on'), true),
  (f) => setAll(f, (k) => k.startsWith('zone ') && k.endsWith(' is on the Profile'), false),
  (f) => setAll(f, (k) => k.startsWith('vpce-') && k.endsWith(' is on the Profile'), true),
  (f, ctx) => {
    const holder = lastHolder(ctx.plan);
    setAll(f, (key) => / is associated with /.test(key) && !key.endsWith(` ${holder}`), false);
  },
  (f) => {
    setAll(f, (k) => / exists$/.test(k), false);
    setAll(f, (k) => / is associated with /.test(k), false);
  },
];

function baseline(ctx: StepContext, path: Path): Facts {
  const f = observeFacts({ accounts: {}, observedAt: 0, region: '', vpcs: {}, others: {}, zones: {}, endpoints: {} }, ctx);
  setAll(f, (k) => / exists$/.test(k), true);
  if (path === 'A') {
    // Every VPC but the parking VPC, which holds no zone before step 1.
    const parking = ctx.plan.parkingVpc?.id;
    setAll(f, (k) => / is associated with /.test(k) && !(parking && k.endsWith(` ${parking}`)), true);
  } else {
    setAll(f, (k) => k.startsWith('vpc-') && k.endsWith(' is on the Profile'), true);
    setAll(f, (k) => k.startsWith('zone ') && k.endsWith(' is on the Profile'), true);
    setAll(f, (k) => k.endsWith(` is associated with ${ctx.plan.sharedServicesVpc.id}`), true);
  }
  return f;
}

function position(
  observed: Facts,
  start: Facts,
  ctx: StepContext,
): { position: number; partial: boolean } | { closest: { step: number; diff: string[] } } {
  let before = new Map(start);
  let closest = { step: 1, diff: [] as string[], size: Infinity };
  for (let k = 1; k <= EFFECTS.length; k++) {
    const after = new Map(before);
    EFFECTS[k - 1]!(after, ctx);
    const diff = [...observed].filter(([key, v]) => v !== before.get(key) && v !== after.get(key)).map(([key, v]) => `${key}: is ${v}, expected ${before.get(key)}`);
    const done = [...observed].every(([key, v]) => v === after.get(key));
    if (diff.length === 0 && !done) {
      const partial = [...observed].some(([key, v]) => v !== before.get(key));
      return { position: k, partial };
    }
    // On a tie the later step wins: the likelier story is that more was done, out of order.
    if (diff.length && diff.length <= closest.size) closest = { step: k, diff, size: diff.length };
    before = after;
  }
  if ([...observed].every(([key, v]) => v === before.get(key))) return { position: 8, partial: false };
  return { closest: { step: closest.step, diff: closest.diff } };
}

/**
 * What else the Profile carries (resolver rules, DNS Firewall rule groups, query logging
 * configurations, zones of other plans): r53migrate leaves them as they are, and says so, since
 * every VPC the run puts on the Profile gets them too.
 */
export function untouchedProfileResources(world: World, plan: Plan): string[] {
  const ours = new Set([...plan.endpoints.flatMap((e) => e.zones.map((z) => `arn:aws:route53:::hostedzone/${z}`))]);
  const endpointIds = new Set(plan.endpoints.map((e) => e.id));
  const others = (world.profile?.resources ?? []).filter((r) => !ours.has(r.resourceArn) && !endpointIds.has(r.resourceArn.split('/').pop() ?? ''));
  if (!others.length) return [];
  return [
    `Profile ${plan.profile.id} also holds ${others.length} resource(s) this plan leaves untouched, which every VPC it associates with the Profile gets too: ` +
      others.map((r) => `${r.resourceType || 'resource'} ${r.name || r.resourceArn} (${r.resourceArn})`).join(', '),
  ];
}
