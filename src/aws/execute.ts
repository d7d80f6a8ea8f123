// Carries out one step action against AWS. Idempotent: the caller computed the action from a
// fresh observation, and an "already there / already gone" answer (or a failed attempt that may
// have reached AWS) is settled by re-observing that one fact, so a re-run never changes a thing
// twice and never fails on its own earlier success.
import { DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  CreateVPCAssociationAuthorizationCommand,
  DeleteHostedZoneCommand,
  DeleteVPCAssociationAuthorizationCommand,
  DisassociateVPCFromHostedZoneCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  ListVPCAssociationAuthorizationsCommand,
} from '@aws-sdk/client-route-53';
import { actionTarget, apiCall, type Action } from './actions.js';
import type { AwsAccess, MutationResult } from './access.js';
import { backupZone, readBackup, type ZoneBackup } from './backup.js';
import { createZoneFromBackup, refillZone } from './restore.js';
import { AccessDeniedError, AlreadyExistsError, ConflictError, NotFoundError } from './errors.js';
import { allPages, listRecordSets, recordFromSdk } from './observe.js';
import { recordSetKey, type VpcRef } from './world.js';
import {
  AcceptResourceShareInvitationCommand,
  AssociateResourceShareCommand,
  CreateResourceShareCommand,
  DeleteResourceShareCommand,
  DisassociateResourceShareCommand,
  GetResourceShareAssociationsCommand,
  GetResourceShareInvitationsCommand,
  GetResourceSharesCommand,
} from '@aws-sdk/client-ram';
import { profilesNamed, readProfile, shareNamed } from './observe-prepare.js';
import {
  AssociateProfileCommand,
  CreateProfileCommand,
  DeleteProfileCommand,
  AssociateResourceToProfileCommand,
  DisassociateProfileCommand,
  DisassociateResourceFromProfileCommand,
  ListProfileAssociationsCommand,
  ListProfileResourceAssociationsCommand,
} from './route53profiles/index.js';

export interface ExecutionResult {
  status: 'applied' | 'already-done';
  requestId?: string;
  /** A Route 53 change to wait for (INSYNC). */
  changeId?: string;
  attempts: number;
  backup?: ZoneBackup;
  /** Route 53 changes to wait for when there are several (a zone refilled in more than one batch). */
  changeIds?: string[];
  /** recreate-zone: the id of the zone made anew (the plan's id names the deleted one). */
  createdZoneId?: string;
}

export interface ExecuteOptions {
  signal?: AbortSignal;
  /** Where zone backups are written (beside the state file). */
  backupDir: string;
  /** What a zone backup records besides the records: the run's plan file, the VPCs associated when the run started. */
  backupContext?: { planFile?: string; vpcsAtStart?(zoneId: string): VpcRef[] | undefined };
  /** Step 7 deletes records only of a zone whose backup this run verified. */
  verifiedBackup(zoneId: string): boolean;
  /**
   * Re-observe before acting: set when an earlier attempt of this very action may have reached
   * AWS (its intent is in the journal, e.g. the run was killed mid-call), so it isn't repeated.
   */
  checkFirst?: boolean;
}

export class BackupMissingError extends Error {
  readonly code = 'BACKUP_MISSING';
  constructor(zoneId: string) {
    super(`refusing to delete the records of zone ${zoneId}: no verified backup of it was made in this run (nothing was deleted)`);
    this.name = 'BackupMissingError';
  }
}

type ResultMeta = { $metadata?: { requestId?: string }; ChangeInfo?: { Id?: string } };

const stripChange = (id: string | undefined) => id?.replace(/^\/change\//, '');

/** Re-observes the one fact an action establishes. */
function verifier(access: AwsAccess, a: Action, signal?: AbortSignal): () => Promise<boolean> {
  const read = <C extends object>(service: Parameters<AwsAccess['read']>[1], command: C, account = a.account) => access.read(account, service, command, { signal });
  const zoneVpcs = async (zoneId: string) => {
    try {
      return ((await read('route53', new GetHostedZoneCommand({ Id: zoneId }))).VPCs ?? []).map((v) => v.VPCId);
    } catch (e) {
      if (e instanceof NotFoundError) return [];
      throw e;
    }
  };
  switch (a.kind) {
    case 'associate-profile':
    case 'disassociate-profile':
      return async () => {
        const out = await read('route53profiles', new ListProfileAssociationsCommand({ ResourceId: a.vpcId }));
        const on = (out.ProfileAssociations ?? []).some((x) => x.ProfileId === a.profileId && x.Status !== 'DELETING' && x.Status !== 'FAILED');
        return a.kind === 'associate-profile' ? on : !on;
      };
    case 'associate-resource':
    case 'disassociate-resource':
      return async () => {
        const list = await allPages(async (token) => {
          const out = await read('route53profiles', new ListProfileResourceAssociationsCommand({ ProfileId: a.profileId, NextToken: token }));
          return { items: out.ProfileResourceAssociations, next: out.NextToken };
        });
        const on = list.some((x) => x.ResourceArn === a.resourceArn && x.Status !== 'DELETING' && x.Status !== 'FAILED');
        return a.kind === 'associate-resource' ? on : !on;
      };
    case 'authorize-vpc':
    case 'deauthorize-vpc':
      return async () => {
        const out = await read('route53', new ListVPCAssociationAuthorizationsCommand({ HostedZoneId: a.zoneId }));
        const on = (out.VPCs ?? []).some((v) => v.VPCId === a.vpcId);
        if (a.kind === 'deauthorize-vpc') return !on;
        // An authorization is only a means to the association: once the VPC is associated (and
        // the authorization perhaps already deleted), authorizing again would be a pointless write.
        return on || (await zoneVpcs(a.zoneId)).includes(a.vpcId);
      };
    case 'associate-vpc':
      // The VPC's owner may not be able to read another account's zone, but can list its VPC's zones.
      return async () => {
        const out = await read('route53', new ListHostedZonesByVPCCommand({ VPCId: a.vpcId, VPCRegion: a.region as never }));
        return (out.HostedZoneSummaries ?? []).some((z) => z.HostedZoneId === a.zoneId);
      };
    case 'disassociate-vpc':
      return async () => !(await zoneVpcs(a.zoneId)).includes(a.vpcId);
    case 'set-private-dns':
      return async () => {
        const out = await read('ec2', new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: [a.endpointId] }] }));
        return out.VpcEndpoints?.[0]?.PrivateDnsEnabled === a.enabled;
      };
    case 'delete-records':
      return async () => {
        const live = new Set((await listRecordSets(access, a.account, a.zoneId, signal)).map((r) => recordSetKey(recordFromSdk(r))));
        return a.records.every((r) => !live.has(recordSetKey(r)));
      };
    case 'delete-zone':
      return async () => (await zoneVpcs(a.zoneId)).length === 0 && !(await read('route53', new GetHostedZoneCommand({ Id: a.zoneId })).then(() => true, (e) => (e instanceof NotFoundError ? false : Promise.reject(e))));
    case 'backup-zone':
    case 'recreate-zone':
    case 'restore-records':
      return async () => false;
    // Prepare: each found again by what it made (the share and the Profile by name and tag).
    case 'create-share':
      return async () => (await shareNamed(access, a.account, a.shareName, signal))?.preparedBy === a.planName;
    case 'create-profile':
      return async () => (await profilesNamed(access, a.account, a.profileName, signal)).some((p) => p.preparedBy === a.planName);
    case 'share-associate':
    case 'share-disassociate':
      return async () => {
        const held = async (type: 'PRINCIPAL' | 'RESOURCE') => {
          const list = await allPages(async (token) => {
            const out = await read('ram', new GetResourceShareAssociationsCommand({ associationType: type, resourceShareArns: [a.shareArn], nextToken: token }));
            return { items: out.resourceShareAssociations, next: out.nextToken };
          });
          return new Set(list.filter((x) => x.status === 'ASSOCIATED' || x.status === 'ASSOCIATING').map((x) => x.associatedEntity));
        };
        const [principals, resources] = await Promise.all([held('PRINCIPAL'), held('RESOURCE')]);
        const wanted = [...a.principals.map((p) => principals.has(p)), ...a.resourceArns.map((r) => resources.has(r))];
        return a.kind === 'share-associate' ? wanted.every(Boolean) : !wanted.some(Boolean);
      };
    case 'accept-invitation':
      return async () => {
        const out = await read('ram', new GetResourceShareInvitationsCommand({ resourceShareInvitationArns: [a.invitationArn] })).catch((e) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
        return out?.resourceShareInvitations?.[0]?.status === 'ACCEPTED';
      };
    case 'delete-share':
      return async () => {
        const out = await read('ram', new GetResourceSharesCommand({ resourceOwner: 'SELF', resourceShareArns: [a.shareArn] })).catch((e) => (e instanceof NotFoundError ? undefined : Promise.reject(e)));
        const st = out?.resourceShares?.[0]?.status;
        return !st || st === 'DELETED' || st === 'DELETING';
      };
    case 'delete-profile':
      return async () => {
        const p = await readProfile(access, a.account, a.profileId, signal);
        return !p || p.Status === 'DELETED' || p.Status === 'DELETING';
      };
  }
}

function command(a: Action): object {
  const call = apiCall(a);
  if (!call) throw new Error(`action ${a.kind} makes no API call`);
  const p = call.params as never;
  switch (call.operation) {
    case 'AssociateProfile':
      return new AssociateProfileCommand(p);
    case 'DisassociateProfile':
      return new DisassociateProfileCommand(p);
    case 'AssociateResourceToProfile':
      return new AssociateResourceToProfileCommand(p);
    case 'DisassociateResourceFromProfile':
      return new DisassociateResourceFromProfileCommand(p);
    case 'CreateVPCAssociationAuthorization':
      return new CreateVPCAssociationAuthorizationCommand(p);
    case 'AssociateVPCWithHostedZone':
      return new AssociateVPCWithHostedZoneCommand(p);
    case 'DeleteVPCAssociationAuthorization':
      return new DeleteVPCAssociationAuthorizationCommand(p);
    case 'DisassociateVPCFromHostedZone':
      return new DisassociateVPCFromHostedZoneCommand(p);
    case 'ModifyVpcEndpoint':
      return new ModifyVpcEndpointCommand(p);
    case 'ChangeResourceRecordSets':
      return new ChangeResourceRecordSetsCommand(p);
    case 'DeleteHostedZone':
      return new DeleteHostedZoneCommand(p);
    case 'CreateResourceShare':
      return new CreateResourceShareCommand(p);
    case 'AssociateResourceShare':
      return new AssociateResourceShareCommand(p);
    case 'DisassociateResourceShare':
      return new DisassociateResourceShareCommand(p);
    case 'AcceptResourceShareInvitation':
      return new AcceptResourceShareInvitationCommand(p);
    case 'DeleteResourceShare':
      return new DeleteResourceShareCommand(p);
    case 'CreateProfile':
      return new CreateProfileCommand(p);
    case 'DeleteProfile':
      return new DeleteProfileCommand(p);
    default:
      throw new Error(`no command for ${call.operation}`);
  }
}

export async function executeAction(access: AwsAccess, a: Action, opts: ExecuteOptions): Promise<ExecutionResult> {
  if (a.kind === 'backup-zone') {
    const vpcsAtStart = opts.backupContext?.vpcsAtStart?.(a.zoneId);
    const backup = await backupZone(access, a.account, a.zoneId, opts.backupDir, {
      accountName: a.account,
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.backupContext?.planFile ? { planFile: opts.backupContext.planFile } : {}),
      ...(vpcsAtStart ? { vpcsAtStart } : {}),
    });
    return { status: 'applied', attempts: 1, backup };
  }
  if (a.kind === 'recreate-zone' || a.kind === 'restore-records') return restoreAction(access, a, opts.signal);
  if (a.kind === 'delete-records' && !opts.verifiedBackup(a.zoneId)) throw new BackupMissingError(a.zoneId);
  const call = apiCall(a)!;
  const verify = verifier(access, a, opts.signal);
  if (opts.checkFirst && (await verify())) return { status: 'already-done', attempts: 0 };
  let result: MutationResult<unknown>;
  try {
    result = await access.mutate(a.account, call.service, command(a), { verify, signal: opts.signal, target: targetOf(a) });
  } catch (e) {
    // "Already associated", "not associated", "no such zone": if the world already is as the
    // action wants it, that is success (a re-run, or someone else got there first).
    if ((e instanceof AlreadyExistsError || e instanceof ConflictError || e instanceof NotFoundError) && (await verify())) {
      return { status: 'already-done', attempts: 1 };
    }
    throw e;
  }
  if (result.status === 'already-done') return { status: 'already-done', attempts: result.attempts };
  const out = result.output as ResultMeta;
  const changeId = stripChange(out.ChangeInfo?.Id);
  return { status: 'applied', attempts: result.attempts, requestId: out.$metadata?.requestId, ...(changeId ? { changeId } : {}) };
}

/**
 * A rollback's zone actions run through restore.ts, which is idempotent on its own: the zone is
 * found again by its CallerReference, and only the records still missing are created.
 */
async function restoreAction(access: AwsAccess, a: Extract<Action, { kind: 'recreate-zone' | 'restore-records' }>, signal?: AbortSignal): Promise<ExecutionResult> {
  const backup = await readBackup(a.backupFile);
  if (a.kind === 'recreate-zone') {
    const made = await createZoneFromBackup(access, a.account, backup, { vpcId: a.vpcId, region: a.region }, signal ? { signal } : {});
    return { status: made.created ? 'applied' : 'already-done', attempts: 1, createdZoneId: made.zoneId, ...(made.changeId ? { changeId: made.changeId } : {}) };
  }
  const refill = await refillZone(access, a.account, a.zoneId, backup, { wait: false, ...(signal ? { signal } : {}) });
  return {
    status: refill.status === 'refilled' ? 'applied' : 'already-done',
    attempts: 1,
    ...(refill.changeId ? { changeId: refill.changeId } : {}),
    changeIds: refill.changeIds,
  };
}

function targetOf(a: Action): string {
  if ('vpcId' in a && 'zoneId' in a) return `${a.zoneId} / ${a.vpcId}`;
  return actionTarget(a);
}

/**
 * Whether a Route 53 change has been applied. Another account's change may not be readable
 * (GetChange from the VPC owner is denied, aws-api.md §2): then it is 'unobservable' and the
 * gate relies on the observed associations instead.
 */
export async function changeStatus(access: AwsAccess, account: string, changeId: string, signal?: AbortSignal): Promise<'PENDING' | 'INSYNC' | 'unobservable'> {
  try {
    const out = await access.read(account, 'route53', new GetChangeCommand({ Id: changeId }), { signal, target: changeId });
    return out.ChangeInfo?.Status === 'INSYNC' ? 'INSYNC' : 'PENDING';
  } catch (e) {
    if (e instanceof AccessDeniedError) return 'unobservable';
    throw e;
  }
}
