// IAM's policy simulator on the twin (SimulatePrincipalPolicy, query protocol 2010-05-08) through
// the official SDK client. Wire contract: botocore data/iam/2010-05-08/service-2.json
// (SimulatePrincipalPolicyRequest, SimulatePolicyResponse, EvaluationResult, NoSuchEntity 404);
// "each action is evaluated for each resource" is the model's documentation of ActionNames and
// ResourceArns. Evaluation rules: test/twin/iam-eval.test.ts.
import { IAMClient, paginateSimulatePrincipalPolicy, SimulatePrincipalPolicyCommand } from '@aws-sdk/client-iam';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument, PolicyStatement } from '../../src/twin/iam.js';
import { statementPositions } from '../../src/twin/wire/iam.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

let t: TestTwin;
let A: string;
let B: string;

beforeAll(async () => {
  t = await startTestTwin({ scenario: 'via-profile', vpcs: 3, accounts: 2, seed: 'iam-simulate' });
  A = t.accounts[0]!.id;
  B = t.accounts[1]!.id;
});
afterAll(async () => t?.close());
afterEach(() => {
  for (const id of Object.keys(t.twin.policies())) t.twin.setPolicy(id, undefined);
});

// IAM is global: the SDK signs for us-east-1 with the credential scope service "iam".
const iam = (i = 0) =>
  new IAMClient({ endpoint: t.url, region: 'us-east-1', credentials: { accessKeyId: t.accounts[i]!.accessKeyId, secretAccessKey: t.accounts[i]!.secretAccessKey }, maxAttempts: 1 });
const user = (id: string) => `arn:aws:iam::${id}:user/twin`;
const role = (id: string) => `arn:aws:iam::${id}:role/r53migrate`;
const ZONE = 'arn:aws:route53:::hostedzone/Z0SIMULATED0000000001';
const VPCS = (vpc: string) => `VPCId=${vpc},VPCRegion=us-east-1`;

const POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Simulate', Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: '*' },
    { Sid: 'Reads', Effect: 'Allow', Action: ['route53:Get*', 'route53:List*'], Resource: '*' },
    {
      Sid: 'Associate',
      Effect: 'Allow',
      Action: 'route53:AssociateVPCWithHostedZone',
      Resource: 'arn:aws:route53:::hostedzone/*',
      Condition: { 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPCS('vpc-0aaaaaaaaaaaaaaa1')] } },
    },
    { Sid: 'NoDelete', Effect: 'Deny', Action: 'route53:DeleteHostedZone', Resource: '*' },
  ],
};

describe('SimulatePrincipalPolicy', () => {
  it('allowed / implicitDeny / explicitDeny per action, with the matched statements of the user policy', async () => {
    t.twin.setPolicy(A, POLICY);
    const out = await iam().send(
      new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['route53:GetHostedZone', 'ec2:ModifyVpcEndpoint', 'route53:DeleteHostedZone'] }),
    );
    expect(out.IsTruncated).toBe(false);
    const byAction = Object.fromEntries(out.EvaluationResults!.map((r) => [r.EvalActionName, r]));
    expect(byAction['route53:GetHostedZone']).toMatchObject({ EvalResourceName: '*', EvalDecision: 'allowed' });
    expect(byAction['ec2:ModifyVpcEndpoint']).toMatchObject({ EvalDecision: 'implicitDeny', MatchedStatements: [] });
    expect(byAction['route53:DeleteHostedZone']!.EvalDecision).toBe('explicitDeny');
    const positions = statementPositions(POLICY);
    expect(byAction['route53:GetHostedZone']!.MatchedStatements).toEqual([
      { SourcePolicyId: 'r53migrate', SourcePolicyType: 'user', StartPosition: { Line: positions[1]!.start.line, Column: positions[1]!.start.column }, EndPosition: { Line: positions[1]!.end.line, Column: positions[1]!.end.column } },
    ]);
    // An explicit deny reports the deny statement only [model: ResourceSpecificResult.MatchedStatements].
    expect(byAction['route53:DeleteHostedZone']!.MatchedStatements).toHaveLength(1);
    expect(byAction['route53:DeleteHostedZone']!.MatchedStatements![0]!.StartPosition!.Line).toBe(positions[3]!.start.line);
  });

  it('each action is evaluated against each resource ARN given; context entries feed the conditions', async () => {
    t.twin.setPolicy(A, POLICY);
    const out = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: user(A),
        ActionNames: ['route53:AssociateVPCWithHostedZone', 'route53:GetHostedZone'],
        ResourceArns: [ZONE, 'arn:aws:route53:::change/C1'],
        ContextEntries: [{ ContextKeyName: 'route53:VPCs', ContextKeyValues: [VPCS('vpc-0aaaaaaaaaaaaaaa1')], ContextKeyType: 'stringList' }],
      }),
    );
    expect(out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision])).toEqual([
      ['route53:AssociateVPCWithHostedZone', ZONE, 'allowed'],
      ['route53:AssociateVPCWithHostedZone', 'arn:aws:route53:::change/C1', 'implicitDeny'],
      ['route53:GetHostedZone', ZONE, 'allowed'],
      ['route53:GetHostedZone', 'arn:aws:route53:::change/C1', 'allowed'],
    ]);
    expect(out.EvaluationResults![0]!.ResourceSpecificResults).toEqual([expect.objectContaining({ EvalResourceName: ZONE, EvalResourceDecision: 'allowed' })]);
  });

  it('a condition key the request lacks is a missing context value (under ResourceSpecificResults when resources are listed), and the condition does not hold', async () => {
    t.twin.setPolicy(A, POLICY);
    const listed = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['route53:AssociateVPCWithHostedZone'], ResourceArns: [ZONE] }));
    expect(listed.EvaluationResults![0]).toMatchObject({ EvalDecision: 'implicitDeny', MissingContextValues: [] });
    expect(listed.EvaluationResults![0]!.ResourceSpecificResults![0]).toMatchObject({ EvalResourceDecision: 'implicitDeny', MissingContextValues: ['route53:VPCs'] });
    const other = await iam().send(
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: user(A),
        ActionNames: ['route53:AssociateVPCWithHostedZone'],
        ResourceArns: [ZONE],
        ContextEntries: [{ ContextKeyName: 'route53:VPCs', ContextKeyValues: [VPCS('vpc-0bbbbbbbbbbbbbbb1')], ContextKeyType: 'stringList' }],
      }),
    );
    expect(other.EvaluationResults![0]!.ResourceSpecificResults![0]).toMatchObject({ EvalResourceDecision: 'implicitDeny', MissingContextValues: [] });
    // With no ResourceArns ("*") they are reported at the top level [model: EvaluationResult.MissingContextValues].
    t.twin.setPolicy(A, {
      Version: '2012-10-17',
      Statement: [
        ...(POLICY.Statement as PolicyStatement[]),
        { Effect: 'Allow', Action: 'route53profiles:AssociateProfile', Resource: '*', Condition: { StringEquals: { 'route53profiles:ResourceIds': 'vpc-0aaaaaaaaaaaaaaa1' } } },
      ],
    });
    const star = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['route53profiles:AssociateProfile'] }));
    expect(star.EvaluationResults![0]).toMatchObject({ EvalResourceName: '*', EvalDecision: 'implicitDeny', MissingContextValues: ['route53profiles:ResourceIds'] });
    expect(star.EvaluationResults![0]!.ResourceSpecificResults ?? []).toEqual([]);
  });

  it('the role of the account has the same policy (SourcePolicyType role); a role session may simulate its role', async () => {
    t.twin.setPolicy(B, POLICY);
    const credentials = fromTemporaryCredentials({
      params: { RoleArn: role(B), RoleSessionName: 'preflight' },
      masterCredentials: { accessKeyId: t.accounts[0]!.accessKeyId, secretAccessKey: t.accounts[0]!.secretAccessKey },
      clientConfig: { endpoint: t.url, region: 'us-east-1', maxAttempts: 1 },
    });
    const client = new IAMClient({ endpoint: t.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    const out = await client.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role(B), ActionNames: ['route53:ListHostedZones', 'route53:DeleteHostedZone'] }));
    expect(out.EvaluationResults!.map((r) => r.EvalDecision)).toEqual(['allowed', 'explicitDeny']);
    expect(out.EvaluationResults![0]!.MatchedStatements![0]!.SourcePolicyType).toBe('role');
  });

  it('the caller needs iam:SimulatePrincipalPolicy itself: without it, AccessDenied (403) on the simulated ARN', async () => {
    t.twin.setPolicy(A, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'route53:*', Resource: '*' }] });
    await expect(iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['route53:ListHostedZones'] }))).rejects.toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
      message: `User: ${user(A)} is not authorized to perform: iam:SimulatePrincipalPolicy on resource: ${user(A)} because no identity-based policy allows the iam:SimulatePrincipalPolicy action`,
    });
  });

  it('an account without a policy simulates as allowed for everything (what the twin enforces), under an AWS managed AdministratorAccess', async () => {
    const out = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['ec2:ModifyVpcEndpoint'] }));
    expect(out.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'AdministratorAccess', SourcePolicyType: 'aws-managed' })] });
  });

  it('an unknown user or role, or another account\'s, is NoSuchEntity (404)', async () => {
    await expect(iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${A}:user/nobody`, ActionNames: ['route53:ListHostedZones'] }))).rejects.toMatchObject({
      name: 'NoSuchEntityException',
      $metadata: { httpStatusCode: 404 },
      message: 'The user with name nobody cannot be found.',
    });
    await expect(iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: role(B), ActionNames: ['route53:ListHostedZones'] }))).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });

  it('PolicyInputList adds policies to the simulation (SourcePolicyType none)', async () => {
    t.twin.setPolicy(A, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: '*' }] });
    const extra = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ec2:Describe*', Resource: '*' }] });
    const out = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: ['ec2:DescribeVpcs'], PolicyInputList: [extra] }));
    expect(out.EvaluationResults![0]).toMatchObject({ EvalDecision: 'allowed', MatchedStatements: [expect.objectContaining({ SourcePolicyId: 'PolicyInputList.1', SourcePolicyType: 'none' })] });
  });

  it('MaxItems / Marker page through the results (the SDK paginator gets them all)', async () => {
    t.twin.setPolicy(A, POLICY);
    const actions = ['route53:GetHostedZone', 'route53:ListHostedZones', 'route53:DeleteHostedZone', 'ec2:DescribeVpcs', 'ssm:SendCommand'];
    const first = await iam().send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: user(A), ActionNames: actions, MaxItems: 2 }));
    expect(first).toMatchObject({ IsTruncated: true, Marker: '2' });
    expect(first.EvaluationResults).toHaveLength(2);
    const all: string[] = [];
    for await (const page of paginateSimulatePrincipalPolicy({ client: iam(), pageSize: 2 }, { PolicySourceArn: user(A), ActionNames: actions })) {
      all.push(...page.EvaluationResults!.map((r) => r.EvalActionName!));
    }
    expect(all).toEqual(actions);
  });
});
