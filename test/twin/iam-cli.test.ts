// The access-denied answer of each protocol and the policy simulator through the AWS CLI
// (botocore 1.43): a second, independent client must read the same error code the SDK reads.
// Facts and sources: test/twin/iam-enforce.test.ts, docs/aws-facts.md "IAM: how the twin evaluates policies".
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/twin/iam.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

const available = referee('aws', 'AWS CLI fidelity (IAM enforcement and simulator)');

let t: TestTwin;
let A: string;

const cli = (...args: string[]): Promise<AwsCliResult> => awsCli(args, t.cli(0));
const deniedWith = (r: AwsCliResult, code: string) => {
  expect(r.code, r.stdout).not.toBe(0);
  expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
};
const ok = (r: AwsCliResult) => {
  if (r.code !== 0) throw new Error(`aws exited ${r.code}: ${r.stderr}`);
  return r.json;
};
const ONLY_SIMULATE: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'Simulate', Effect: 'Allow', Action: 'iam:SimulatePrincipalPolicy', Resource: '*' }] };

describe.skipIf(!available)('IAM through the AWS CLI', () => {
  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'via-profile', vpcs: 3, accounts: 2, seed: 'iam-cli' });
    A = t.accounts[0]!.id;
  });
  afterAll(async () => t?.close());
  afterEach(() => t.twin.setPolicy(A, undefined));

  it('each protocol names its own access-denied code: AccessDenied (Route 53), UnauthorizedOperation (EC2), AccessDeniedException (Profiles, SSM)', async () => {
    t.twin.setPolicy(A, ONLY_SIMULATE);
    const r53 = await cli('route53', 'list-hosted-zones');
    deniedWith(r53, 'AccessDenied');
    expect(r53.stderr).toContain(`User: arn:aws:iam::${A}:user/twin is not authorized to perform: route53:ListHostedZones because no identity-based policy allows the route53:ListHostedZones action`);
    const ec2 = await cli('ec2', 'describe-vpcs');
    deniedWith(ec2, 'UnauthorizedOperation');
    expect(ec2.stderr).toContain('You are not authorized to perform this operation. User:');
    deniedWith(await cli('route53profiles', 'list-profiles'), 'AccessDeniedException');
    deniedWith(await cli('ssm', 'describe-instance-information'), 'AccessDeniedException');
    // GetCallerIdentity needs no permission.
    expect(ok(await cli('sts', 'get-caller-identity')).Arn).toBe(`arn:aws:iam::${A}:user/twin`);
  });

  it('a denied ModifyVpcEndpoint prints an encoded authorization failure message', async () => {
    t.twin.setPolicy(A, ONLY_SIMULATE);
    const ep = t.world.endpoints[0]!;
    const r = await cli('ec2', 'modify-vpc-endpoint', '--vpc-endpoint-id', ep.id, '--private-dns-enabled');
    deniedWith(r, 'UnauthorizedOperation');
    expect(r.stderr).toMatch(new RegExp(`ec2:ModifyVpcEndpoint on resource: arn:aws:ec2:${t.world.region}:${A}:vpc-endpoint/${ep.id} because .*Encoded authorization failure message: [\\w-]+`));
    expect(ep.privateDnsEnabled).toBe(false);
  });

  it('aws iam simulate-principal-policy: allowed / implicitDeny / explicitDeny, with context entries', async () => {
    t.twin.setPolicy(A, {
      Version: '2012-10-17',
      Statement: [
        ...(ONLY_SIMULATE.Statement as never[]),
        {
          Effect: 'Allow',
          Action: 'route53:AssociateVPCWithHostedZone',
          Resource: '*',
          Condition: { 'ForAnyValue:StringEquals': { 'route53:VPCs': ['VPCId=vpc-0aaaaaaaaaaaaaaa1,VPCRegion=us-east-1'] } },
        },
        { Effect: 'Deny', Action: 'route53:DeleteHostedZone', Resource: '*' },
      ],
    });
    const out = ok(
      await cli(
        'iam',
        'simulate-principal-policy',
        '--policy-source-arn',
        `arn:aws:iam::${A}:user/twin`,
        '--action-names',
        'route53:AssociateVPCWithHostedZone',
        'route53:DeleteHostedZone',
        'ec2:DescribeVpcs',
        '--context-entries',
        JSON.stringify([{ ContextKeyName: 'route53:VPCs', ContextKeyValues: ['VPCId=vpc-0aaaaaaaaaaaaaaa1,VPCRegion=us-east-1'], ContextKeyType: 'stringList' }]),
      ),
    );
    expect(out.EvaluationResults.map((r: { EvalActionName: string; EvalDecision: string }) => [r.EvalActionName, r.EvalDecision])).toEqual([
      ['route53:AssociateVPCWithHostedZone', 'allowed'],
      ['route53:DeleteHostedZone', 'explicitDeny'],
      ['ec2:DescribeVpcs', 'implicitDeny'],
    ]);
    expect(out.EvaluationResults[0].MatchedStatements[0]).toMatchObject({ SourcePolicyId: 'r53migrate', SourcePolicyType: 'user' });
  });

  it('aws iam simulate-principal-policy without iam:SimulatePrincipalPolicy: AccessDenied; an unknown user: NoSuchEntity', async () => {
    t.twin.setPolicy(A, { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'route53:*', Resource: '*' }] });
    deniedWith(await cli('iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${A}:user/twin`, '--action-names', 'route53:ListHostedZones'), 'AccessDenied');
    t.twin.setPolicy(A, undefined);
    deniedWith(await cli('iam', 'simulate-principal-policy', '--policy-source-arn', `arn:aws:iam::${A}:user/ghost`, '--action-names', 'route53:ListHostedZones'), 'NoSuchEntity');
  });
});
