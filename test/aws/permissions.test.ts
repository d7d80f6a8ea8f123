// The command table can't drift from the code: every SDK command r53migrate sends (found by
// scanning src/ for `new XxxCommand(` of an SDK client's import) has a row naming its IAM action,
// resource type and condition keys, and every row is a command some code sends.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMAND_PERMISSIONS, DEPENDENT_ONLY_ACTIONS, principalOf, vpcConditionValue } from '../../src/aws/permissions.js';
import { IAM_ACTIONS } from '../../src/twin/iam-actions.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** The module → the client that sends its commands. */
const MODULES: Record<string, string> = {
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-ram': 'ram',
  '@aws-sdk/client-organizations': 'organizations',
  '@aws-sdk/client-s3': 's3',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every `service:Operation` the product sends, with where: the twin (the cloud's side) and our own Profiles client's definitions are not senders. */
function sentCommands(): Map<string, string[]> {
  const sent = new Map<string, string[]>();
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    if (rel.startsWith('twin/') || rel.startsWith('aws/route53profiles/')) continue;
    const text = readFileSync(file, 'utf8');
    // local name → service, from each import of an SDK client (or of our Profiles client).
    const local = new Map<string, string>();
    for (const m of text.matchAll(/import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
      const service = MODULES[m[2]!] ?? (/route53profiles\/index\.js$/.test(m[2]!) ? 'route53profiles' : undefined);
      if (!service) continue;
      for (const part of m[1]!.split(',')) {
        const [name, alias] = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/);
        if (name?.endsWith('Command')) local.set((alias ?? name).trim(), `${service}:${name.replace(/Command$/, '')}`);
      }
    }
    for (const m of text.matchAll(/new\s+([A-Za-z0-9_]+)\s*\(/g)) {
      const key = local.get(m[1]!);
      if (key) sent.set(key, [...(sent.get(key) ?? []), rel]);
    }
  }
  return sent;
}

describe('the IAM command table (src/aws/permissions.ts)', () => {
  const sent = sentCommands();

  it('finds the commands the scan is meant to find (the scan itself works)', () => {
    // Spot checks across clients, aliases (ListZoneTagsCommand) and our Profiles client.
    for (const key of [
      'route53:AssociateVPCWithHostedZone',
      'route53:ListTagsForResource',
      'route53profiles:ListTagsForResource',
      'ec2:ModifyVpcEndpoint',
      'ssm:SendCommand',
      'sts:GetCallerIdentity',
      'iam:SimulatePrincipalPolicy',
      // Prepare's: our Profiles client, RAM, Organizations.
      'route53profiles:CreateProfile',
      'ram:CreateResourceShare',
      'ram:AcceptResourceShareInvitation',
      'organizations:DescribeOrganization',
    ]) {
      expect(sent.has(key), key).toBe(true);
    }
  });

  it('has a row for every command r53migrate sends', () => {
    const missing = [...sent.keys()].filter((k) => !COMMAND_PERMISSIONS[k]).map((k) => `${k} (sent in ${sent.get(k)!.join(', ')})`);
    expect(missing, 'add a row to COMMAND_PERMISSIONS for each of these').toEqual([]);
  });

  it('has no row for a command nobody sends', () => {
    expect(Object.keys(COMMAND_PERMISSIONS).filter((k) => !sent.has(k))).toEqual([]);
  });

  it('rows are consistent: the action is service:Operation, "*" resources have no pattern, typed ones an ARN pattern', () => {
    for (const [key, r] of Object.entries(COMMAND_PERMISSIONS)) {
      expect(key).toBe(`${r.service}:${r.operation}`);
      if (r.resource === 'none') expect(r.action).toBeNull();
      // S3 names some actions apart from their operations (HeadObject is s3:GetObject, ListObjectsV2 s3:ListBucket).
      else if (r.service === 's3') expect(r.action).toMatch(/^s3:(GetObject|PutObject|DeleteObject|ListBucket)$/);
      else expect(r.action).toBe(key);
      if (r.resource === '*') expect(r.resourcePattern).toBe('*');
      if (r.resource !== '*' && r.resource !== 'none') expect(r.resourcePattern).toMatch(/^arn:aws:/);
      expect(r.source).toMatch(/^https:\/\//);
    }
  });

  it('narrows the VPC association calls by route53:VPCs and the Profile calls by their route53profiles keys (the SAR says so)', () => {
    for (const op of ['AssociateVPCWithHostedZone', 'DisassociateVPCFromHostedZone', 'CreateVPCAssociationAuthorization', 'DeleteVPCAssociationAuthorization', 'ListHostedZonesByVPC', 'CreateHostedZone']) {
      expect(COMMAND_PERMISSIONS[`route53:${op}`]!.conditionKeys).toContain('route53:VPCs');
    }
    expect(COMMAND_PERMISSIONS['route53profiles:AssociateProfile']!.conditionKeys).toEqual(['route53profiles:ResourceIds']);
    expect(COMMAND_PERMISSIONS['route53profiles:AssociateResourceToProfile']!.conditionKeys).toEqual(expect.arrayContaining(['route53profiles:ResourceTypes', 'route53profiles:ResourceArns']));
    // Profiles' associate/disassociate take no resource type: "*" (SAR list_route53profiles).
    expect(COMMAND_PERMISSIONS['route53profiles:AssociateResourceToProfile']!.resource).toBe('*');
    expect(COMMAND_PERMISSIONS['route53profiles:TagResource']!.resource).toBe('profile');
    expect(COMMAND_PERMISSIONS['ec2:ModifyVpcEndpoint']!.resource).toBe('vpc-endpoint');
  });
});

describe('prepare\'s rows (Route 53 Profiles, RAM, Organizations) agree with the twin\'s IAM rows', () => {
  const env = { world: { resourceAssociations: [], instances: [] }, principal: { accountId: '111111111111' }, region: 'us-east-1' } as never;
  const prepareRows = Object.values(COMMAND_PERMISSIONS).filter((r) => r.service === 'ram' || r.service === 'organizations' || ['ListProfiles', 'CreateProfile', 'DeleteProfile', 'GetProfile'].includes(r.operation));

  it('has the rows prepare sends, with the SAR\'s resource types', () => {
    expect(prepareRows.map((r) => `${r.service}:${r.operation}`).sort()).toEqual([
      'organizations:DescribeOrganization',
      'ram:AcceptResourceShareInvitation',
      'ram:AssociateResourceShare',
      'ram:CreateResourceShare',
      'ram:DeleteResourceShare',
      'ram:DisassociateResourceShare',
      'ram:GetResourceShareAssociations',
      'ram:GetResourceShareInvitations',
      'ram:GetResourceShares',
      'route53profiles:CreateProfile',
      'route53profiles:DeleteProfile',
      'route53profiles:GetProfile',
      'route53profiles:ListProfiles',
    ]);
    expect(COMMAND_PERMISSIONS['ram:CreateResourceShare']!.resource).toBe('resource-share');
    expect(COMMAND_PERMISSIONS['ram:AcceptResourceShareInvitation']!.resource).toBe('resource-share-invitation');
    expect(COMMAND_PERMISSIONS['route53profiles:CreateProfile']!.dependentActions).toEqual(['route53profiles:TagResource']);
    expect(COMMAND_PERMISSIONS['ram:CreateResourceShare']!.dependentActions).toEqual(['ram:TagResource']);
    expect(DEPENDENT_ONLY_ACTIONS['ram:TagResource']!.resource).toBe('resource-share');
  });

  it('"*" where the twin authorizes on "*", the resource type\'s ARN where it names one', () => {
    const members: Record<string, Record<string, unknown>> = {
      AssociateResourceShare: { resourceShareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/abc' },
      DisassociateResourceShare: { resourceShareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/abc' },
      DeleteResourceShare: { resourceShareArn: 'arn:aws:ram:us-east-1:111111111111:resource-share/abc' },
      AcceptResourceShareInvitation: { resourceShareInvitationArn: 'arn:aws:ram:us-east-1:111111111111:resource-share-invitation/abc' },
    };
    for (const r of prepareRows) {
      const twin = IAM_ACTIONS[r.service as keyof typeof IAM_ACTIONS]?.[r.operation];
      expect(twin, `${r.service}:${r.operation} in src/twin/iam-actions.ts`).toBeDefined();
      const resources = twin!.resources(members[r.operation] ?? {}, env);
      if (r.resource === '*') expect(resources, r.operation).toEqual(['*']);
      else {
        // The row's pattern, its placeholders as wildcards, matches what the twin authorizes on.
        const pattern = new RegExp(`^${r.resourcePattern.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{[A-Za-z]+\}/g, '[^:/]*')}$`);
        for (const arn of resources) expect(arn, r.operation).toMatch(pattern);
      }
    }
  });
});

describe('route53:VPCs values and the simulated principal', () => {
  it('writes route53:VPCs lowercase, as VPCId=...,VPCRegion=... (Route 53 DG: values are case-sensitive)', () => {
    expect(vpcConditionValue('vpc-0ABC', 'US-EAST-1')).toBe('VPCId=vpc-0abc,VPCRegion=us-east-1');
  });

  it('simulates an assumed role as its role (the plan\'s roleArn when it names it, path included), a user as itself', () => {
    expect(principalOf('arn:aws:sts::111122223333:assumed-role/r53migrate/session-1')).toEqual({ arn: 'arn:aws:iam::111122223333:role/r53migrate' });
    expect(principalOf('arn:aws:sts::111122223333:assumed-role/r53migrate/s', 'arn:aws:iam::111122223333:role/ops/r53migrate')).toEqual({ arn: 'arn:aws:iam::111122223333:role/ops/r53migrate' });
    // The plan's roleArn is another role: derived from the session instead.
    expect(principalOf('arn:aws:sts::111122223333:assumed-role/other/s', 'arn:aws:iam::111122223333:role/ops/r53migrate')).toEqual({ arn: 'arn:aws:iam::111122223333:role/other' });
    expect(principalOf('arn:aws:iam::111122223333:user/ops/alice')).toEqual({ arn: 'arn:aws:iam::111122223333:user/ops/alice' });
  });

  it('does not simulate root or a federated user, and says why', () => {
    expect(principalOf('arn:aws:iam::111122223333:root')).toMatchObject({ why: expect.stringMatching(/root/) });
    expect(principalOf('arn:aws:sts::111122223333:federated-user/bob')).toMatchObject({ why: expect.stringMatching(/neither an IAM role session nor an IAM user/) });
  });
});
