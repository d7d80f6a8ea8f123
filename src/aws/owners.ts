// Who owns each zone and endpoint of a plan (the plan doesn't say): read where readable, tolerant
// of denials, in the order discovery asks (aws/observe.ts). The pre-flight permission check and
// `iam-policy` need it before the first observation: a zone's policy goes to its owner's account.
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import type { Plan } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { AccessDeniedError, NotFoundError } from './errors.js';
import { allPages } from './observe.js';

/** Who owns each zone and endpoint, as the accounts can read them (the plan doesn't say). */
export interface Owners {
  zones: Record<string, string>;
  endpoints: Record<string, string>;
  /** Zones an account of the plan says do not exist (NoSuchHostedZone): deleted, by step 7 or by hand. */
  goneZones: string[];
  /** Zones every account was refused: whoever owns them may not read them (or no plan account owns them). */
  unreadableZones: string[];
}

/** The Profile's account, the shared-services VPC's, then the rest: the order discovery asks in (aws/observe.ts). */
function ownerOrder(plan: Plan): string[] {
  return [...new Set([plan.profile.account, plan.sharedServicesVpc.account, ...Object.keys(plan.accounts)])];
}

/** Reads, tolerant of denials: a zone is its reader's, an endpoint its describer's. */
export async function findOwners(plan: Plan, access: AwsAccess, signal?: AbortSignal): Promise<Owners> {
  const order = ownerOrder(plan);
  const owners: Owners = { zones: {}, endpoints: {}, goneZones: [], unreadableZones: [] };
  const zones = plan.endpoints.flatMap((e) => e.zones);
  await Promise.all(
    zones.map(async (z) => {
      let gone = false;
      for (const account of order) {
        try {
          await access.read(account, 'route53', new GetHostedZoneCommand({ Id: z }), { signal, target: z });
          owners.zones[z] = account;
          return;
        } catch (e) {
          if (!(e instanceof AccessDeniedError || e instanceof NotFoundError)) throw e;
          // Another account's zone is refused, not "no such zone": NotFound means it is gone.
          if (e instanceof NotFoundError) gone = true;
        }
      }
      (gone ? owners.goneZones : owners.unreadableZones).push(z);
    }),
  );
  const wanted = plan.endpoints.map((e) => e.id);
  for (const account of order) {
    const missing = wanted.filter((id) => !owners.endpoints[id]);
    if (!missing.length) break;
    try {
      const found = await allPages(async (token) => {
        const out = await access.read(account, 'ec2', new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-endpoint-id', Values: missing }], NextToken: token, MaxResults: 1000 }), { signal });
        return { items: out.VpcEndpoints, next: out.NextToken };
      });
      for (const ep of found) if (ep.VpcEndpointId) owners.endpoints[ep.VpcEndpointId] = account;
    } catch (e) {
      if (!(e instanceof AccessDeniedError)) throw e;
    }
  }
  owners.goneZones.sort();
  owners.unreadableZones.sort();
  return owners;
}
