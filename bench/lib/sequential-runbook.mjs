// The blog's runbook as an operator scripts it: one API call at a time, each change waited for
// the way the AWS CLI waiters (and Terraform) wait, one spoke at a time in step 6, dig-style
// checks on two VPCs between steps. No parallelism, no batching, no cleverness. Poll intervals
// (at AWS scale; the bench divides them by its compression factor):
//   GetChange every 30 s until INSYNC — AWS CLI `aws route53 wait resource-record-sets-changed`
//     (botocore route53/2013-04-01/waiters-2.json: ResourceRecordSetsChanged, delay 30, 60 attempts);
//   Profiles associations every 10 s — there is no waiter (botocore ships no route53profiles
//     waiters-2.json); 10 s is the cap of the Terraform plugin SDK's StateChangeConf backoff, the
//     interval Terraform's aws_route53profiles_association waiter settles at;
//   VPC endpoint (ModifyVpcEndpoint) every 10 s — EC2 has no waiter for endpoints (botocore
//     ec2 waiters-2.json); same StateChangeConf cap.
// A waiter polls at once and then sleeps between polls (botocore Waiter.wait). GetChange on a
// cross-account association is denied to the VPC's account (Terraform ignores AccessDenied there):
// the operator waits on the change with the zone owner's profile instead.
import { Route53Client, AssociateVPCWithHostedZoneCommand, ChangeResourceRecordSetsCommand, CreateVPCAssociationAuthorizationCommand, DeleteHostedZoneCommand, DeleteVPCAssociationAuthorizationCommand, DisassociateVPCFromHostedZoneCommand, GetChangeCommand, ListResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { EC2Client, DescribeVpcEndpointsCommand, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { Resolver } from 'node:dns/promises';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssociateProfileCommand, AssociateResourceToProfileCommand, DisassociateResourceFromProfileCommand, GetProfileAssociationCommand, GetProfileResourceAssociationCommand, Route53ProfilesClient } from '../../dist/aws/route53profiles/index.js';

/** AWS-scale poll intervals, ms (sources above). */
export const RUNBOOK_POLL_MS = { getChange: 30_000, profiles: 10_000, endpoint: 10_000 };

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param o.plan      the loaded plan (accounts, profile, sharedServicesVpc, spokes, parkingVpc, endpoints)
 * @param o.info      sandbox.json (vpcs[].resolver, names[])
 * @param o.path      'direct' | 'via-profile'
 * @param o.factor    time compression: poll intervals ÷ factor
 * @param o.backupDir where zone backups (ListResourceRecordSets) are written
 */
export async function runSequentialRunbook(o) {
  const { plan, info, path, factor, backupDir } = o;
  const poll = Object.fromEntries(Object.entries(RUNBOOK_POLL_MS).map(([k, v]) => [k, v / factor]));
  const region = plan.region;
  const clients = new Map();
  const client = (kind, account) => {
    const key = `${kind}|${account}`;
    if (!clients.has(key)) {
      const profile = plan.accounts[account].profile;
      clients.set(key, kind === 'r53' ? new Route53Client({ profile, region }) : kind === 'ec2' ? new EC2Client({ profile, region }) : new Route53ProfilesClient({ profile, region }));
    }
    return clients.get(key);
  };
  const zoneOwner = plan.sharedServicesVpc.account; // the operator knows the zones live in shared services
  const profileAccount = plan.profile.account;
  const sharedAccountId = plan.accounts[plan.sharedServicesVpc.account].accountId;
  const zones = plan.endpoints.flatMap((e) => e.zones);
  const spokes = plan.spokes;
  const log = [];
  const stepTimes = {};
  let checksFailed = 0;
  let checks = 0;

  const waitChange = async (changeId) => {
    for (;;) {
      const r = await client('r53', zoneOwner).send(new GetChangeCommand({ Id: changeId }));
      if (r.ChangeInfo.Status === 'INSYNC') return;
      await sleep(poll.getChange);
    }
  };
  const waitProfileAssociation = async (account, id) => {
    for (;;) {
      const r = await client('rp', account).send(new GetProfileAssociationCommand({ ProfileAssociationId: id }));
      if (r.ProfileAssociation.Status === 'COMPLETE') return;
      await sleep(poll.profiles);
    }
  };
  const waitResourceAssociation = async (id, gone = false) => {
    for (;;) {
      try {
        const r = await client('rp', profileAccount).send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: id }));
        if (!gone && r.ProfileResourceAssociation.Status === 'COMPLETE') return;
      } catch (e) {
        if (gone && e.name === 'ResourceNotFoundException') return;
        throw e;
      }
      await sleep(poll.profiles);
    }
  };
  const waitEndpoint = async (endpointId) => {
    for (;;) {
      const r = await client('ec2', zoneOwner).send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
      const ep = r.VpcEndpoints[0];
      if (ep.State?.toLowerCase() === 'available' && ep.PrivateDnsEnabled) return;
      await sleep(poll.endpoint);
    }
  };
  const associateZone = async (zoneId, vpcId, vpcAccount) => {
    const cross = plan.accounts[vpcAccount].accountId !== plan.accounts[zoneOwner].accountId;
    const VPC = { VPCId: vpcId, VPCRegion: region };
    if (cross) await client('r53', zoneOwner).send(new CreateVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }));
    const r = await client('r53', vpcAccount).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zoneId, VPC }));
    await waitChange(r.ChangeInfo.Id);
    if (cross) await client('r53', zoneOwner).send(new DeleteVPCAssociationAuthorizationCommand({ HostedZoneId: zoneId, VPC }));
  };
  const disassociateZone = async (zoneId, vpcId) => {
    const r = await client('r53', zoneOwner).send(new DisassociateVPCFromHostedZoneCommand({ HostedZoneId: zoneId, VPC: { VPCId: vpcId, VPCRegion: region } }));
    await waitChange(r.ChangeInfo.Id);
  };
  // dig @resolver name, once per name, on two VPCs: the shared-services VPC and the last spoke.
  const checkVpcs = [info.vpcs[0], info.vpcs[info.vpcs.length - 1]];
  const dig = async (vpcIds = checkVpcs.map((v) => v.id)) => {
    for (const vpcId of vpcIds) {
      const v = info.vpcs.find((x) => x.id === vpcId);
      const resolver = new Resolver({ timeout: 1000, tries: 2 });
      resolver.setServers([v.resolver]);
      for (const n of info.names) {
        checks++;
        const ips = await resolver.resolve4(n.probeName).catch(() => []);
        if (!ips.length || !ips.every((ip) => n.ips.includes(ip))) checksFailed++;
      }
    }
  };
  const step = async (n, fn) => {
    const t0 = performance.now();
    await fn();
    await dig();
    stepTimes[n] = performance.now() - t0;
    log.push(`step ${n} done in ${Math.round(stepTimes[n])} ms`);
  };

  const allVpcs = [{ id: plan.sharedServicesVpc.id, account: plan.sharedServicesVpc.account }, ...spokes];
  await step(1, async () => {
    if (path === 'direct') {
      for (const v of allVpcs) {
        const r = await client('rp', v.account).send(new AssociateProfileCommand({ ProfileId: plan.profile.id, ResourceId: v.id, Name: `runbook-${v.id}` }));
        await waitProfileAssociation(v.account, r.ProfileAssociation.Id);
      }
      for (const z of zones) {
        const r = await client('rp', profileAccount).send(new AssociateResourceToProfileCommand({ ProfileId: plan.profile.id, ResourceArn: `arn:aws:route53:::hostedzone/${z}`, Name: `runbook-${z}` }));
        await waitResourceAssociation(r.ProfileResourceAssociation.Id);
      }
    } else {
      for (const z of zones) for (const v of spokes) await associateZone(z, v.id, v.account);
    }
    if (plan.parkingVpc) for (const z of zones) await associateZone(z, plan.parkingVpc.id, plan.parkingVpc.account);
  });
  await step(2, async () => {
    for (const z of zones) await disassociateZone(z, plan.sharedServicesVpc.id);
  });
  await step(3, async () => {
    for (const e of plan.endpoints) {
      await client('ec2', zoneOwner).send(new ModifyVpcEndpointCommand({ VpcEndpointId: e.id, PrivateDnsEnabled: true }));
      await waitEndpoint(e.id);
    }
  });
  await step(4, async () => {
    for (const z of zones) {
      const r = await client('rp', profileAccount).send(new DisassociateResourceFromProfileCommand({ ProfileId: plan.profile.id, ResourceArn: `arn:aws:route53:::hostedzone/${z}` }));
      await waitResourceAssociation(r.ProfileResourceAssociation.Id, true);
    }
  });
  await step(5, async () => {
    for (const e of plan.endpoints) {
      const r = await client('rp', profileAccount).send(
        new AssociateResourceToProfileCommand({ ProfileId: plan.profile.id, ResourceArn: `arn:aws:ec2:${region}:${sharedAccountId}:vpc-endpoint/${e.id}`, Name: `runbook-${e.id}` }),
      );
      await waitResourceAssociation(r.ProfileResourceAssociation.Id);
    }
  });
  await step(6, async () => {
    // With a parking VPC every spoke leaves; without one the last spoke keeps the zones.
    const leaving = plan.parkingVpc ? spokes : spokes.slice(0, -1);
    for (const v of leaving) {
      for (const z of zones) await disassociateZone(z, v.id);
      await dig([v.id]); // that spoke still resolves, now through the endpoint on the Profile
    }
  });
  await step(7, async () => {
    for (const z of zones) {
      const records = [];
      let next = {};
      for (;;) {
        const r = await client('r53', zoneOwner).send(new ListResourceRecordSetsCommand({ HostedZoneId: z, ...next }));
        records.push(...r.ResourceRecordSets);
        if (!r.IsTruncated) break;
        next = { StartRecordName: r.NextRecordName, StartRecordType: r.NextRecordType, ...(r.NextRecordIdentifier ? { StartRecordIdentifier: r.NextRecordIdentifier } : {}) };
      }
      writeFileSync(join(backupDir, `${z}.json`), JSON.stringify(records, null, 2));
      const apex = records.filter((r) => r.Type === 'SOA' || r.Type === 'NS')[0]?.Name;
      const doomed = records.filter((r) => !((r.Type === 'SOA' || r.Type === 'NS') && r.Name === apex));
      if (doomed.length) {
        const c = await client('r53', zoneOwner).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: z, ChangeBatch: { Changes: doomed.map((rr) => ({ Action: 'DELETE', ResourceRecordSet: rr })) } }));
        await waitChange(c.ChangeInfo.Id);
      }
      const d = await client('r53', zoneOwner).send(new DeleteHostedZoneCommand({ Id: z }));
      await waitChange(d.ChangeInfo.Id);
    }
  });
  for (const c of clients.values()) c.destroy?.();
  return { stepTimes, checks, checksFailed, log };
}
