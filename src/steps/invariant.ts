// The resolution invariant (DESIGN §3): a change that leaves a VPC which resolves a migrated name
// now without that answer (or with another one) is not made — whether the VPC is in the plan or
// not, probed or not. Computed from the observed control plane with the resolution model. Pure.
import type { World } from '../aws/world.js';
import { planVpcs } from '../plan/schema.js';
import { dependentVpcs, describeResolution, hasAnswer, knownVpc, migratedNames, resolveName, sameAnswer, type Resolution } from './resolution.js';
import type { StepContext } from './types.js';

export interface Breakage {
  vpcId: string;
  /** Plan account name ('' when no account of the plan owns it). */
  account: string;
  accountId: string;
  inPlan: boolean;
  name: string;
  endpointId: string;
  now: Resolution;
  after: Resolution;
}

/** Every (VPC, name) that has an answer in `before` and would not have the same one in `after`. */
export function breakages(before: World, after: World, ctx: StepContext): Breakage[] {
  const inPlan = new Set(planVpcs(ctx.plan).map((v) => v.id));
  const out: Breakage[] = [];
  const names = migratedNames(before, ctx);
  for (const vpcId of dependentVpcs(before, ctx.plan)) {
    for (const { name, endpointId } of names) {
      const now = resolveName(before, ctx.plan, vpcId, name);
      if (!hasAnswer(now)) continue;
      const then = resolveName(after, ctx.plan, vpcId, name);
      if (sameAnswer(now, then)) continue;
      const vpc = knownVpc(before, vpcId);
      out.push({ vpcId, account: vpc?.account ?? '', accountId: vpc?.accountId ?? '', inPlan: inPlan.has(vpcId), name, endpointId, now, after: then });
    }
  }
  return out;
}

/** "vpc-… (account spokes-1 111122223333, not in the plan)". */
export function describeVpc(v: { vpcId: string; account: string; accountId: string; inPlan: boolean }): string {
  const account = v.account ? `account ${v.account} ${v.accountId}` : 'in an account the plan does not name';
  return `${v.vpcId} (${account}${v.inPlan ? '' : ', not in the plan'})`;
}

export function describeBreakage(b: Breakage): string {
  return `${describeVpc(b)} would lose its answer for ${b.name}: it resolves ${describeResolution(b.now)} now, and would resolve ${describeResolution(b.after)}`;
}
