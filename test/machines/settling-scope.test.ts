// What a converge poll re-reads: a batch of Profile associations and endpoint settings alone waits
// on those facts, so its polls read the Profile associations of its VPCs' accounts, the Profile's
// resources, the endpoints — and only what it moved. Any batch with a zone change in it is left to
// GetChange and the whole observation.
import { describe, expect, it } from 'vitest';
import { action } from '../../src/aws/actions.js';
import { settlingScope } from '../../src/machines/actors.js';
import type { Plan } from '../../src/plan/schema.js';

const plan = {
  spokes: [
    { id: 'vpc-1', account: 'spokes-a' },
    { id: 'vpc-2', account: 'spokes-b' },
    { id: 'vpc-3', account: 'spokes-b' },
  ],
  sharedServicesVpc: { id: 'vpc-s', account: 'shared' },
} as unknown as Plan;
const associate = (vpcId: string, account: string) => action(1, { kind: 'associate-profile', account, profileId: 'rp-1', vpcId, name: 'n' });

describe('settlingScope', () => {
  it('Profile associations of VPCs: the accounts that own those VPCs, once each, and nothing else', () => {
    expect(settlingScope(plan, [associate('vpc-2', 'spokes-b'), associate('vpc-3', 'spokes-b'), associate('vpc-1', 'spokes-a')])).toEqual({
      vpcAccounts: ['spokes-a', 'spokes-b'],
      resources: false,
      endpoints: false,
    });
  });

  it('a resource association reads the Profile resources; an endpoint setting reads the endpoints', () => {
    const resource = action(5, { kind: 'associate-resource', account: 'shared', profileId: 'rp-1', resourceArn: 'arn:1', resource: 'vpce-1', name: 'n' });
    const privateDns = action(4, { kind: 'set-private-dns', account: 'shared', endpointId: 'vpce-1', enabled: true });
    expect(settlingScope(plan, [resource])).toEqual({ vpcAccounts: [], resources: true, endpoints: false });
    expect(settlingScope(plan, [privateDns])).toEqual({ vpcAccounts: [], resources: false, endpoints: true });
  });

  it('a batch with a zone change in it, or no actions, is not one: it settles through GetChange and the whole observation', () => {
    const zoneChange = action(6, { kind: 'disassociate-vpc', account: 'shared', zoneId: 'Z1', vpcId: 'vpc-1', region: 'us-east-1' });
    expect(settlingScope(plan, [associate('vpc-1', 'spokes-a'), zoneChange])).toBeUndefined();
    expect(settlingScope(plan, [zoneChange])).toBeUndefined();
    expect(settlingScope(plan, [])).toBeUndefined();
    expect(settlingScope(plan, undefined)).toBeUndefined();
  });
});
