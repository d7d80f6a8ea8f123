// The twin enforces each account's IAM policy before an operation runs: a denied call gets the
// protocol's access-denied error (checked with the official SDK clients and raw requests) and
// never changes the world. Sources are cited per test; the facts are in docs/aws-facts.md
// "IAM: how the twin evaluates policies".
import { Sha256 } from '@aws-crypto/sha256-js';
import { DescribeVpcsCommand, EC2Client, ModifyVpcEndpointCommand } from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  GetHostedZoneCommand,
  ListHostedZonesCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { DescribeInstanceInformationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import { AccessDeniedException, DisassociateProfileCommand, Route53ProfilesClient } from '../../src/aws/route53profiles/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/twin/iam.js';
import { buildScenario } from '../../src/twin/scenario.js';
import type { World } from '../../src/twin/world.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

let t: TestTwin;
let world: World;
let A: string; // shared services: owns the zones, the endpoint and the Profile
let B: string;
const EXTRA_VPC = 'vpc-0a0a0a0a0a0a0a0a0';

beforeAll(async () => {
  world = buildScenario({ scenario: 'via-profile', vpcs: 3, accounts: 2, endpoints: 1, seed: 'iam-enforce' });
  A = world.accounts[0]!.id;
  B = world.accounts[1]!.id;
  // A second VPC of account A, not yet on the zone: a same-account association to try.
  world.vpcs.push({ id: EXTRA_VPC, ownerId: A, region: world.region, cidr: '10.200.0.0/16', name: 'extra-a' });
  t = await startTestTwin({ world });
});
afterAll(async () => t?.close());
afterEach(() => {
  for (const id of Object.keys(t.twin.policies())) t.twin.setPolicy(id, undefined);
});

const zone = () => world.zones[0]!;
const zoneArn = () => `arn:aws:route53:::hostedzone/${zone().id}`;
const userArn = (id: string) => `arn:aws:iam::${id}:user/twin`;
const policy = (...Statement: PolicyDocument['Statement'][]): PolicyDocument => ({ Version: '2012-10-17', Statement: Statement.flat() });
const sdk = (i: number) => ({ endpoint: t.url, region: world.region, credentials: { accessKeyId: t.accounts[i]!.accessKeyId, secretAccessKey: t.accounts[i]!.secretAccessKey }, maxAttempts: 1 });

async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to be refused');
}

describe('without a policy nothing changes: every call is allowed, as before', () => {
  it('an account with no policy attached is not evaluated', async () => {
    expect(t.twin.policies()).toEqual({});
    await expect(t.route53(0).send(new GetHostedZoneCommand({ Id: zone().id }))).resolves.toBeDefined();
  });
});

describe('Route 53: AccessDenied, 403, rest-xml ErrorResponse', () => {
  it('an implicit deny names the principal, the action and the zone ARN [peer: mattclay/aws-terminator#261]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*' }));
    const e = await rejection(t.route53(0).send(new GetHostedZoneCommand({ Id: zone().id })));
    expect(e.name).toBe('AccessDenied');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toBe(
      `User: ${userArn(A)} is not authorized to perform: route53:GetHostedZone on resource: ${zoneArn()} because no identity-based policy allows the route53:GetHostedZone action`,
    );
    await expect(t.route53(0).send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
  });

  it('an action without a resource is named without "on resource" [peer: ministryofjustice/modernisation-platform#1837]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53:*', Resource: 'arn:aws:route53:::hostedzone/*' }));
    const e = await rejection(t.route53(0).send(new ListHostedZonesCommand({})));
    expect(e.message).toBe(`User: ${userArn(A)} is not authorized to perform: route53:ListHostedZones because no identity-based policy allows the route53:ListHostedZones action`);
  });

  it('an explicit deny says so [IAM UG troubleshoot_access-denied]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53:*', Resource: '*' }, { Effect: 'Deny', Action: 'route53:GetHostedZone', Resource: zoneArn() }));
    const e = await rejection(t.route53(0).send(new GetHostedZoneCommand({ Id: zone().id })));
    expect(e.message).toBe(`User: ${userArn(A)} is not authorized to perform: route53:GetHostedZone on resource: ${zoneArn()} with an explicit deny in an identity-based policy`);
  });

  it('the raw answer is <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }));
    const before = t.twin.log.length;
    await rejection(t.route53(0).send(new ListHostedZonesCommand({})));
    const entry = t.twin.log.slice(before).find((x) => x.operation === 'ListHostedZones')!;
    expect(entry).toMatchObject({ outcome: 'denied', status: 403, errorCode: 'AccessDenied', principal: userArn(A), denied: { action: 'route53:ListHostedZones', resource: '*', decision: 'implicitDeny' } });
  });

  it('a denied mutation never reaches the world: the zone keeps its VPCs, no change is made, the log says denied', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: ['route53:Get*', 'route53:List*', 'ec2:DescribeVpcs'], Resource: '*' }));
    const before = JSON.stringify({ zones: world.zones, changes: world.changes });
    const logFrom = t.twin.log.length;
    const e = await rejection(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: EXTRA_VPC, VPCRegion: world.region as 'us-east-1' } })));
    expect(e.name).toBe('AccessDenied');
    expect(JSON.stringify({ zones: world.zones, changes: world.changes })).toBe(before);
    const entries = t.twin.log.slice(logFrom);
    expect(entries.filter((x) => x.mutating && x.outcome === 'ok')).toEqual([]);
    expect(entries.find((x) => x.operation === 'AssociateVPCWithHostedZone')).toMatchObject({ mutating: true, outcome: 'denied', denied: { action: 'route53:AssociateVPCWithHostedZone', resource: zoneArn() } });
  });

  it('route53:VPCs is "VPCId=<id>,VPCRegion=<region>" in lowercase: ForAnyValue:StringEquals admits that VPC only [R53 DG specifying-conditions-route53]', async () => {
    world.rules.priorRequestNotComplete = false;
    const other = world.vpcs.find((v) => v.ownerId === A && v.id !== EXTRA_VPC && !zone().vpcs.some((z) => z.vpcId === v.id));
    t.twin.setPolicy(
      A,
      policy(
        {
          Effect: 'Allow',
          Action: 'route53:AssociateVPCWithHostedZone',
          Resource: zoneArn(),
          Condition: { 'ForAnyValue:StringEquals': { 'route53:VPCs': [`VPCId=${EXTRA_VPC},VPCRegion=${world.region}`] } },
        },
        { Effect: 'Allow', Action: 'ec2:DescribeVpcs', Resource: '*' },
      ),
    );
    // The VPC id sent in capitals still yields the lowercase context value.
    await expect(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: EXTRA_VPC.toUpperCase(), VPCRegion: world.region as 'us-east-1' } }))).rejects.toMatchObject({
      name: expect.not.stringMatching(/AccessDenied/),
    });
    await expect(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: EXTRA_VPC, VPCRegion: world.region as 'us-east-1' } }))).resolves.toBeDefined();
    expect(zone().vpcs.map((v) => v.vpcId)).toContain(EXTRA_VPC);
    if (other) {
      const e = await rejection(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: other.id, VPCRegion: world.region as 'us-east-1' } })));
      expect(e.name).toBe('AccessDenied');
    }
    const e = await rejection(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: world.vpcs[1]!.id, VPCRegion: world.region as 'us-east-1' } })));
    expect(e.name).toBe('AccessDenied');
  });

  it('a private-zone association also needs ec2:DescribeVpcs [R53 DG r53-api-permissions-ref]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53:*', Resource: '*' }));
    const e = await rejection(t.route53(0).send(new AssociateVPCWithHostedZoneCommand({ HostedZoneId: zone().id, VPC: { VPCId: world.vpcs[1]!.id, VPCRegion: world.region as 'us-east-1' } })));
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toBe(`User: ${userArn(A)} is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`);
  });

  it('ChangeResourceRecordSets carries its actions, normalized names and types: a DELETE-only policy refuses an UPSERT [R53 DG specifying-conditions-route53]', async () => {
    t.twin.setPolicy(
      A,
      policy({
        Effect: 'Allow',
        Action: 'route53:ChangeResourceRecordSets',
        Resource: zoneArn(),
        Condition: { 'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsActions': ['DELETE'] }, 'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['*'] } },
      }),
    );
    const name = `probe.${zone().name}`;
    const e = await rejection(
      t.route53(0).send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: zone().id,
          ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: name, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
        }),
      ),
    );
    expect(e.name).toBe('AccessDenied');
    expect(zone().records.some((r) => r.name === name)).toBe(false);
  });
});

describe('EC2: UnauthorizedOperation, 403, Response/Errors/Error XML', () => {
  it('a describe call: "You are not authorized to perform this operation." then the reason, no resource, no encoded message [peer: hashicorp/terraform-provider-aws#34234]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53:*', Resource: '*' }));
    const e = await rejection(new EC2Client(sdk(0)).send(new DescribeVpcsCommand({})));
    expect(e.name).toBe('UnauthorizedOperation');
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toBe(
      `You are not authorized to perform this operation. User: ${userArn(A)} is not authorized to perform: ec2:DescribeVpcs because no identity-based policy allows the ec2:DescribeVpcs action`,
    );
  });

  it('ModifyVpcEndpoint is authorized on arn:aws:ec2:REGION:ACCOUNT:vpc-endpoint/ID; denied, it adds an encoded failure message and leaves the endpoint as it was [peer: aws/karpenter-provider-aws#7370; facts-2 §5]', async () => {
    const ep = world.endpoints[0]!;
    const epArn = `arn:aws:ec2:${world.region}:${A}:vpc-endpoint/${ep.id}`;
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ec2:ModifyVpcEndpoint', Resource: `arn:aws:ec2:${world.region}:${A}:vpc-endpoint/vpce-other` }));
    const before = JSON.stringify(ep);
    const e = await rejection(new EC2Client(sdk(0)).send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.id, PrivateDnsEnabled: true })));
    expect(e.name).toBe('UnauthorizedOperation');
    const m = /^You are not authorized to perform this operation\. User: (\S+) is not authorized to perform: ec2:ModifyVpcEndpoint on resource: (\S+) because no identity-based policy allows the ec2:ModifyVpcEndpoint action\. Encoded authorization failure message: ([\w-]+)$/.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(m![1]).toBe(userArn(A));
    expect(m![2]).toBe(epArn);
    expect(JSON.parse(Buffer.from(m![3]!, 'base64url').toString())).toMatchObject({ allowed: false, explicitDeny: false, context: { action: 'ec2:ModifyVpcEndpoint', resource: epArn } });
    expect(JSON.stringify(ep)).toBe(before);
    // The same endpoint ARN in the policy lets it through.
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ec2:ModifyVpcEndpoint', Resource: epArn }));
    await expect(new EC2Client(sdk(0)).send(new ModifyVpcEndpointCommand({ VpcEndpointId: ep.id, PrivateDnsEnabled: true, DryRun: true }))).rejects.toMatchObject({ name: 'DryRunOperation' });
  });
});

describe('Route 53 Profiles: AccessDeniedException, REST-JSON (x-amzn-ErrorType)', () => {
  async function send(i: number, method: string, path: string, body?: object) {
    const url = new URL(t.url);
    const acct = t.accounts[i]!;
    const signer = new SignatureV4({ service: 'route53profiles', region: world.region, credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey }, sha256: Sha256 });
    const text = body ? JSON.stringify(body) : undefined;
    const headers: Record<string, string> = { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) };
    const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, headers, body: text });
    const res = await fetch(`${t.url}${path}`, { method, headers: signed.headers as Record<string, string>, body: text });
    const raw = await res.text();
    return { status: res.status, headers: res.headers, json: raw ? JSON.parse(raw) : undefined };
  }

  it('AssociateProfile takes Resource "*" and route53profiles:ResourceIds (the VPC id) [SAR list_route53profiles; R53 DG specifying-conditions-route53]', async () => {
    const profile = world.profiles[0]!;
    t.twin.setPolicy(B, policy({ Effect: 'Allow', Action: 'route53profiles:AssociateProfile', Resource: '*', Condition: { StringEquals: { 'route53profiles:ResourceIds': 'vpc-0nothing0000000' } } }));
    const before = world.profileAssociations.length;
    const vpc = world.vpcs.find((v) => v.ownerId === B)!;
    // via-profile: the VPC is already on the Profile, but the denial comes first.
    const r = await send(1, 'POST', '/profileassociation', { Name: 'x', ProfileId: profile.id, ResourceId: vpc.id });
    expect(r.status).toBe(403);
    expect(r.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(r.json).toEqual({
      __type: 'AccessDeniedException',
      Message: `User: ${userArn(B)} is not authorized to perform: route53profiles:AssociateProfile on resource: * because no identity-based policy allows the route53profiles:AssociateProfile action`,
    });
    expect(world.profileAssociations.length).toBe(before);
  });

  it("the app's Profiles client reads it as AccessDeniedException; DisassociateProfile carries ResourceIds from the path", async () => {
    const profile = world.profiles[0]!;
    const vpc = world.vpcs.find((v) => v.ownerId === B)!;
    t.twin.setPolicy(B, policy({ Effect: 'Allow', Action: 'route53profiles:DisassociateProfile', Resource: '*', Condition: { StringEquals: { 'route53profiles:ResourceIds': 'vpc-0other00000000000' } } }));
    const before = JSON.stringify(world.profileAssociations);
    const e = await rejection(new Route53ProfilesClient(sdk(1)).send(new DisassociateProfileCommand({ ProfileId: profile.id, ResourceId: vpc.id })));
    expect(e).toBeInstanceOf(AccessDeniedException);
    expect(e.$metadata.httpStatusCode).toBe(403);
    expect(e.message).toContain(`route53profiles:DisassociateProfile on resource: * because no identity-based policy allows`);
    expect(JSON.stringify(world.profileAssociations)).toBe(before);
  });

  it('AssociateResourceToProfile carries ResourceTypes (VPCEndpoint / HostedZone) and ResourceArns [R53 DG specifying-conditions-route53]', async () => {
    const profile = world.profiles[0]!;
    const ep = world.endpoints[0]!;
    const epArn = `arn:aws:ec2:${world.region}:${A}:vpc-endpoint/${ep.id}`;
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'route53profiles:AssociateResourceToProfile', Resource: '*', Condition: { StringEquals: { 'route53profiles:ResourceTypes': 'HostedZone' } } }));
    const denied = await send(0, 'POST', '/profileresourceassociation', { Name: 'ep', ProfileId: profile.id, ResourceArn: epArn });
    expect(denied.status).toBe(403);
    expect(denied.json.__type).toBe('AccessDeniedException');
    t.twin.setPolicy(
      A,
      policy({
        Effect: 'Allow',
        Action: 'route53profiles:AssociateResourceToProfile',
        Resource: '*',
        Condition: { StringEquals: { 'route53profiles:ResourceTypes': 'VPCEndpoint' }, ArnLike: { 'route53profiles:ResourceArns': `arn:aws:ec2:*:${A}:vpc-endpoint/*` } },
      }),
    );
    const allowed = await send(0, 'POST', '/profileresourceassociation', { Name: 'ep', ProfileId: profile.id, ResourceArn: epArn });
    // Past IAM: the operation's own answer (the twin refuses a zone and an endpoint of one name on a Profile).
    expect(allowed.json?.__type).not.toBe('AccessDeniedException');
  });
});

describe('SSM: AccessDeniedException, HTTP 400, JSON 1.1 __type', () => {
  it('a call without resource says "on resource: *" [peer: terraform-aws-modules/terraform-aws-iam#347]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ec2:*', Resource: '*' }));
    const e = await rejection(new SSMClient(sdk(0)).send(new DescribeInstanceInformationCommand({})));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe(`User: ${userArn(A)} is not authorized to perform: ssm:DescribeInstanceInformation on resource: * because no identity-based policy allows the ssm:DescribeInstanceInformation action`);
  });

  it('SendCommand is authorized on the document and on each instance: an instance outside the policy is refused [facts-2 §1 SAR]', async () => {
    const inst = world.instances.find((i) => i.ownerId === A)!;
    const instArn = `arn:aws:ec2:${world.region}:${A}:instance/${inst.id}`;
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ssm:SendCommand', Resource: `arn:aws:ssm:${world.region}::document/AWS-RunShellScript` }));
    const before = world.commands.length;
    const e = await rejection(new SSMClient(sdk(0)).send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [inst.id], Parameters: { commands: ['true'] } })));
    expect(e.name).toBe('AccessDeniedException');
    expect(e.message).toContain(`ssm:SendCommand on resource: ${instArn} because`);
    expect(world.commands.length).toBe(before);
    t.twin.setPolicy(A, policy({ Effect: 'Allow', Action: 'ssm:SendCommand', Resource: [`arn:aws:ssm:${world.region}::document/AWS-RunShellScript`, `arn:aws:ec2:${world.region}:${A}:instance/*`] }));
    await expect(new SSMClient(sdk(0)).send(new SendCommandCommand({ DocumentName: 'AWS-RunShellScript', InstanceIds: [inst.id], Parameters: { commands: ['true'] } }))).resolves.toBeDefined();
  });
});

describe('STS and role sessions', () => {
  const roleArnB = () => `arn:aws:iam::${B}:role/r53migrate`;
  const sessionCreds = (name: string) =>
    fromTemporaryCredentials({
      params: { RoleArn: roleArnB(), RoleSessionName: name },
      masterCredentials: { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: t.accounts[0]!.secretAccessKey },
      clientConfig: { endpoint: t.url, region: world.region, maxAttempts: 1 },
    });

  it('GetCallerIdentity for a role session is arn:aws:sts::ID:assumed-role/ROLE/SESSION with UserId ROLEID:SESSION [STS API reference GetCallerIdentity]', async () => {
    const sts = new STSClient({ endpoint: t.url, region: world.region, credentials: sessionCreds('who-am-i'), maxAttempts: 1 });
    const who = await sts.send(new GetCallerIdentityCommand({}));
    expect(who.Account).toBe(B);
    expect(who.Arn).toBe(`arn:aws:sts::${B}:assumed-role/r53migrate/who-am-i`);
    expect(who.UserId).toMatch(/^AROA[A-Z2-7]{17}:who-am-i$/);
    const assumed = await new STSClient(sdk(0)).send(new AssumeRoleCommand({ RoleArn: roleArnB(), RoleSessionName: 'who-am-i' }));
    expect(assumed.AssumedRoleUser).toEqual({ Arn: who.Arn, AssumedRoleId: who.UserId });
  });

  it("a role session gets its account's policy, and is named as the session in the denial", async () => {
    t.twin.setPolicy(B, policy({ Effect: 'Allow', Action: 'route53:GetHostedZone', Resource: '*' }));
    const r53 = new Route53Client({ endpoint: t.url, region: world.region, credentials: sessionCreds('migrator'), maxAttempts: 1 });
    const e = await rejection(r53.send(new ListHostedZonesCommand({})));
    expect(e.name).toBe('AccessDenied');
    expect(e.message).toBe(`User: arn:aws:sts::${B}:assumed-role/r53migrate/migrator is not authorized to perform: route53:ListHostedZones because no identity-based policy allows the route53:ListHostedZones action`);
  });

  it('aws:PrincipalArn of a session is the role ARN [IAM UG condition-keys aws:PrincipalArn]', async () => {
    t.twin.setPolicy(B, policy({ Effect: 'Allow', Action: 'route53:ListHostedZones', Resource: '*', Condition: { ArnEquals: { 'aws:PrincipalArn': roleArnB() } } }));
    const r53 = new Route53Client({ endpoint: t.url, region: world.region, credentials: sessionCreds('role-arn'), maxAttempts: 1 });
    await expect(r53.send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
    // The static-key user of the same account is not the role.
    await expect(t.route53(1).send(new ListHostedZonesCommand({}))).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('GetCallerIdentity needs no permission, even under an explicit deny; AssumeRole is governed by the trust policy only [STS API reference]', async () => {
    t.twin.setPolicy(A, policy({ Effect: 'Deny', Action: 'sts:*', Resource: '*' }));
    const who = await new STSClient(sdk(0)).send(new GetCallerIdentityCommand({}));
    expect(who.Arn).toBe(userArn(A));
    await expect(new STSClient(sdk(0)).send(new AssumeRoleCommand({ RoleArn: roleArnB(), RoleSessionName: 'trusted' }))).resolves.toBeDefined();
  });
});

describe('attaching policies', () => {
  it('setPolicy refuses a malformed document with every problem, and an unknown account', () => {
    expect(() => t.twin.setPolicy(A, { Statement: [{ Effect: 'Permit' }] } as never)).toThrow(/Statement\[0\]\.Effect must be "Allow" or "Deny"/);
    expect(() => t.twin.setPolicy('000000000000', policy({ Effect: 'Allow', Action: '*', Resource: '*' }))).toThrow(/no account 000000000000/);
  });

  it('PUT /_twin/iam replaces the policies, GET reads them, a malformed one changes nothing (400 with problems)', async () => {
    const doc = policy({ Effect: 'Allow', Action: 'route53:*', Resource: '*' });
    const put = await fetch(`${t.url}/_twin/iam`, { method: 'PUT', body: JSON.stringify({ [A]: doc }) });
    expect(put.status).toBe(200);
    expect(await (await fetch(`${t.url}/_twin/iam`)).json()).toEqual({ [A]: doc });
    const bad = await fetch(`${t.url}/_twin/iam`, { method: 'PUT', body: JSON.stringify({ [B]: { Statement: [{ Effect: 'Allow', Action: 'route53:*' }] }, '999999999999': null }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: 'policies not attached', problems: [`${B}: Statement[0] needs Resource or NotResource`, '999999999999: no such account in the twin'] });
    expect(t.twin.policies()).toEqual({ [A]: doc });
    const cleared = await fetch(`${t.url}/_twin/iam`, { method: 'PUT', body: JSON.stringify({ [A]: null }) });
    expect(await cleared.json()).toEqual({});
  });
});
