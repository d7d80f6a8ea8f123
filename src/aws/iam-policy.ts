// Least-privilege IAM policies for a plan: per plan account, exactly the actions that account's
// calls need during a run of that plan, each narrowed to the plan's zones, VPCs, endpoints and
// Profile where AWS lets a policy say so (a resource ARN, or a condition key where the action has
// no resource type). Pure: plan + options in, "needs" out; the documents are the needs grouped
// into statements, and the pre-flight (permission-check.ts) simulates those same needs, so a
// statement the run needs is a statement the pre-flight checks.
//
// Who calls what follows the code: the zone's owner reads, changes, authorizes and deletes its
// zone (steps/zone-association.ts, 02, 06, 07); the VPC's account associates its own VPC with
// another account's zone and with the Profile (step 1, path A); the Profile's account adds and
// removes zones and endpoints (steps 1, 4, 5) and carries the run's mark; the endpoint's account
// switches Private DNS (step 3); each VPC's account runs its SSM probes. Prepare (a plan with
// profile.create or profile.share, steps/prepare.ts): the Profile's account creates the Profile
// and the RAM share (and takes them back rolling back), every other account of the plan accepts
// its invitation; a Profile not made yet is named by the pattern profile/*, never by the plan's
// placeholder id.
import { planVpcs, probeWay, profileToCreate, type Plan } from '../plan/schema.js';
import { hasPrepare, profileAccounts, shareOf } from '../steps/prepare.js';
import { arn, DEPENDENT_ONLY_ACTIONS, permissionForAction, permissionOf, vpcConditionValue, type PermissionService } from './permissions.js';
import { parseS3Location } from '../state/location.js';

export type Path = 'A' | 'B';
export type Direction = 'forward' | 'rollback';

/** One kind of request an account makes: an action on resources, with the request's condition context. */
export interface Need {
  /** Plan account that sends it. */
  account: string;
  /** `service:Action`. */
  action: string;
  /** ARNs (or '*' where the action has no resource type). */
  resources: string[];
  /**
   * The request's condition context, one value per key (each request names one VPC, one resource):
   * the policy's condition lists every value a statement allows, the simulator gets one request each.
   */
  context?: Record<string, string>;
  /** The statement it belongs to: says what the permission is for. */
  sid: string;
  /** 'discover': read by `plan` and before any run observes; 'run': only while a run changes things. */
  phase: 'discover' | 'run';
  /** Which runs need it. */
  directions: readonly Direction[];
}

export interface PolicyOptions {
  /** The path the estate starts on; undefined: either (the union). */
  path?: Path;
  /** Also what a rollback (and restore-zone) needs. */
  rollback?: boolean;
  /** Only what a rollback needs (its pre-flight); implies rollback. */
  rollbackOnly?: boolean;
  /** Plan account that owns each zone (default: the Profile's account, as the engine assumes for a zone it can't see). */
  zoneOwners?: Readonly<Record<string, string>>;
  /** Plan account that owns each endpoint (default: the shared-services VPC's account). */
  endpointOwners?: Readonly<Record<string, string>>;
  /** AWS account id per plan account (default: the plan's accountId, else '*' in ARNs). */
  accountIds?: Readonly<Record<string, string>>;
  /** The Profile's ARN as observed (default: built from the Profile account's id). */
  profileArn?: string;
  /** Endpoint ARNs as observed (default: built from the owner's id). */
  endpointArns?: Readonly<Record<string, string>>;
  /**
   * A rollback may re-create deleted zones, whose new ids nobody knows before: its zone
   * statements then take any zone (hostedzone/*), still narrowed by route53:VPCs. Default: true
   * whenever rollback needs are asked for (false: every zone still exists, so none is re-created).
   */
  zonesMayBeRecreated?: boolean;
  /** Zones already deleted (step 7 done): nothing of a forward run touches them; a rollback re-creates them. */
  goneZones?: readonly string[];
}

/** Above this many values in one condition, a statement allows the pattern (every VPC of the region) instead: IAM caps a managed policy at 6,144 characters. */
export const MAX_CONDITION_VALUES = 40;

/** Where a dependent action's statement goes: DescribeVpcs is discovery's already, a new Profile's tags the mark's. */
const DEPENDENT_SID: Record<string, string> = {
  'ec2:DescribeVpcs': 'DiscoverVpcs',
  'ec2:DescribeRegions': 'DescribeRegionsToCreatePrivateZones',
  'route53profiles:TagResource': 'MarkProfileWithTheRun',
  'ram:TagResource': 'ShareProfileWithPlanAccounts',
};

/** An ARN AWS could be asked about: an observed one may be a dry run's stand-in ("(ARN of (new Profile x))"). */
const isArn = (value: string | undefined): value is string => !!value && value.startsWith('arn:');

const ctxVpc = (vpcId: string, region: string) => ({ 'route53:VPCs': vpcConditionValue(vpcId, region) });

export function planNeeds(plan: Plan, o: PolicyOptions = {}): Need[] {
  const region = plan.region;
  const P = plan.profile.account;
  const S = plan.sharedServicesVpc.account;
  const vpcs = planVpcs(plan);
  const accountOfVpc = new Map<string, string>([...vpcs.map((v) => [v.id, v.account] as const), ...(plan.parkingVpc ? [[plan.parkingVpc.id, plan.parkingVpc.account] as const] : [])]);
  const idOf = (account: string) => o.accountIds?.[account] ?? plan.accounts[account]?.accountId;
  // Two plan accounts may reach one AWS account (two roles): the same account by id when known.
  const sameAccount = (a: string, b: string) => a === b || (!!idOf(a) && idOf(a) === idOf(b));
  // A rollback works on every zone of the plan; a forward run only on those still there.
  const allZones = plan.endpoints.flatMap((e) => e.zones);
  const zones = allZones.filter((z) => !o.goneZones?.includes(z));
  const zoneOwner = (z: string) => o.zoneOwners?.[z] ?? P;
  const endpointOwner = (e: string) => o.endpointOwners?.[e] ?? S;
  const endpointArn = (e: string) => o.endpointArns?.[e] ?? arn.endpoint(region, idOf(endpointOwner(e)), e);
  // A Profile prepare creates has no id yet (the plan's is a placeholder): any Profile of its account.
  const profileArn = isArn(o.profileArn) ? o.profileArn : profileToCreate(plan) ? arn.anyProfile(region, idOf(P)) : arn.profile(region, idOf(P), plan.profile.id);
  const spokes = plan.spokes.map((s) => s.id);
  // Step 6 moves every spoke but the keeper (none is kept when a parking VPC holds the zones).
  const moving = plan.parkingVpc ? spokes : spokes.slice(0, -1);
  const holder = plan.parkingVpc?.id ?? spokes[spokes.length - 1]!;
  const paths: Path[] = o.path ? [o.path] : ['A', 'B'];
  const forward = !o.rollbackOnly;
  const rollback = !!(o.rollback || o.rollbackOnly);
  const recreate = rollback && o.zonesMayBeRecreated !== false;

  const out: Need[] = [];
  /** `dependentResources`: the ARNs of a dependent action that takes a resource type (a new Profile's TagResource). */
  const add = (n: Omit<Need, 'directions'> & { directions?: readonly Direction[]; dependentResources?: Record<string, string[]> }) => {
    const { dependentResources, ...need } = n;
    // Every action comes from the command table: an action with no row is our bug.
    const [service, operation] = n.action.split(':') as [PermissionService, string];
    const dependentOnly = DEPENDENT_ONLY_ACTIONS[n.action];
    const row = dependentOnly ? { resource: dependentOnly.resource, dependentActions: [] as string[] } : (permissionForAction(n.action) ?? permissionOf(service, operation));
    const anyResource = n.resources.length === 1 && n.resources[0] === '*';
    if (row.resource === '*' && !anyResource) throw new Error(`${n.action} takes no resource type: its Resource must be "*"`);
    if (row.resource !== '*' && n.resources.includes('*')) throw new Error(`${n.action} takes a resource type (${row.resource}): name its ARNs, not "*"`);
    // Only ARNs reach a policy or the simulator: never a placeholder such as a Profile not made yet.
    const bad = n.resources.find((r) => r !== '*' && !isArn(r));
    if (bad) throw new Error(`${n.action}: "${bad}" is not an ARN`);
    const directions = n.directions ?? (['forward', 'rollback'] as const);
    out.push({ ...need, directions });
    // What the service checks besides (a zone's VPC is described): on "*" unless the action takes a resource type.
    for (const action of row.dependentActions) {
      add({ account: n.account, action, resources: dependentResources?.[action] ?? ['*'], sid: DEPENDENT_SID[action] ?? 'DependentActions', phase: n.phase, directions });
    }
  };
  const BOTH = ['forward', 'rollback'] as const;
  const FWD = ['forward'] as const;
  const BACK = ['rollback'] as const;
  const accounts = Object.keys(plan.accounts);

  // ---- Discovery: what `plan` reads, and every run before it changes anything (aws/observe.ts).
  for (const a of accounts) {
    // Every account: the plan's VPCs, and the owners of VPCs outside the plan that hold a zone.
    add({ account: a, action: 'ec2:DescribeVpcs', resources: ['*'], sid: 'DiscoverVpcs', phase: 'discover' });
  }
  const vpcAccounts = [...new Set([...vpcs.map((v) => v.account), ...(plan.parkingVpc ? [plan.parkingVpc.account] : [])])];
  for (const a of vpcAccounts) {
    // Which of its VPCs are on a Profile; whether it sees the plan's Profile.
    for (const action of ['route53profiles:ListProfileAssociations', 'route53profiles:GetProfile']) add({ account: a, action, resources: ['*'], sid: 'ReadProfileAssociationsOfPlanVpcs', phase: 'discover' });
  }
  for (const action of ['route53profiles:GetProfile', 'route53profiles:ListProfileResourceAssociations', 'route53profiles:ListTagsForResource']) {
    add({ account: P, action, resources: ['*'], sid: 'ReadProfile', phase: 'discover' });
  }
  for (const z of zones) {
    for (const action of ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ListVPCAssociationAuthorizations', 'route53:ListTagsForResource']) {
      add({ account: zoneOwner(z), action, resources: [arn.zone(z)], sid: 'ReadPlanZones', phase: 'discover' });
    }
  }
  // Endpoints are looked up account by account (the Profile's, the shared-services VPC's, then the
  // rest) until all are found: each account asked before the last owner must be allowed to ask.
  const order = [...new Set([P, S, ...accounts])];
  const lastOwner = Math.max(...plan.endpoints.map((e) => order.indexOf(endpointOwner(e.id))));
  for (const a of order.slice(0, lastOwner + 1)) add({ account: a, action: 'ec2:DescribeVpcEndpoints', resources: ['*'], sid: 'ReadEndpoints', phase: 'discover' });
  for (const a of new Set(plan.endpoints.map((e) => endpointOwner(e.id)))) {
    for (const action of ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeVpcEndpointServices']) add({ account: a, action, resources: ['*'], sid: 'ReadEndpoints', phase: 'discover' });
  }
  // SSM probes: only when the plan probes through SSM, and only in the accounts of those VPCs.
  const ssmVpcs = vpcs.filter((v) => probeWay(plan, v.id).via === 'ssm');
  for (const a of new Set(ssmVpcs.map((v) => v.account))) {
    for (const action of ['ec2:DescribeInstances', 'ssm:DescribeInstanceInformation']) add({ account: a, action, resources: ['*'], sid: 'FindSsmProbeInstances', phase: 'discover' });
  }

  // ---- Prepare's reads (aws/observe-prepare.ts): by `plan`, before every batch of prepare and of
  // its undo, and to settle each of its calls (aws/execute.ts) — discovery's.
  const prepare = hasPrepare(plan);
  const share = shareOf(plan);
  const others = profileAccounts(plan);
  const shareArn = arn.anyShare(region, idOf(P));
  if (prepare) {
    // The Profile to create is found by its name and tag (GetProfile, ListTagsForResource: ReadProfile above).
    if (plan.profile.create) add({ account: P, action: 'route53profiles:ListProfiles', resources: ['*'], sid: 'ReadProfile', phase: 'discover' });
    // Each other account sees the Profile once shared (the gate of prepare).
    for (const a of others) add({ account: a, action: 'route53profiles:GetProfile', resources: ['*'], sid: 'ReadProfileAssociationsOfPlanVpcs', phase: 'discover' });
    if (share) {
      for (const action of ['ram:GetResourceShares', 'ram:GetResourceShareAssociations']) add({ account: P, action, resources: ['*'], sid: 'ReadProfileShare', phase: 'discover' });
      for (const a of others) add({ account: a, action: 'ram:GetResourceShareInvitations', resources: ['*'], sid: 'ReadProfileShareInvitations', phase: 'discover' });
      // Read when the sharing depends on the organization: sharing with it or its units, a share closed
      // to outside accounts — or a share the plan names, which may exist already, closed.
      if (share.with !== 'accounts' || !share.allowExternalPrincipals || plan.profile.share?.name) {
        for (const a of [P, ...others]) add({ account: a, action: 'organizations:DescribeOrganization', resources: ['*'], sid: 'ReadOrganizationOfPlanAccounts', phase: 'discover' });
      }
    }
  }

  // ---- Every run: its mark on the estate (aws/estate-mark.ts), change status, SSM probes.
  for (const action of ['route53profiles:TagResource', 'route53profiles:UntagResource']) add({ account: P, action, resources: [profileArn], sid: 'MarkProfileWithTheRun', phase: 'run' });
  for (const z of zones) add({ account: zoneOwner(z), action: 'route53:ChangeTagsForResource', resources: [arn.zone(z)], sid: 'MarkZonesWithTheRun', phase: 'run' });
  for (const a of new Set(ssmVpcs.map((v) => v.account))) {
    const named = ssmVpcs.filter((v) => v.account === a).map((v) => (probeWay(plan, v.id) as { via: 'ssm'; instance: string }).instance);
    // A discovered instance is known only at run time: then any instance of the account and region.
    const instances = named.includes('discover') ? [arn.instance(region, idOf(a), '*')] : [...new Set(named)].map((i) => arn.instance(region, idOf(a), i));
    const resources = [arn.shellDocument(region), ...instances];
    add({ account: a, action: 'ssm:SendCommand', resources, sid: 'SendDnsProbesThroughSsm', phase: 'run' });
    for (const action of ['ssm:ListCommandInvocations', 'ssm:GetCommandInvocation', 'ssm:CancelCommand']) add({ account: a, action, resources: ['*'], sid: 'ReadDnsProbeResults', phase: 'run' });
  }

  // Helpers for zone work.
  const zoneRes = (z: string, dir: 'forward' | 'rollback') => (dir === 'rollback' && recreate ? arn.anyZone : arn.zone(z));
  const changeStatus = (account: string, directions: readonly Direction[]) => add({ account, action: 'route53:GetChange', resources: [arn.anyChange], sid: 'ReadChangeStatus', phase: 'run', directions });
  /** Associating a VPC with a zone (steps/zone-association.ts): another account's VPC needs the owner's authorization first. */
  const associateZone = (z: string, vpcId: string, dir: Direction, sidSuffix = '') => {
    const owner = zoneOwner(z);
    const by = accountOfVpc.get(vpcId) ?? owner;
    const ctx = ctxVpc(vpcId, region);
    const zr = zoneRes(z, dir);
    const d = [dir] as const;
    if (!sameAccount(by, owner)) {
      for (const action of ['route53:CreateVPCAssociationAuthorization', 'route53:DeleteVPCAssociationAuthorization']) {
        add({ account: owner, action, resources: [zr], context: ctx, sid: `AuthorizeOtherAccountVpcsOnZones${sidSuffix}`, phase: 'run', directions: d });
      }
    }
    const account = sameAccount(by, owner) ? owner : by;
    add({ account, action: 'route53:AssociateVPCWithHostedZone', resources: [zr], context: ctx, sid: `AssociatePlanVpcsWithZones${sidSuffix}`, phase: 'run', directions: d });
    // The association is verified by listing the VPC's zones (another account's zone may be unreadable).
    add({ account, action: 'route53:ListHostedZonesByVPC', resources: ['*'], context: ctx, sid: `ListZonesOfPlanVpcs${sidSuffix}`, phase: 'run', directions: d });
    changeStatus(account, d);
  };
  const disassociateZone = (z: string, vpcId: string, dir: Direction) => {
    add({ account: zoneOwner(z), action: 'route53:DisassociateVPCFromHostedZone', resources: [zoneRes(z, dir)], context: ctxVpc(vpcId, region), sid: 'DisassociatePlanVpcsFromZones', phase: 'run', directions: [dir] });
    changeStatus(zoneOwner(z), [dir]);
  };
  const profileResource = (action: string, type: 'HostedZone' | 'VPCEndpoint', resourceArn: string, sid: string, directions: readonly Direction[]) =>
    add({ account: P, action, resources: ['*'], context: { 'route53profiles:ResourceTypes': type, 'route53profiles:ResourceArns': resourceArn }, sid, phase: 'run', directions });
  const profileVpc = (action: string, vpcId: string, sid: string, directions: readonly Direction[]) =>
    add({ account: accountOfVpc.get(vpcId)!, action, resources: ['*'], context: { 'route53profiles:ResourceIds': vpcId }, sid, phase: 'run', directions });

  if (forward && prepare) {
    // Prepare (steps/prepare.ts prepareActions): the share first (it may be made empty), then the
    // Profile, then both put together; each other account accepts its invitation.
    if (share) {
      for (const action of ['ram:CreateResourceShare', 'ram:AssociateResourceShare']) {
        add({ account: P, action, resources: [shareArn], sid: 'ShareProfileWithPlanAccounts', phase: 'run', directions: FWD, dependentResources: { 'ram:TagResource': [shareArn] } });
      }
      for (const a of others) add({ account: a, action: 'ram:AcceptResourceShareInvitation', resources: [arn.invitationsFrom(region, idOf(P))], sid: 'AcceptProfileShareInvitation', phase: 'run', directions: FWD });
    }
    // Made with its tag (the plan's name): TagResource on the Profile it makes.
    if (profileToCreate(plan)) {
      add({ account: P, action: 'route53profiles:CreateProfile', resources: ['*'], sid: 'CreateProfile', phase: 'run', directions: FWD, dependentResources: { 'route53profiles:TagResource': [arn.anyProfile(region, idOf(P))] } });
    }
  }

  if (forward) {
    // Step 1.
    for (const path of paths) {
      if (path === 'A') {
        for (const v of vpcs) profileVpc('route53profiles:AssociateProfile', v.id, 'AssociatePlanVpcsWithProfile', FWD);
        for (const z of zones) profileResource('route53profiles:AssociateResourceToProfile', 'HostedZone', arn.zone(z), 'AddZonesToProfile', FWD);
        // resume clears a FAILED Profile association this run made, so step 1 can make it again (machines/repair.ts).
        for (const v of vpcs) profileVpc('route53profiles:DisassociateProfile', v.id, 'ClearFailedProfileAssociations', FWD);
      } else {
        for (const z of zones) for (const s of spokes) associateZone(z, s, 'forward');
      }
    }
    if (plan.parkingVpc) for (const z of zones) associateZone(z, plan.parkingVpc.id, 'forward');
    // Step 2: the shared-services VPC lets go of the zones.
    for (const z of zones) disassociateZone(z, plan.sharedServicesVpc.id, 'forward');
    // Step 3: Private DNS on.
    for (const e of plan.endpoints) add({ account: endpointOwner(e.id), action: 'ec2:ModifyVpcEndpoint', resources: [endpointArn(e.id)], sid: 'SetPrivateDnsOfPlanEndpoints', phase: 'run', directions: FWD });
    // Step 4: the zones leave the Profile.
    for (const z of zones) profileResource('route53profiles:DisassociateResourceFromProfile', 'HostedZone', arn.zone(z), 'RemoveZonesFromProfile', FWD);
    // Step 5: the endpoints join it; resume clears a FAILED one (machines/repair.ts).
    for (const e of plan.endpoints) {
      profileResource('route53profiles:AssociateResourceToProfile', 'VPCEndpoint', endpointArn(e.id), 'AddEndpointsToProfile', FWD);
      profileResource('route53profiles:DisassociateResourceFromProfile', 'VPCEndpoint', endpointArn(e.id), 'ClearFailedEndpointAssociations', FWD);
    }
    // Step 6: the spokes let go, wave by wave.
    for (const z of zones) for (const s of moving) disassociateZone(z, s, 'forward');
    // Step 7: backed up (reads above), emptied, deleted; put back if the run stops in between (machines/compensate.ts).
    for (const z of zones) {
      for (const action of ['route53:ChangeResourceRecordSets', 'route53:DeleteHostedZone']) add({ account: zoneOwner(z), action, resources: [arn.zone(z)], sid: 'EmptyAndDeletePlanZones', phase: 'run', directions: FWD });
      changeStatus(zoneOwner(z), FWD);
    }
  }

  if (rollback) {
    // Undo 7: deleted zones made anew from their backups, with the last holder only, and filled;
    // an existing zone gets the records it is missing (aws/restore.ts, machines/rollback-prep.ts).
    for (const z of allZones) {
      const owner = zoneOwner(z);
      add({ account: owner, action: 'route53:ListHostedZonesByName', resources: ['*'], sid: 'FindRecreatedZones', phase: 'run', directions: BACK });
      if (recreate) add({ account: owner, action: 'route53:CreateHostedZone', resources: ['*'], context: ctxVpc(holder, region), sid: 'RecreateDeletedZones', phase: 'run', directions: BACK });
      const zr = zoneRes(z, 'rollback');
      for (const action of ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ListVPCAssociationAuthorizations', 'route53:ListTagsForResource']) {
        add({ account: owner, action, resources: [zr], sid: 'ReadRecreatedZones', phase: 'run', directions: BACK });
      }
      // Its tags back (Route 53 has no condition key to narrow this by), its records back: CREATE only.
      add({ account: owner, action: 'route53:ChangeTagsForResource', resources: [zr], sid: 'TagRecreatedZones', phase: 'run', directions: BACK });
      add({ account: owner, action: 'route53:ChangeResourceRecordSets', resources: [zr], context: { 'route53:ChangeResourceRecordSetsActions': 'CREATE' }, sid: 'RefillZonesFromBackups', phase: 'run', directions: BACK });
      changeStatus(owner, BACK);
      associateZone(z, holder, 'rollback');
    }
    // Undo 6: the spokes take the zones back.
    for (const z of allZones) for (const s of moving) associateZone(z, s, 'rollback');
    // Undo 5: the endpoints leave the Profile. Undo 4: the zones rejoin it.
    for (const e of plan.endpoints) profileResource('route53profiles:DisassociateResourceFromProfile', 'VPCEndpoint', endpointArn(e.id), 'RemoveEndpointsFromProfile', BACK);
    for (const z of allZones) profileResource('route53profiles:AssociateResourceToProfile', 'HostedZone', zoneRes(z, 'rollback'), 'ReturnZonesToProfile', BACK);
    // Undo 3: Private DNS off.
    for (const e of plan.endpoints) add({ account: endpointOwner(e.id), action: 'ec2:ModifyVpcEndpoint', resources: [endpointArn(e.id)], sid: 'SetPrivateDnsOfPlanEndpoints', phase: 'run', directions: BACK });
    // Undo 2: the shared-services VPC takes the zones back.
    for (const z of allZones) associateZone(z, plan.sharedServicesVpc.id, 'rollback');
    // Undo 1.
    if (plan.parkingVpc) for (const z of allZones) disassociateZone(z, plan.parkingVpc.id, 'rollback');
    for (const path of paths) {
      if (path === 'A') {
        for (const z of allZones) profileResource('route53profiles:DisassociateResourceFromProfile', 'HostedZone', zoneRes(z, 'rollback'), 'RemoveZonesFromProfile', BACK);
        for (const v of vpcs) profileVpc('route53profiles:DisassociateProfile', v.id, 'DisassociatePlanVpcsFromProfile', BACK);
      } else {
        for (const z of allZones) for (const s of spokes) disassociateZone(z, s, 'rollback');
      }
    }
    // restore-zone: a deleted zone re-created with the VPCs it had at the start (any of the plan's),
    // created with one of its owner's, after a look at what each VPC already resolves (aws/restore.ts).
    if (recreate && !o.rollbackOnly) {
      for (const v of [...vpcs.map((x) => x.id), ...(plan.parkingVpc ? [plan.parkingVpc.id] : [])]) {
        const by = accountOfVpc.get(v)!;
        add({ account: by, action: 'route53:ListHostedZonesByVPC', resources: ['*'], context: ctxVpc(v, region), sid: 'RestoreZoneListZonesOfPlanVpcs', phase: 'run', directions: BACK });
        for (const action of ['ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcEndpointServices']) add({ account: by, action, resources: ['*'], sid: 'RestoreZoneReadEndpoints', phase: 'run', directions: BACK });
        for (const z of allZones) {
          if (sameAccount(by, zoneOwner(z))) add({ account: zoneOwner(z), action: 'route53:CreateHostedZone', resources: ['*'], context: ctxVpc(v, region), sid: 'RestoreZoneCreateWithOwnVpcs', phase: 'run', directions: BACK });
          associateZone(z, v, 'rollback', 'RestoreZone');
        }
      }
    }
  }
  if (rollback && prepare) {
    // Undo prepare (steps/prepare.ts prepareUndo), last: the share prepare made is deleted, or what
    // it added to the operator's share removed; then the Profile it made.
    if (share) for (const action of ['ram:DisassociateResourceShare', 'ram:DeleteResourceShare']) add({ account: P, action, resources: [shareArn], sid: 'TakeBackProfileShare', phase: 'run', directions: BACK });
    if (plan.profile.create) add({ account: P, action: 'route53profiles:DeleteProfile', resources: ['*'], sid: 'DeletePreparedProfile', phase: 'run', directions: BACK });
  }
  if (plan.state?.account) {
    // The run's state in S3 (state/s3-store.ts): the checkpoint, its .prev and its lock, and the
    // files kept beside it (zone backups, the report), all under the state key's folder; a
    // conditional PutObject (If-Match) is authorized as s3:PutObject and s3:GetObject.
    const { bucket, key } = parseS3Location(plan.state.location);
    const folder = key.includes('/') ? key.slice(0, key.lastIndexOf('/') + 1) : '';
    for (const action of ['s3:GetObject', 's3:PutObject', 's3:DeleteObject']) add({ account: plan.state.account, action, resources: [arn.objects(bucket, folder)], sid: 'KeepRunStateInS3', phase: 'run' });
    add({ account: plan.state.account, action: 's3:ListBucket', resources: [arn.bucket(bucket)], sid: 'KeepRunStateInS3', phase: 'run' });
  }
  return dedupe(out).filter((n) => (rollback && n.directions.includes('rollback')) || (forward && n.directions.includes('forward')));
}

/** Globs compiled once: a plan of 300 VPCs compares thousands of needs. */
const globs = new Map<string, RegExp>();
/** A pattern's glob: `*` any run of characters (IAM's, for ARNs and StringLike alike). */
function globCovers(pattern: string, value: string): boolean {
  if (pattern === value) return true;
  if (!pattern.includes('*')) return false;
  let re = globs.get(pattern);
  if (!re) globs.set(pattern, (re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)));
  return re.test(value);
}

/** Needs that could cover one another: same account, action and condition keys. */
const coverGroup = (n: Need) => JSON.stringify([n.account, n.action, Object.keys(n.context ?? {}).sort()]);

/** Whether `m` allows every request `n` stands for (both of one coverGroup): wider or equal values. */
function covers(m: Need, n: Need): boolean {
  for (const k of Object.keys(m.context ?? {})) if (!globCovers(m.context![k]!, n.context![k]!)) return false;
  return n.resources.every((r) => m.resources.some((w) => w === '*' || globCovers(w, r)));
}

/** One need per (account, action, resources, context): the first one's statement keeps it (forward before rollback). */
function dedupe(needs: Need[]): Need[] {
  const merge = (into: Need, n: Need): Need => ({
    ...into,
    directions: [...new Set([...into.directions, ...n.directions])],
    // Checked before the first observation if either is.
    phase: into.phase === 'discover' || n.phase === 'discover' ? 'discover' : 'run',
  });
  const seen = new Map<string, Need>();
  for (const n of needs) {
    const key = needKey(n);
    const had = seen.get(key);
    seen.set(key, had ? merge(had, n) : n);
  }
  // A request a wider one allows (a rollback's any-zone over a plan zone) is that one's: no
  // statement the policy does not need. Slots keep the list's order; only needs of one group compare.
  const slots: (Need | undefined)[] = [...seen.values()];
  // Candidates for covering a need: the group's needs with a glob anywhere (few), and those with
  // exactly its context (a need without a glob covers only what it names).
  const globbed = new Map<string, number[]>();
  const plain = new Map<string, number[]>();
  const into = (m: Map<string, number[]>, k: string, i: number) => {
    const members = m.get(k);
    if (members) members.push(i);
    else m.set(k, [i]);
  };
  const exact = (n: Need) => JSON.stringify([coverGroup(n), Object.entries(n.context ?? {}).sort()]);
  slots.forEach((n, i) => {
    const hasGlob = n!.resources.some((r) => r.includes('*')) || Object.values(n!.context ?? {}).some((v) => v.includes('*'));
    if (hasGlob) into(globbed, coverGroup(n!), i);
    else into(plain, exact(n!), i);
  });
  for (let i = 0; i < slots.length; i++) {
    const n = slots[i];
    if (!n) continue;
    const candidates = [...(globbed.get(coverGroup(n)) ?? []), ...(plain.get(exact(n)) ?? [])].sort((a, b) => a - b);
    const wider = candidates.find((j) => j !== i && slots[j] !== undefined && covers(slots[j]!, n));
    if (wider === undefined) continue;
    slots[wider] = merge(slots[wider]!, n);
    slots[i] = undefined;
  }
  return slots.filter((n): n is Need => n !== undefined);
}

export function needKey(n: Pick<Need, 'account' | 'action' | 'resources' | 'context'>): string {
  return JSON.stringify([n.account, n.action, [...n.resources].sort(), Object.entries(n.context ?? {}).sort()]);
}

// ---------------------------------------------------------------------------------------------
// Policy documents

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/**
 * Keys whose request value is a list, compared as a set: every value of the request must be one
 * the policy allows (ForAllValues). route53:VPCs is one too, but each request names one VPC and
 * the Route 53 DG's own examples use a plain operator on it.
 */
export const SET_KEYS = new Set(['route53:ChangeResourceRecordSetsActions']);

/** The condition operator for a key's values: ARNs compare as ARNs; a wildcard needs a *Like. */
function operatorFor(key: string, values: string[]): string {
  const wild = values.some((v) => v.includes('*'));
  if (key === 'route53profiles:ResourceArns') return wild ? 'ArnLike' : 'ArnEquals';
  const op = wild ? 'StringLike' : 'StringEquals';
  return SET_KEYS.has(key) ? `ForAllValues:${op}` : op;
}

/** Too many values for one policy: the pattern that allows them all (still only this region's VPCs). */
function compress(key: string, values: string[], region: string): string[] {
  if (values.length <= MAX_CONDITION_VALUES) return values;
  if (key === 'route53:VPCs') return [`VPCId=*,VPCRegion=${region.toLowerCase()}`];
  if (key === 'route53profiles:ResourceIds') return ['vpc-*'];
  return values;
}

/** The needs of one account as a policy document: one statement per Sid, actions and resources sorted. */
export function policyDocument(needs: Need[], region: string): PolicyDocument {
  const bySid = new Map<string, Need[]>();
  for (const n of needs) bySid.set(n.sid, [...(bySid.get(n.sid) ?? []), n]);
  const statements: PolicyStatement[] = [];
  for (const [sid, group] of bySid) {
    const keys = new Set(group.flatMap((n) => Object.keys(n.context ?? {})));
    for (const n of group) {
      // A statement's condition applies to each of its actions: mixing needs with and without it would over-grant.
      if (Object.keys(n.context ?? {}).length !== keys.size) throw new Error(`statement ${sid} mixes requests with different condition keys (${n.action})`);
    }
    const resources = [...new Set(group.flatMap((n) => n.resources))].sort();
    const statement: PolicyStatement = {
      Sid: sid,
      Effect: 'Allow',
      Action: [...new Set(group.map((n) => n.action))].sort(),
      // A wildcard ARN covers the single ones it matches.
      Resource: resources.includes('*') ? ['*'] : resources.filter((r) => !resources.some((w) => w !== r && w.endsWith('/*') && r.startsWith(w.slice(0, -1)))),
    };
    if (keys.size) {
      const condition: Record<string, Record<string, string[]>> = {};
      for (const key of [...keys].sort()) {
        const all = [...new Set(group.map((n) => n.context![key]!))];
        // A wildcard value covers the single ones it matches.
        const values = compress(key, all.filter((v) => !all.some((w) => w !== v && globCovers(w, v))).sort(), region);
        const op = operatorFor(key, values);
        condition[op] = { ...condition[op], [key]: values };
      }
      statement.Condition = condition;
    }
    statements.push(statement);
  }
  return { Version: '2012-10-17', Statement: statements };
}

export interface AccountPolicy {
  accountId: string | null;
  policy: PolicyDocument;
}

/**
 * Per plan account, its policy: `{ accounts: { <name>: { accountId, policy } } }` is what
 * `r53migrate iam-policy --json` prints and `sandbox up --iam-policies FILE` reads.
 */
export function planPolicies(plan: Plan, o: PolicyOptions = {}): { accounts: Record<string, AccountPolicy> } {
  const needs = planNeeds(plan, o);
  const accounts: Record<string, AccountPolicy> = {};
  for (const name of Object.keys(plan.accounts)) {
    const accountId = o.accountIds?.[name] ?? plan.accounts[name]?.accountId ?? null;
    const policy = policyDocument(needs.filter((n) => n.account === name), plan.region);
    policy.Statement.push(simulatorStatement(plan, name, accountId));
    accounts[name] = { accountId, policy };
  }
  return { accounts };
}

/** The Sid of the one statement a run can do without: the pre-flight's own simulator call. */
export const SIMULATOR_SID = 'CheckOwnPermissionsBeforeRunning';

/**
 * The pre-flight asks IAM's policy simulator about the identity's own policies (permission-check.ts).
 * Without this statement the run still goes on, having warned that nothing was checked: a
 * missing permission then stops it where it is first needed (exit 1, resume once added).
 */
function simulatorStatement(plan: Plan, account: string, accountId: string | null): PolicyStatement {
  const role = plan.accounts[account]?.assumeRole?.roleArn;
  const id = accountId ?? '*';
  return { Sid: SIMULATOR_SID, Effect: 'Allow', Action: ['iam:SimulatePrincipalPolicy'], Resource: role ? [role] : [`arn:aws:iam::${id}:role/*`, `arn:aws:iam::${id}:user/*`] };
}

/** IAM counts a managed policy's size without whitespace (6,144 characters at most; an inline role policy 10,240). */
export function policySize(doc: PolicyDocument): number {
  return JSON.stringify(doc).length;
}
