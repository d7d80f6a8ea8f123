// The same Route 53 operations through the AWS CLI (botocore 1.43): a second, independent client
// that must parse every answer and error the twin sends.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import type { World } from '../../src/twin/world.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, ENDPOINT_NAME, ENDPOINT_VPC, REGION, VPC, route53World } from './route53-fixtures.js';

const available = referee('aws', 'AWS CLI fidelity (Route 53)');

let t: TestTwin;
let world: World;
let clock: ManualClock;
let seq = 0;

const cli = (account: number, ...args: string[]): Promise<AwsCliResult> => awsCli(['route53', ...args], t.cli(account));
const vpcArg = (vpcId: string) => `VPCRegion=${REGION},VPCId=${vpcId}`;

function ok(r: AwsCliResult): any {
  if (r.code !== 0) throw new Error(`aws exited ${r.code}: ${r.stderr}`);
  return r.json;
}

function failedWith(r: AwsCliResult, code: string): void {
  expect(r.code, r.stdout).not.toBe(0);
  expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
}

async function newZone(vpcId: string = VPC.a1, name = `c${++seq}.cli.internal`): Promise<{ id: string; name: string; changeId: string }> {
  const out = ok(await cli(0, 'create-hosted-zone', '--name', name, '--caller-reference', `cli-${++seq}`, '--vpc', vpcArg(vpcId)));
  return { id: out.HostedZone.Id, name: out.HostedZone.Name, changeId: out.ChangeInfo.Id };
}

describe.skipIf(!available)('Route 53 through the AWS CLI', () => {
  beforeAll(async () => {
    world = route53World();
    clock = new ManualClock(Date.now());
    t = await startTestTwin({ world, clock });
  });
  afterAll(async () => t?.close());
  beforeEach(() => {
    world.rules.priorRequestNotComplete = false;
  });

  it('create-hosted-zone / get-hosted-zone / get-change: private zone with VPCs, PENDING then INSYNC', async () => {
    const { id, changeId } = await newZone();
    expect(id).toMatch(/^\/hostedzone\/Z/);
    expect(changeId).toMatch(/^\/change\/C/);
    const zone = ok(await cli(0, 'get-hosted-zone', '--id', id));
    expect(zone.HostedZone.Config.PrivateZone).toBe(true);
    expect(zone.VPCs).toEqual([{ VPCRegion: REGION, VPCId: VPC.a1 }]);
    expect(ok(await cli(0, 'get-change', '--id', changeId)).ChangeInfo.Status).toBe('PENDING');
    clock.advance(world.delays.changeInsyncMs);
    expect(ok(await cli(0, 'get-change', '--id', changeId)).ChangeInfo.Status).toBe('INSYNC');
  });

  it('error paths: NoSuchHostedZone, NoSuchChange, HostedZoneAlreadyExists, ConflictingDomainExists, AccessDenied', async () => {
    failedWith(await cli(0, 'get-hosted-zone', '--id', 'Z0000000000000000NONE'), 'NoSuchHostedZone');
    failedWith(await cli(0, 'get-change', '--id', 'C0000000000000NONE'), 'NoSuchChange');
    ok(await cli(0, 'create-hosted-zone', '--name', 'ref.cli.internal', '--caller-reference', 'same-ref', '--vpc', vpcArg(VPC.a1)));
    failedWith(await cli(0, 'create-hosted-zone', '--name', 'ref2.cli.internal', '--caller-reference', 'same-ref', '--vpc', vpcArg(VPC.a1)), 'HostedZoneAlreadyExists');
    failedWith(
      await cli(0, 'create-hosted-zone', '--name', ENDPOINT_NAME, '--caller-reference', `cli-${++seq}`, '--vpc', vpcArg(ENDPOINT_VPC)),
      'ConflictingDomainExists',
    );
    const { id } = await newZone();
    failedWith(await cli(1, 'get-hosted-zone', '--id', id), 'AccessDenied');
  });

  it('associate / disassociate: LastVPCAssociation, repeats, unknown VPC', async () => {
    const { id } = await newZone();
    const assoc = ok(await cli(0, 'associate-vpc-with-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.a2), '--comment', 'hi'));
    expect(assoc.ChangeInfo.Status).toBe('PENDING');
    failedWith(await cli(0, 'associate-vpc-with-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.a2)), 'ConflictingDomainExists');
    failedWith(await cli(0, 'associate-vpc-with-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg('vpc-0ffffffffffffffff')), 'InvalidVPCId');
    ok(await cli(0, 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.a2)));
    failedWith(await cli(0, 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.a2)), 'VPCAssociationNotFound');
    failedWith(await cli(0, 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.a1)), 'LastVPCAssociation');
  });

  it('cross-account: NotAuthorizedException, authorization lifecycle, list-hosted-zones-by-vpc from the VPC owner', async () => {
    const { id } = await newZone();
    failedWith(await cli(1, 'associate-vpc-with-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)), 'NotAuthorizedException');
    const auth = ok(await cli(0, 'create-vpc-association-authorization', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)));
    expect(auth.VPC).toEqual({ VPCRegion: REGION, VPCId: VPC.b1 });
    const listed = ok(await cli(0, 'list-vpc-association-authorizations', '--hosted-zone-id', id));
    expect(listed.VPCs).toEqual([{ VPCRegion: REGION, VPCId: VPC.b1 }]);
    const change = ok(await cli(1, 'associate-vpc-with-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)));
    failedWith(await cli(1, 'get-change', '--id', change.ChangeInfo.Id), 'AccessDenied');
    ok(await cli(0, 'delete-vpc-association-authorization', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)));
    failedWith(await cli(0, 'delete-vpc-association-authorization', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)), 'VPCAssociationAuthorizationNotFound');
    const byVpc = ok(await cli(1, 'list-hosted-zones-by-vpc', '--vpc-id', VPC.b1, '--vpc-region', REGION));
    expect(byVpc.HostedZoneSummaries).toContainEqual(expect.objectContaining({ HostedZoneId: id.replace('/hostedzone/', ''), Owner: { OwningAccount: ACCOUNT_A } }));
    failedWith(await cli(2, 'list-hosted-zones-by-vpc', '--vpc-id', VPC.b1, '--vpc-region', REGION), 'AccessDenied');
    ok(await cli(1, 'disassociate-vpc-from-hosted-zone', '--hosted-zone-id', id, '--vpc', vpcArg(VPC.b1)));
    failedWith(await cli(1, 'list-vpc-association-authorizations', '--hosted-zone-id', id), 'AccessDenied');
  });

  it('list-hosted-zones and list-hosted-zones-by-name: the CLI’s own pagination returns every zone of the caller', async () => {
    for (let i = 0; i < 3; i++) await newZone(VPC.a4);
    const all = ok(await cli(0, 'list-hosted-zones', '--page-size', '2'));
    const expected = world.zones.filter((z) => z.ownerId === ACCOUNT_A).map((z) => `/hostedzone/${z.id}`);
    expect(all.HostedZones.map((z: { Id: string }) => z.Id).sort()).toEqual(expected.sort());
    const byName = ok(await cli(0, 'list-hosted-zones-by-name', '--dns-name', 'cli.internal', '--max-items', '2'));
    expect(byName.HostedZones).toHaveLength(2);
    failedWith(await cli(0, 'list-hosted-zones', '--max-items', '1', '--starting-token', '!'), 'InvalidInput');
  });

  it('change-resource-record-sets / list-resource-record-sets: alias, wildcard \\052, InvalidChangeBatch, HostedZoneNotEmpty, delete', async () => {
    const { id } = await newZone(VPC.a2, 's3.us-east-1.amazonaws.com');
    const alias = { HostedZoneId: 'Z7HUB22UULQXV', DNSName: 'vpce-1.s3.us-east-1.vpce.amazonaws.com', EvaluateTargetHealth: true };
    const batch = {
      Changes: [
        { Action: 'CREATE', ResourceRecordSet: { Name: 's3.us-east-1.amazonaws.com', Type: 'A', AliasTarget: alias } },
        { Action: 'CREATE', ResourceRecordSet: { Name: '*.s3.us-east-1.amazonaws.com', Type: 'A', AliasTarget: alias } },
      ],
    };
    ok(await cli(0, 'change-resource-record-sets', '--hosted-zone-id', id, '--change-batch', JSON.stringify(batch)));
    const dup = await cli(0, 'change-resource-record-sets', '--hosted-zone-id', id, '--change-batch', JSON.stringify(batch));
    failedWith(dup, 'InvalidChangeBatch');
    expect(dup.stderr).toContain('but it already exists');
    const list = ok(await cli(0, 'list-resource-record-sets', '--hosted-zone-id', id, '--page-size', '1'));
    expect(list.ResourceRecordSets.map((r: { Name: string; Type: string }) => `${r.Name} ${r.Type}`)).toEqual([
      's3.us-east-1.amazonaws.com. A',
      's3.us-east-1.amazonaws.com. NS',
      's3.us-east-1.amazonaws.com. SOA',
      '\\052.s3.us-east-1.amazonaws.com. A',
    ]);
    failedWith(await cli(0, 'delete-hosted-zone', '--id', id), 'HostedZoneNotEmpty');
    const remove = { Changes: batch.Changes.map((c) => ({ ...c, Action: 'DELETE' })) };
    ok(await cli(0, 'change-resource-record-sets', '--hosted-zone-id', id, '--change-batch', JSON.stringify(remove)));
    expect(ok(await cli(0, 'delete-hosted-zone', '--id', id)).ChangeInfo.Status).toBe('PENDING');
    failedWith(await cli(0, 'list-resource-record-sets', '--hosted-zone-id', id), 'NoSuchHostedZone');
  });
});
