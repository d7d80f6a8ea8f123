// IAM identity-policy evaluation (src/twin/iam.ts), one test per documented rule. Sources:
//   [IAM UG Interplay]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_AccessPolicyLanguage_Interplay.html
//   [IAM UG Action]     https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html
//   [IAM UG Resource]   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html
//   [IAM UG Operators]  https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
//   [IAM UG Multi]      https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
//   [IAM UG MultiEx]    https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html
//   [R53 DG Cond]       https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/specifying-conditions-route53.html
import { describe, expect, it } from 'vitest';
import {
  evaluatePolicies,
  parsePolicyDocument,
  PolicyDocumentError,
  validatePolicyDocument,
  type AuthorizationRequest,
  type PolicyDocument,
  type PolicyStatement,
} from '../../src/twin/iam.js';

const ZONE = 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHIJ';
const VPC_A = 'VPCId=vpc-0aaaaaaaaaaaaaaa1,VPCRegion=us-east-1';
const VPC_B = 'VPCId=vpc-0bbbbbbbbbbbbbbb1,VPCRegion=us-east-1';

function decide(statements: PolicyStatement[], req: Partial<AuthorizationRequest>) {
  const doc: PolicyDocument = { Version: '2012-10-17', Statement: statements };
  return evaluatePolicies([{ id: 'p', type: 'user', document: doc }], { action: 'route53:GetHostedZone', resource: ZONE, context: {}, ...req });
}
const allow = (extra: Partial<PolicyStatement> = {}): PolicyStatement => ({ Effect: 'Allow', Action: 'route53:*', Resource: '*', ...extra });

describe('IAM evaluation: explicit deny, allow, implicit deny [IAM UG Interplay]', () => {
  it('an explicit Deny wins over an Allow for the same request', () => {
    const e = decide([allow({ Sid: 'A' }), { Sid: 'D', Effect: 'Deny', Action: 'route53:GetHostedZone', Resource: ZONE }], {});
    expect(e.decision).toBe('explicitDeny');
    expect(e.matched.map((m) => m.sid)).toEqual(['D']);
  });
  it('an Allow that applies and no Deny: allowed, with the allowing statements', () => {
    const e = decide([allow({ Sid: 'A' }), allow({ Sid: 'B', Action: 'route53:Get*' })], {});
    expect(e.decision).toBe('allowed');
    expect(e.matched.map((m) => m.sid)).toEqual(['A', 'B']);
  });
  it('no applicable statement: implicit deny (principals are denied by default)', () => {
    expect(decide([allow({ Action: 'ec2:*' })], {}).decision).toBe('implicitDeny');
    expect(evaluatePolicies([], { action: 'route53:GetHostedZone', resource: ZONE, context: {} }).decision).toBe('implicitDeny');
  });
  it('a Deny that does not apply (other resource) leaves the Allow in force', () => {
    expect(decide([allow(), { Effect: 'Deny', Action: '*', Resource: 'arn:aws:route53:::hostedzone/ZOTHER' }], {}).decision).toBe('allowed');
  });
  it('a lone Statement object (not an array) is one statement', () => {
    const doc: PolicyDocument = { Version: '2012-10-17', Statement: allow() };
    expect(evaluatePolicies([{ id: 'p', type: 'user', document: doc }], { action: 'route53:GetChange', resource: '*', context: {} }).decision).toBe('allowed');
  });
});

describe('Action: service prefix and name are case-insensitive, * and ? wildcards [IAM UG Action]', () => {
  it('case does not matter in the prefix or the name', () => {
    expect(decide([allow({ Action: 'ROUTE53:gethostedzone' })], {}).decision).toBe('allowed');
  });
  it('* matches any run of characters, ? exactly one', () => {
    expect(decide([allow({ Action: 'route53:Get*' })], {}).decision).toBe('allowed');
    expect(decide([allow({ Action: 'route53:GetHostedZon?' })], {}).decision).toBe('allowed');
    expect(decide([allow({ Action: 'route53:GetHostedZo?' })], {}).decision).toBe('implicitDeny');
    expect(decide([allow({ Action: '*' })], {}).decision).toBe('allowed');
  });
  it('NotAction: the statement applies to every action except those listed', () => {
    expect(decide([{ Effect: 'Allow', NotAction: 'route53:Delete*', Resource: '*' }], {}).decision).toBe('allowed');
    expect(decide([{ Effect: 'Allow', NotAction: ['route53:Get*'], Resource: '*' }], {}).decision).toBe('implicitDeny');
    // A Deny with NotAction denies everything else.
    expect(decide([allow(), { Effect: 'Deny', NotAction: 'ec2:*', Resource: '*' }], {}).decision).toBe('explicitDeny');
  });
});

describe('Resource: ARNs with * and ? wildcards, case-sensitive [IAM UG Resource]', () => {
  it('a wildcard ARN covers the zone; * alone covers everything', () => {
    expect(decide([allow({ Resource: 'arn:aws:route53:::hostedzone/*' })], {}).decision).toBe('allowed');
    expect(decide([allow({ Resource: 'arn:aws:route53:::hostedzone/Z0123456789ABCDEFGHI?' })], {}).decision).toBe('allowed');
  });
  it('resource matching is case-sensitive', () => {
    expect(decide([allow({ Resource: 'arn:aws:route53:::hostedzone/z0123456789abcdefghij' })], {}).decision).toBe('implicitDeny');
  });
  it('NotResource: applies to every resource except those listed', () => {
    expect(decide([{ Effect: 'Deny', Action: '*', NotResource: ZONE }, allow()], {}).decision).toBe('allowed');
    expect(decide([{ Effect: 'Deny', Action: '*', NotResource: 'arn:aws:route53:::hostedzone/ZOTHER' }, allow()], {}).decision).toBe('explicitDeny');
  });
  it('a statement scoped to one zone does not cover another, nor an action without resource ("*")', () => {
    expect(decide([allow({ Resource: ZONE })], { resource: 'arn:aws:route53:::hostedzone/ZOTHER' }).decision).toBe('implicitDeny');
    expect(decide([allow({ Resource: 'arn:aws:route53:::hostedzone/*' })], { action: 'route53:ListHostedZones', resource: '*' }).decision).toBe('implicitDeny');
  });
});

describe('Condition operators [IAM UG Operators]', () => {
  const cond = (c: PolicyStatement['Condition'], context: Record<string, string[]>) => decide([allow({ Condition: c })], { context }).decision;

  it('StringEquals is exact and case-sensitive; several values are ORed', () => {
    expect(cond({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
    expect(cond({ StringEquals: { 'aws:RequestedRegion': 'US-EAST-1' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('implicitDeny');
    expect(cond({ StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
  });
  it('StringNotEquals: several values are NORed [IAM UG Multi]', () => {
    expect(cond({ StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1', 'us-east-1'] } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('implicitDeny');
    expect(cond({ StringNotEquals: { 'aws:RequestedRegion': ['eu-west-1'] } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
  });
  it('StringEqualsIgnoreCase ignores case', () => {
    expect(cond({ StringEqualsIgnoreCase: { 'aws:RequestedRegion': 'US-EAST-1' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
  });
  it('StringLike / StringNotLike take * and ?', () => {
    expect(cond({ StringLike: { 'aws:RequestedRegion': 'us-*' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
    expect(cond({ StringLike: { 'aws:RequestedRegion': 'us-east-?' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
    expect(cond({ StringNotLike: { 'aws:RequestedRegion': 'us-*' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('implicitDeny');
    expect(cond({ StringNotLike: { 'aws:RequestedRegion': 'eu-*' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
  });
  it('ArnEquals / ArnLike match each of the six ARN parts, with wildcards, case-sensitively', () => {
    const role = { 'aws:PrincipalArn': ['arn:aws:iam::111122223333:role/r53migrate'] };
    expect(cond({ ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/r53migrate' } }, role)).toBe('allowed');
    expect(cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/r53*' } }, role)).toBe('allowed');
    expect(cond({ ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/R53*' } }, role)).toBe('implicitDeny');
    expect(cond({ ArnLike: { 'aws:PrincipalArn': 'not-an-arn*' } }, role)).toBe('implicitDeny');
  });
  it('Bool compares true/false', () => {
    expect(cond({ Bool: { 'aws:SecureTransport': 'true' } }, { 'aws:SecureTransport': ['true'] })).toBe('allowed');
    expect(cond({ Bool: { 'aws:SecureTransport': false } }, { 'aws:SecureTransport': ['true'] })).toBe('implicitDeny');
  });
  it('Null: "true" holds when the key is absent, "false" when it is present', () => {
    expect(cond({ Null: { 'route53:VPCs': 'true' } }, {})).toBe('allowed');
    expect(cond({ Null: { 'route53:VPCs': 'true' } }, { 'route53:VPCs': [VPC_A] })).toBe('implicitDeny');
    expect(cond({ Null: { 'route53:VPCs': 'false' } }, { 'route53:VPCs': [VPC_A] })).toBe('allowed');
  });
  it('a key missing from the context fails a positive operator and satisfies a negated one', () => {
    expect(cond({ StringEquals: { 'route53profiles:ResourceIds': 'vpc-1' } }, {})).toBe('implicitDeny');
    expect(cond({ StringNotEquals: { 'route53profiles:ResourceIds': 'vpc-1' } }, {})).toBe('allowed');
  });
  it('...IfExists holds when the key is absent, and tests it when present', () => {
    expect(cond({ StringEqualsIfExists: { 'route53profiles:ResourceIds': 'vpc-1' } }, {})).toBe('allowed');
    expect(cond({ StringEqualsIfExists: { 'route53profiles:ResourceIds': 'vpc-1' } }, { 'route53profiles:ResourceIds': ['vpc-2'] })).toBe('implicitDeny');
  });
  it('condition key names compare case-insensitively', () => {
    expect(cond({ StringEquals: { 'AWS:requestedregion': 'us-east-1' } }, { 'aws:RequestedRegion': ['us-east-1'] })).toBe('allowed');
  });
  it('operators are ANDed, and so are the keys of one operator [IAM UG Multi]', () => {
    const ctx = { 'aws:RequestedRegion': ['us-east-1'], 'aws:PrincipalAccount': ['111122223333'] };
    expect(cond({ StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalAccount': '111122223333' } }, ctx)).toBe('allowed');
    expect(cond({ StringEquals: { 'aws:RequestedRegion': 'us-east-1', 'aws:PrincipalAccount': '999999999999' } }, ctx)).toBe('implicitDeny');
    expect(cond({ StringEquals: { 'aws:RequestedRegion': 'us-east-1' }, StringLike: { 'aws:PrincipalAccount': '9*' } }, ctx)).toBe('implicitDeny');
  });
  it('Numeric operators compare numbers', () => {
    const ctx = { 'route53profiles:FirewallRuleGroupPriority': ['150'] };
    expect(cond({ NumericGreaterThanEquals: { 'route53profiles:FirewallRuleGroupPriority': 100 } }, ctx)).toBe('allowed');
    expect(cond({ NumericLessThan: { 'route53profiles:FirewallRuleGroupPriority': '150' } }, ctx)).toBe('implicitDeny');
  });
  it('an operator the twin does not know fails closed: the Allow does not apply, a Deny does', () => {
    const allowUnknown = decide([allow({ Condition: { StringSoundsLike: { 'aws:RequestedRegion': 'x' } } })], {});
    expect(allowUnknown.decision).toBe('implicitDeny');
    expect(allowUnknown.notes.join()).toMatch(/unknown condition operator StringSoundsLike.*failed closed/);
    const denyUnknown = decide([allow(), { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } }], {});
    expect(denyUnknown.decision).toBe('explicitDeny');
    expect(denyUnknown.notes.join()).toMatch(/DateGreaterThan is valid IAM but not supported by the twin/);
  });
});

describe('Set operators on multi-valued keys: route53:VPCs [IAM UG MultiEx, R53 DG Cond]', () => {
  const assoc = (c: PolicyStatement['Condition'], vpcs: string[] | undefined) =>
    decide([allow({ Action: 'route53:AssociateVPCWithHostedZone', Resource: ZONE, Condition: c })], {
      action: 'route53:AssociateVPCWithHostedZone',
      context: vpcs ? { 'route53:VPCs': vpcs } : {},
    }).decision;

  it('ForAnyValue:StringEquals holds when at least one request value matches', () => {
    expect(assoc({ 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] } }, [VPC_A])).toBe('allowed');
    expect(assoc({ 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] } }, [VPC_B, VPC_A])).toBe('allowed');
    expect(assoc({ 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] } }, [VPC_B])).toBe('implicitDeny');
  });
  it('ForAnyValue is false when the key is absent', () => {
    expect(assoc({ 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] } }, undefined)).toBe('implicitDeny');
  });
  it('ForAllValues holds when every request value matches a policy value, and also when the key is absent', () => {
    expect(assoc({ 'ForAllValues:StringEquals': { 'route53:VPCs': [VPC_A, VPC_B] } }, [VPC_A, VPC_B])).toBe('allowed');
    expect(assoc({ 'ForAllValues:StringEquals': { 'route53:VPCs': [VPC_A] } }, [VPC_A, VPC_B])).toBe('implicitDeny');
    expect(assoc({ 'ForAllValues:StringEquals': { 'route53:VPCs': [VPC_A] } }, undefined)).toBe('allowed');
  });
  it('ForAnyValue:StringLike with a wildcard on the region', () => {
    expect(assoc({ 'ForAnyValue:StringLike': { 'route53:VPCs': ['VPCId=*,VPCRegion=us-east-1'] } }, [VPC_A])).toBe('allowed');
  });
  it('ForAllValues:StringNotLike in a Deny matches when no value has the prefix [IAM UG MultiEx: DenyRestrictedTags]', () => {
    const deny = (vpcs: string[] | undefined) =>
      decide([allow(), { Effect: 'Deny', Action: '*', Resource: '*', Condition: { 'ForAllValues:StringNotLike': { 'route53:VPCs': 'VPCId=vpc-0a*' } } }], {
        context: vpcs ? { 'route53:VPCs': vpcs } : {},
      }).decision;
    expect(deny([VPC_A])).toBe('allowed');
    expect(deny([VPC_B])).toBe('explicitDeny');
    expect(deny(undefined)).toBe('explicitDeny');
  });
  it('missing context keys of applicable statements are reported', () => {
    const e = decide([allow({ Condition: { 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] } } })], {});
    expect(e.missingContextKeys).toEqual(['route53:VPCs']);
  });
});

describe('Policy documents are validated, every problem named with its statement and field', () => {
  it('a well-formed identity policy has no problems', () => {
    expect(
      validatePolicyDocument({
        Version: '2012-10-17',
        Statement: [
          { Sid: 'R53', Effect: 'Allow', Action: ['route53:GetHostedZone'], Resource: ZONE },
          { Effect: 'Deny', NotAction: 'ec2:*', NotResource: '*', Condition: { 'ForAnyValue:StringEquals': { 'route53:VPCs': [VPC_A] }, Bool: { 'aws:SecureTransport': true } } },
        ],
      }),
    ).toEqual([]);
  });
  it('malformed statements are reported by index and field', () => {
    const problems = validatePolicyDocument({
      Version: '2012-10-18',
      Statement: [
        { Effect: 'allow', Action: 'route53:GetHostedZone', Resource: ZONE },
        { Effect: 'Allow', Action: 'GetHostedZone', NotAction: 'x:y', Resource: 'hostedzone/Z1' },
        { Effect: 'Deny', Action: 'ec2:*', Resource: '*', Principal: '*', Condition: { StringEqualz: { 'aws:x': 'y' } } },
        { Sid: 'A-1', Effect: 'Allow', Action: [], Resource: ['*', 3] },
      ],
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Version must be "2012-10-17"/),
        'Statement[0].Effect must be "Allow" or "Deny", not "allow"',
        'Statement[1] has both Action and NotAction; use one',
        expect.stringMatching(/^Statement\[1\]\.Resource: "hostedzone\/Z1" must be an ARN or "\*"$/),
        'Statement[2]: an identity-based policy must not specify Principal/NotPrincipal',
        'Statement[2].Condition: unknown condition operator StringEqualz',
        'Statement[3].Sid must hold only letters and digits',
        'Statement[3].Action must not be empty',
        'Statement[3].Resource[1] must be a string',
      ]),
    );
  });
  it('a statement without Action or Resource is refused; so are duplicate Sids and a missing Statement', () => {
    expect(validatePolicyDocument({ Statement: [{ Effect: 'Allow', Resource: '*' }] })).toEqual(['Statement[0] needs Action or NotAction']);
    expect(validatePolicyDocument({ Statement: [{ Effect: 'Allow', Action: '*' }] })).toEqual(['Statement[0] needs Resource or NotResource']);
    expect(validatePolicyDocument({ Statement: [allow({ Sid: 'X' }), allow({ Sid: 'X' })] })).toEqual(['Statement[1].Sid X is not unique in the policy']);
    expect(validatePolicyDocument({ Version: '2012-10-17' })).toEqual(['Statement is missing']);
    expect(validatePolicyDocument([])).toEqual(['the policy document must be a JSON object']);
  });
  it('parsePolicyDocument throws every problem at once', () => {
    expect(() => parsePolicyDocument({ Statement: [{ Effect: 'Maybe' }] })).toThrow(PolicyDocumentError);
    try {
      parsePolicyDocument({ Statement: [{ Effect: 'Maybe' }] });
    } catch (e) {
      expect((e as PolicyDocumentError).problems).toHaveLength(3);
    }
  });
});
