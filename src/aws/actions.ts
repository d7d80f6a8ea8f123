// Actions: the operations a step asks for, as JSON data. Each maps to exactly one AWS call (or
// one local write), can describe itself in one line, and can be applied to a World copy so a dry
// run can carry the world forward through all seven steps.
import { planAccountOf, type ObservedRecord, type World } from './world.js';

interface Base {
  /** Deterministic: the same world and plan give the same ids (dry runs compare equal). */
  id: string;
  step: number;
  /** Plan account the call is made as. */
  account: string;
}

export type Action =
  | (Base & { kind: 'associate-profile'; profileId: string; vpcId: string; name: string })
  | (Base & { kind: 'disassociate-profile'; profileId: string; vpcId: string })
  | (Base & { kind: 'associate-resource'; profileId: string; resourceArn: string; resource: string; name: string })
  | (Base & { kind: 'disassociate-resource'; profileId: string; resourceArn: string; resource: string })
  | (Base & { kind: 'authorize-vpc'; zoneId: string; vpcId: string; region: string })
  | (Base & { kind: 'associate-vpc'; zoneId: string; vpcId: string; region: string })
  | (Base & { kind: 'deauthorize-vpc'; zoneId: string; vpcId: string; region: string })
  | (Base & { kind: 'disassociate-vpc'; zoneId: string; vpcId: string; region: string })
  | (Base & { kind: 'set-private-dns'; endpointId: string; enabled: boolean })
  | (Base & { kind: 'backup-zone'; zoneId: string })
  | (Base & { kind: 'delete-records'; zoneId: string; records: ObservedRecord[] })
  | (Base & { kind: 'delete-zone'; zoneId: string })
  /** Rollback: a deleted zone made anew from its verified backup, with one VPC (the parking VPC, or the keeper). */
  | (Base & { kind: 'recreate-zone'; zoneId: string; zoneName: string; comment: string; ownerAccountId: string; callerReference: string; vpcId: string; region: string; backupFile: string })
  /** Rollback: the backup's records put back into the zone (only those missing), before any other VPC sees it. */
  | (Base & { kind: 'restore-records'; zoneId: string; backupFile: string; records: ObservedRecord[] })
  // Prepare (before step 1) and its undo: the Profile and its RAM resource share.
  /** A share in the Profile's account; refused principals (org sharing off, external accounts) fail here, before the Profile exists. */
  | (Base & { kind: 'create-share'; shareName: string; principals: string[]; resourceArns: string[]; allowExternalPrincipals: boolean; clientToken: string; planName: string })
  | (Base & { kind: 'create-profile'; profileName: string; clientToken: string; planName: string })
  | (Base & { kind: 'share-associate'; shareArn: string; shareName: string; principals: string[]; resourceArns: string[] })
  | (Base & { kind: 'accept-invitation'; invitationArn: string; shareArn: string; shareName: string })
  | (Base & { kind: 'share-disassociate'; shareArn: string; shareName: string; principals: string[]; resourceArns: string[] })
  | (Base & { kind: 'delete-share'; shareArn: string; shareName: string })
  | (Base & { kind: 'delete-profile'; profileId: string; profileName: string });

export type ActionKind = Action['kind'];

type Without<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** What an action acts on, in its id and messages. */
export function actionTarget(a: Without<Action, 'id' | 'step'>): string {
  if ('vpcId' in a && 'zoneId' in a) return `${a.zoneId}/${a.vpcId}`;
  if ('resource' in a) return a.resource;
  if ('vpcId' in a) return a.vpcId;
  if ('zoneId' in a) return a.zoneId;
  if ('endpointId' in a) return a.endpointId;
  if (a.kind === 'create-profile') return a.profileName;
  if (a.kind === 'delete-profile') return a.profileId;
  // One invitation per account: the account names it.
  if (a.kind === 'accept-invitation') return `${a.shareName}/${a.account}`;
  return a.shareName;
}

/** Builds an action with its deterministic id. */
export function action(step: number, a: Without<Action, 'id' | 'step'>): Action {
  return { ...a, step, id: `${step}:${a.kind}:${actionTarget(a)}` } as Action;
}

export interface ApiCall {
  service: 'route53' | 'ec2' | 'route53profiles' | 'ram';
  operation: string;
  params: Record<string, unknown>;
}

/** The AWS call an action makes, exactly as `plan` prints it and the executor sends it. */
export function apiCall(a: Action): ApiCall | undefined {
  const vpc = (x: { vpcId: string; region: string }) => ({ VPCId: x.vpcId, VPCRegion: x.region });
  switch (a.kind) {
    case 'associate-profile':
      return { service: 'route53profiles', operation: 'AssociateProfile', params: { ProfileId: a.profileId, ResourceId: a.vpcId, Name: a.name } };
    case 'disassociate-profile':
      return { service: 'route53profiles', operation: 'DisassociateProfile', params: { ProfileId: a.profileId, ResourceId: a.vpcId } };
    case 'associate-resource':
      return { service: 'route53profiles', operation: 'AssociateResourceToProfile', params: { ProfileId: a.profileId, ResourceArn: a.resourceArn, Name: a.name } };
    case 'disassociate-resource':
      return { service: 'route53profiles', operation: 'DisassociateResourceFromProfile', params: { ProfileId: a.profileId, ResourceArn: a.resourceArn } };
    case 'authorize-vpc':
      return { service: 'route53', operation: 'CreateVPCAssociationAuthorization', params: { HostedZoneId: a.zoneId, VPC: vpc(a) } };
    case 'associate-vpc':
      return { service: 'route53', operation: 'AssociateVPCWithHostedZone', params: { HostedZoneId: a.zoneId, VPC: vpc(a) } };
    case 'deauthorize-vpc':
      return { service: 'route53', operation: 'DeleteVPCAssociationAuthorization', params: { HostedZoneId: a.zoneId, VPC: vpc(a) } };
    case 'disassociate-vpc':
      return { service: 'route53', operation: 'DisassociateVPCFromHostedZone', params: { HostedZoneId: a.zoneId, VPC: vpc(a) } };
    case 'set-private-dns':
      return { service: 'ec2', operation: 'ModifyVpcEndpoint', params: { VpcEndpointId: a.endpointId, PrivateDnsEnabled: a.enabled } };
    case 'backup-zone':
      return undefined;
    case 'delete-records':
      return {
        service: 'route53',
        operation: 'ChangeResourceRecordSets',
        params: {
          HostedZoneId: a.zoneId,
          ChangeBatch: { Comment: 'r53migrate: empty the zone before deleting it (backed up)', Changes: a.records.map((r) => ({ Action: 'DELETE', ResourceRecordSet: toSdkRecord(r) })) },
        },
      };
    case 'delete-zone':
      return { service: 'route53', operation: 'DeleteHostedZone', params: { Id: a.zoneId } };
    case 'recreate-zone':
      return {
        service: 'route53',
        operation: 'CreateHostedZone',
        params: { Name: a.zoneName, CallerReference: a.callerReference, HostedZoneConfig: { Comment: a.comment || undefined, PrivateZone: true }, VPC: vpc(a) },
      };
    case 'restore-records':
      return {
        service: 'route53',
        operation: 'ChangeResourceRecordSets',
        params: {
          HostedZoneId: a.zoneId,
          ChangeBatch: { Comment: `r53migrate rollback: the records of the backup ${a.backupFile}`, Changes: a.records.map((r) => ({ Action: 'CREATE', ResourceRecordSet: toSdkRecord(r) })) },
        },
      };
    case 'create-share':
      return {
        service: 'ram',
        operation: 'CreateResourceShare',
        params: {
          name: a.shareName,
          ...(a.resourceArns.length ? { resourceArns: a.resourceArns } : {}),
          ...(a.principals.length ? { principals: a.principals } : {}),
          allowExternalPrincipals: a.allowExternalPrincipals,
          clientToken: a.clientToken,
          tags: [{ key: PREPARED_BY_TAG, value: a.planName }],
        },
      };
    case 'create-profile':
      return { service: 'route53profiles', operation: 'CreateProfile', params: { Name: a.profileName, ClientToken: a.clientToken, Tags: [{ Key: PREPARED_BY_TAG, Value: a.planName }] } };
    case 'share-associate':
    case 'share-disassociate':
      return {
        service: 'ram',
        operation: a.kind === 'share-associate' ? 'AssociateResourceShare' : 'DisassociateResourceShare',
        params: { resourceShareArn: a.shareArn, ...(a.resourceArns.length ? { resourceArns: a.resourceArns } : {}), ...(a.principals.length ? { principals: a.principals } : {}) },
      };
    case 'accept-invitation':
      return { service: 'ram', operation: 'AcceptResourceShareInvitation', params: { resourceShareInvitationArn: a.invitationArn } };
    case 'delete-share':
      return { service: 'ram', operation: 'DeleteResourceShare', params: { resourceShareArn: a.shareArn } };
    case 'delete-profile':
      return { service: 'route53profiles', operation: 'DeleteProfile', params: { ProfileId: a.profileId } };
  }
}

const PREPARE_KINDS = new Set<ActionKind>(['create-share', 'create-profile', 'share-associate', 'accept-invitation', 'share-disassociate', 'delete-share', 'delete-profile']);
type PrepareAction = Extract<Action, { kind: 'create-share' | 'create-profile' | 'share-associate' | 'accept-invitation' | 'share-disassociate' | 'delete-share' | 'delete-profile' }>;

/** Prepare's actions (and their undo): the Profile and its RAM share, before step 1. */
export const isPrepareAction = (a: Action): a is PrepareAction => PREPARE_KINDS.has(a.kind);

/** The tag r53migrate puts on what prepare creates (the plan's name): a later run and a rollback know them by it. */
export const PREPARED_BY_TAG = 'r53migrate:prepared-by';

/** A record as Route 53's API takes it (a DELETE must match the live record exactly). */
export function toSdkRecord(r: ObservedRecord): Record<string, unknown> {
  return {
    Name: r.name,
    Type: r.type,
    ...(r.ttl !== undefined ? { TTL: r.ttl } : {}),
    ...(r.values ? { ResourceRecords: r.values.map((Value) => ({ Value })) } : {}),
    ...(r.alias ? { AliasTarget: { HostedZoneId: r.alias.hostedZoneId, DNSName: r.alias.dnsName, EvaluateTargetHealth: r.alias.evaluateTargetHealth } } : {}),
    ...r.extra,
  };
}

/** One line a person reads. */
export function describeAction(a: Action): string {
  switch (a.kind) {
    case 'associate-profile':
      return `associate ${a.vpcId} with Profile ${a.profileId}`;
    case 'disassociate-profile':
      return `disassociate ${a.vpcId} from Profile ${a.profileId}`;
    case 'associate-resource':
      return `add ${a.resource} to Profile ${a.profileId}`;
    case 'disassociate-resource':
      return `remove ${a.resource} from Profile ${a.profileId}`;
    case 'authorize-vpc':
      return `authorize ${a.vpcId} (another account) to associate with zone ${a.zoneId}`;
    case 'associate-vpc':
      return `associate ${a.vpcId} with zone ${a.zoneId}`;
    case 'deauthorize-vpc':
      return `delete the association authorization of ${a.vpcId} on zone ${a.zoneId}`;
    case 'disassociate-vpc':
      return `disassociate ${a.vpcId} from zone ${a.zoneId}`;
    case 'set-private-dns':
      return `${a.enabled ? 'enable' : 'disable'} Private DNS on ${a.endpointId}`;
    case 'backup-zone':
      return `back up every record of zone ${a.zoneId} (JSON + BIND), read it back and compare with the live zone`;
    case 'delete-records':
      return `delete ${a.records.length} record set(s) of zone ${a.zoneId} (all but the apex SOA and NS)`;
    case 'delete-zone':
      return `delete zone ${a.zoneId}`;
    case 'recreate-zone':
      return `re-create zone ${a.zoneName} (was ${a.zoneId}) from its backup, associated with ${a.vpcId} only (a new zone id)`;
    case 'restore-records':
      return `put back ${a.records.length} record set(s) of zone ${a.zoneId} from its backup (those missing)`;
    case 'create-share':
      return `create RAM resource share ${a.shareName}${a.principals.length ? ` with ${a.principals.join(', ')}` : ''}${a.resourceArns.length ? ` holding ${a.resourceArns.join(', ')}` : ' (the Profile is added once it exists)'}${a.allowExternalPrincipals ? '' : ', no external principals'}`;
    case 'create-profile':
      return `create Route 53 Profile ${a.profileName} (client token ${a.clientToken})`;
    case 'share-associate':
      return `add ${[...a.resourceArns, ...a.principals].join(', ')} to RAM resource share ${a.shareName}`;
    case 'accept-invitation':
      return `accept the invitation to RAM resource share ${a.shareName} as ${a.account}`;
    case 'share-disassociate':
      return `remove ${[...a.resourceArns, ...a.principals].join(', ')} from RAM resource share ${a.shareName}`;
    case 'delete-share':
      return `delete RAM resource share ${a.shareName}`;
    case 'delete-profile':
      return `delete Route 53 Profile ${a.profileName} (${a.profileId})`;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };

/** The world as it would be once the actions succeed and settle (for dry runs). Pure. */
export function simulate(world: World, actions: Action[]): World {
  const w = structuredClone(world) as Mutable<World>;
  for (const a of actions) {
    switch (a.kind) {
      case 'associate-profile': {
        const v = w.vpcs[a.vpcId];
        if (v) v.profileAssociation = { id: `(new:${a.vpcId})`, profileId: a.profileId, name: a.name, status: 'COMPLETE' };
        break;
      }
      case 'disassociate-profile': {
        const v = w.vpcs[a.vpcId];
        if (v) delete v.profileAssociation;
        break;
      }
      case 'associate-resource':
        w.profile?.resources.push({ id: `(new:${a.resource})`, name: a.name, resourceArn: a.resourceArn, resourceType: a.resourceArn.includes(':vpc-endpoint/') ? 'VPC_ENDPOINT' : 'PRIVATE_HOSTED_ZONE', status: 'COMPLETE' });
        break;
      case 'disassociate-resource':
        if (w.profile) w.profile.resources = w.profile.resources.filter((r) => r.resourceArn !== a.resourceArn);
        break;
      case 'authorize-vpc':
      case 'deauthorize-vpc':
      case 'associate-vpc':
      case 'disassociate-vpc': {
        const z = w.zones[a.zoneId];
        if (!z?.exists) break;
        const list = a.kind === 'authorize-vpc' || a.kind === 'deauthorize-vpc' ? z.authorizations : z.vpcs;
        const next = list.filter((v) => v.vpcId !== a.vpcId);
        if (a.kind === 'authorize-vpc' || a.kind === 'associate-vpc') next.push({ vpcId: a.vpcId, region: a.region });
        if (list === z.authorizations) z.authorizations = next;
        else z.vpcs = next;
        break;
      }
      case 'set-private-dns': {
        const e = w.endpoints[a.endpointId];
        if (e?.exists) {
          e.privateDnsEnabled = a.enabled;
          e.state = 'available';
        }
        break;
      }
      case 'backup-zone':
        break;
      case 'delete-records': {
        const z = w.zones[a.zoneId];
        if (z?.exists) z.records = z.records.filter((r) => !a.records.some((d) => d.name === r.name && d.type === r.type));
        break;
      }
      case 'delete-zone':
        w.zones[a.zoneId] = { id: a.zoneId, exists: false };
        break;
      // A dry run keeps the plan's id for the new zone: its real id is known once it exists.
      case 'recreate-zone': {
        const account = planAccountOf(w, a.ownerAccountId) ?? a.account;
        w.zones[a.zoneId] = { id: a.zoneId, exists: true, name: a.zoneName, account, accountId: a.ownerAccountId, privateZone: true, vpcs: [{ vpcId: a.vpcId, region: a.region }], records: [], authorizations: [] };
        break;
      }
      // (Prepare's actions change what a PrepareWorld holds: steps/prepare.ts simulatePrepare.)
      case 'restore-records': {
        const z = w.zones[a.zoneId];
        if (z?.exists) z.records = [...z.records.filter((r) => !a.records.some((x) => x.name === r.name && x.type === r.type)), ...(structuredClone(a.records) as Mutable<ObservedRecord>[])];
        break;
      }
    }
  }
  return w as World;
}


/**
 * What an action must wait for inside a batch: actions on the same zone go one after another
 * (Route 53 refuses a change on a zone while another is in progress, PriorRequestNotComplete, and
 * a zone's backup must precede its emptying), as do associations on one Profile's resource list;
 * a VPC's Profile association and an endpoint's setting are independent of everything else.
 */
function orderKey(a: Action): string {
  switch (a.kind) {
    case 'associate-profile':
    case 'disassociate-profile':
      return `vpc:${a.vpcId}`;
    case 'associate-resource':
    case 'disassociate-resource':
      return `profile:${a.profileId}`;
    case 'set-private-dns':
      return `endpoint:${a.endpointId}`;
    default:
      if (isPrepareAction(a)) return `prepare:${actionTarget(a)}`;
      return `zone:${a.zoneId}`;
  }
}

/** A batch cut into chains: each chain in order, different chains independent of each other. */
export function actionChains(actions: readonly Action[]): Action[][] {
  const chains = new Map<string, Action[]>();
  for (const a of actions) {
    const key = orderKey(a);
    chains.set(key, [...(chains.get(key) ?? []), a]);
  }
  return [...chains.values()];
}

/** Route 53 zone changes: settled once GetChange says INSYNC (nothing else about them moves). */
export const settlesByChange = (a: Action) =>
  a.kind === 'authorize-vpc' || a.kind === 'associate-vpc' || a.kind === 'deauthorize-vpc' || a.kind === 'disassociate-vpc' || a.kind === 'delete-records' || a.kind === 'delete-zone' || a.kind === 'backup-zone' || a.kind === 'restore-records';

/** Profile associations and endpoint settings: settled once the Profile or the endpoint says so. */
export const settlesInProfile = (a: Action) =>
  a.kind === 'associate-profile' || a.kind === 'disassociate-profile' || a.kind === 'associate-resource' || a.kind === 'disassociate-resource' || a.kind === 'set-private-dns';
