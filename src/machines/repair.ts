// Associations of the plan that ended FAILED. Nothing moves a FAILED association on by itself, and
// while it exists the step that made it can't make it again (the Profile already "holds" the
// resource, the VPC already "has" a Profile). What a careful operator does is disassociate it and
// associate again; `resume` (the operator's go-ahead after the halt) does exactly that for
// associations this run made, and the halt says so, with the one call to make by hand instead.
import type { AwsAccess } from '../aws/access.js';
import { executeAction } from '../aws/execute.js';
import { hostedZoneArn, type World } from '../aws/world.js';
import { planVpcs, type Plan } from '../plan/schema.js';
import { action, type Action } from '../aws/actions.js';

export interface FailedAssociation {
  /** "Profile resource association rpr-… (arn:…)", "Profile association rpa-… of vpc-…". */
  what: string;
  status: string;
  /** The call that removes it, as a step action (made as the account that owns it). */
  disassociate: Action;
  /** The same call for the AWS CLI, for an operator who wants to do it by hand. */
  byHand: string;
  /** The action id of the association that ended FAILED (to find it in the journal). */
  associateActionSuffix: string;
}

/** The FAILED associations between the plan's Profile and the plan's VPCs, zones and endpoints. */
export function failedAssociations(world: World, plan: Plan): FailedAssociation[] {
  const out: FailedAssociation[] = [];
  const profileId = plan.profile.id;
  for (const v of planVpcs(plan)) {
    const a = world.vpcs[v.id]?.profileAssociation;
    if (a?.status !== 'FAILED' || a.profileId !== profileId) continue;
    out.push({
      what: `Profile association ${a.id} of ${v.id}`,
      status: `FAILED${a.statusMessage ? ` (${a.statusMessage})` : ''}`,
      disassociate: action(1, { kind: 'disassociate-profile', account: v.account, profileId, vpcId: v.id }),
      byHand: `aws route53profiles disassociate-profile --profile-id ${profileId} --resource-id ${v.id} (as account ${v.account})`,
      associateActionSuffix: `:associate-profile:${v.id}`,
    });
  }
  const resources = new Map<string, { resource: string; step: number }>();
  for (const e of plan.endpoints) {
    const ep = world.endpoints[e.id];
    if (ep?.exists) resources.set(ep.arn, { resource: e.id, step: 5 });
    for (const z of e.zones) resources.set(hostedZoneArn(z), { resource: z, step: 1 });
  }
  for (const r of world.profile?.resources ?? []) {
    const mine = resources.get(r.resourceArn);
    if (r.status !== 'FAILED' || !mine) continue;
    out.push({
      what: `Profile resource association ${r.id} (${r.resourceArn})`,
      status: `FAILED${r.statusMessage ? ` (${r.statusMessage})` : ''}`,
      disassociate: action(mine.step, { kind: 'disassociate-resource', account: plan.profile.account, profileId, resourceArn: r.resourceArn, resource: mine.resource }),
      byHand: `aws route53profiles disassociate-resource-from-profile --profile-id ${profileId} --resource-arn ${r.resourceArn} (as account ${plan.profile.account})`,
      associateActionSuffix: `:associate-resource:${mine.resource}`,
    });
  }
  return out;
}

/** The halt reason for FAILED associations: what failed, and the two ways on. */
export function failedHaltReason(failed: FailedAssociation[]): string {
  const list = failed.map((f) => `${f.what} is ${f.status}`).join('; ');
  const calls = failed.map((f) => f.byHand).join('; ');
  return `${list}. AWS will not retry it: \`r53migrate resume\` disassociates it and associates it again; or remove it by hand (${calls}) and resume`;
}

export interface ClearFailedOptions {
  plan: Plan;
  access: AwsAccess;
  world: World;
  /** Whether this run's journal holds an association whose action id ends with the suffix. */
  madeByThisRun(associateActionSuffix: string): boolean;
  observe(signal?: AbortSignal): Promise<World>;
  journal(entry: { action: Action; phase: 'intent' | 'applied' | 'already-done' | 'failed'; error?: string; requestId?: string }): Promise<void>;
  backupDir: string;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  pollIntervalMs: number;
  /** How long the disassociations may take to finish (the plan's step budget). */
  timeoutMs: number;
  signal?: AbortSignal;
}

export class FailedAssociationClearError extends Error {
  readonly code = 'FAILED_ASSOCIATION_NOT_CLEARED';
  readonly exitCode = 1;
  constructor(detail: string, failed: FailedAssociation[]) {
    super(
      `${detail}. Nothing else was changed. Remove ${failed.length === 1 ? 'it' : 'them'} by hand (${failed.map((f) => f.byHand).join('; ')}), wait until ${failed.length === 1 ? 'it is' : 'they are'} gone, then resume.`,
    );
    this.name = 'FailedAssociationClearError';
  }
}

/**
 * Disassociates the FAILED associations this run made (journaled like any action) and waits until
 * they are gone; returns what it cleared and the world after. Those it did not make are left for
 * the assessment to refuse, with the call to make by hand.
 */
export async function clearFailedAssociations(o: ClearFailedOptions): Promise<{ cleared: FailedAssociation[]; world: World }> {
  const ours = failedAssociations(o.world, o.plan).filter((f) => o.madeByThisRun(f.associateActionSuffix));
  if (!ours.length) return { cleared: [], world: o.world };
  for (const f of ours) {
    await o.journal({ action: f.disassociate, phase: 'intent' });
    try {
      const r = await executeAction(o.access, f.disassociate, { signal: o.signal, backupDir: o.backupDir, verifiedBackup: () => false });
      await o.journal({ action: f.disassociate, phase: r.status, ...(r.requestId ? { requestId: r.requestId } : {}) });
    } catch (e) {
      await o.journal({ action: f.disassociate, phase: 'failed', error: (e as Error).message });
      throw new FailedAssociationClearError(`Could not disassociate the ${f.what}, which is ${f.status}: ${(e as Error).message}`, ours);
    }
  }
  // Bounded: the plan's step budget, as for any other wait.
  const deadline = o.now() + o.timeoutMs;
  for (;;) {
    const world = await o.observe(o.signal);
    const left = failedAssociations(world, o.plan).filter((f) => ours.some((x) => x.what === f.what));
    const deleting = ours.filter((f) => isDeleting(world, f));
    if (!left.length && !deleting.length) return { cleared: ours, world };
    if (o.now() >= deadline) {
      throw new FailedAssociationClearError(`The FAILED association(s) were disassociated but are still there after budgets.stepTimeoutMs`, ours);
    }
    await o.sleep(o.pollIntervalMs, o.signal);
  }
}

function isDeleting(world: World, f: FailedAssociation): boolean {
  const a = f.disassociate;
  if (a.kind === 'disassociate-profile') return world.vpcs[a.vpcId]?.profileAssociation?.status === 'DELETING';
  if (a.kind === 'disassociate-resource') return !!world.profile?.resources.some((r) => r.resourceArn === a.resourceArn && r.status === 'DELETING');
  return false;
}
