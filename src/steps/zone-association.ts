// Associating a VPC with a zone, as one batch's actions: another account's VPC needs the zone's
// owner to authorize it first and to delete the authorization after (none is left behind). Pure.
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { action, type Action } from '../aws/actions.js';
import { accountOfVpc, zoneAccount, zoneOf, zoneOnVpc } from './facts.js';

/** What associates `vpcId` with `zoneId` (and tidies a left-over authorization); empty when nothing is to do. */
export function associateZone(world: World, plan: Plan, step: number, zoneId: string, vpcId: string): Action[] {
  const zone = zoneOf(world, zoneId);
  if (!zone) return [];
  const owner = zoneAccount(world, plan, zoneId);
  const account = accountOfVpc(plan, vpcId);
  const crossAccount = world.accounts[account] !== zone.accountId;
  const authorized = zone.authorizations.some((a) => a.vpcId === vpcId);
  const vpc = { zoneId, vpcId, region: plan.region };
  if (zoneOnVpc(world, zoneId, vpcId)) return authorized ? [action(step, { kind: 'deauthorize-vpc', account: owner, ...vpc })] : [];
  // Another account's VPC: the zone's owner authorizes, the VPC's owner associates.
  return [
    ...(crossAccount && !authorized ? [action(step, { kind: 'authorize-vpc', account: owner, ...vpc })] : []),
    action(step, { kind: 'associate-vpc', account: crossAccount ? account : owner, ...vpc }),
    ...(crossAccount ? [action(step, { kind: 'deauthorize-vpc', account: owner, ...vpc })] : []),
  ];
}
