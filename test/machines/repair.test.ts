// FAILED associations of the plan: found, described with the call that removes them, and only
// those of the plan's own Profile and resources. Pure.
import { describe, expect, it } from 'vitest';
import type { World } from '../../src/aws/world.js';
import { failedAssociations, failedHaltReason } from '../../src/machines/repair.js';
import type { Plan } from '../../src/plan/schema.js';

const plan = {
  name: 'p',
  region: 'us-east-1',
  accounts: { shared: {}, spokes: {} },
  profile: { id: 'rp-0a1b2c3d4e5f6789', account: 'shared' },
  sharedServicesVpc: { id: 'vpc-0000000000000000a', account: 'shared' },
  spokes: [
    { id: 'vpc-0000000000000000b', account: 'spokes' },
    { id: 'vpc-0000000000000000c', account: 'spokes' },
  ],
  endpoints: [{ id: 'vpce-0000000000000000e', zones: ['Z0123456789ABCDEFGHIJ'] }],
} as unknown as Plan;

const endpointArn = 'arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-0000000000000000e';

function world(over: Partial<World> = {}): World {
  const vpc = (id: string, account: string) => ({ id, account, accountId: '111122223333', exists: true, profileVisible: true });
  return {
    observedAt: 0,
    region: 'us-east-1',
    accounts: {},
    vpcs: {
      'vpc-0000000000000000a': vpc('vpc-0000000000000000a', 'shared'),
      'vpc-0000000000000000b': { ...vpc('vpc-0000000000000000b', 'spokes'), profileAssociation: { id: 'rpassoc-1', profileId: 'rp-0a1b2c3d4e5f6789', name: 'x', status: 'FAILED', statusMessage: 'boom' } },
      'vpc-0000000000000000c': { ...vpc('vpc-0000000000000000c', 'spokes'), profileAssociation: { id: 'rpassoc-2', profileId: 'rp-0a1b2c3d4e5f6789', name: 'y', status: 'COMPLETE' } },
    },
    others: {},
    zones: {},
    endpoints: { 'vpce-0000000000000000e': { exists: true, id: 'vpce-0000000000000000e', arn: endpointArn } as never },
    profile: {
      id: 'rp-0a1b2c3d4e5f6789',
      arn: 'arn',
      name: 'p',
      ownerId: '111122223333',
      shareStatus: 'NOT_SHARED',
      status: 'COMPLETE',
      resources: [
        { id: 'rpr-1', name: 'e', resourceArn: endpointArn, resourceType: 'VPC_ENDPOINT', status: 'FAILED' },
        { id: 'rpr-2', name: 'other', resourceArn: 'arn:aws:route53:::hostedzone/ZOTHER', resourceType: 'PRIVATE_HOSTED_ZONE', status: 'FAILED' },
      ],
    },
    ...over,
  };
}

describe('failedAssociations', () => {
  it('finds the plan VPC and the plan endpoint whose associations ended FAILED, not a stranger on the Profile', () => {
    const found = failedAssociations(world(), plan);
    expect(found.map((f) => f.what)).toEqual(['Profile association rpassoc-1 of vpc-0000000000000000b', `Profile resource association rpr-1 (${endpointArn})`]);
    expect(found[0]!.disassociate).toMatchObject({ kind: 'disassociate-profile', account: 'spokes', vpcId: 'vpc-0000000000000000b', step: 1 });
    expect(found[1]!.disassociate).toMatchObject({ kind: 'disassociate-resource', account: 'shared', resourceArn: endpointArn, step: 5 });
    expect(found[1]!.associateActionSuffix).toBe(':associate-resource:vpce-0000000000000000e');
  });

  it('the halt names each one and both ways on: resume, or the exact call by hand', () => {
    const reason = failedHaltReason(failedAssociations(world(), plan));
    expect(reason).toContain('Profile association rpassoc-1 of vpc-0000000000000000b is FAILED (boom)');
    expect(reason).toContain('`r53migrate resume` disassociates it and associates it again');
    expect(reason).toContain('aws route53profiles disassociate-profile --profile-id rp-0a1b2c3d4e5f6789 --resource-id vpc-0000000000000000b (as account spokes)');
    expect(reason).toContain(`aws route53profiles disassociate-resource-from-profile --profile-id rp-0a1b2c3d4e5f6789 --resource-arn ${endpointArn} (as account shared)`);
  });

  it('nothing FAILED: nothing found', () => {
    expect(failedAssociations(world({ profile: undefined, vpcs: {} }), plan)).toEqual([]);
  });
});
