// A wave's calls go out in parallel, but never two on one zone at once (Route 53 refuses a change
// on a zone while another is in progress), a zone's backup always before its emptying, and after
// the first failure nothing new is sent while what is in flight finishes and is accounted for.
import { describe, expect, it } from 'vitest';
import { action, actionChains, type Action } from '../../src/aws/actions.js';
import { inChains } from '../../src/machines/actors.js';

const disassociate = (zoneId: string, vpcId: string) => action(6, { kind: 'disassociate-vpc', account: 'shared', zoneId, vpcId, region: 'us-east-1' });

describe('a batch cut into chains', () => {
  it('actions on one zone stay in one chain, in order; other zones, VPC Profile associations and endpoints are chains of their own', () => {
    const batch: Action[] = [
      disassociate('ZA', 'vpc-1'),
      disassociate('ZB', 'vpc-1'),
      disassociate('ZA', 'vpc-2'),
      action(1, { kind: 'associate-profile', account: 'spokes', profileId: 'rp-1', vpcId: 'vpc-1', name: 'n' }),
      action(1, { kind: 'associate-profile', account: 'spokes', profileId: 'rp-1', vpcId: 'vpc-2', name: 'n' }),
      action(7, { kind: 'backup-zone', account: 'shared', zoneId: 'ZC' }),
      action(7, { kind: 'delete-records', account: 'shared', zoneId: 'ZC', records: [] }),
      action(5, { kind: 'associate-resource', account: 'shared', profileId: 'rp-1', resourceArn: 'arn:1', resource: 'vpce-1', name: 'n' }),
      action(5, { kind: 'associate-resource', account: 'shared', profileId: 'rp-1', resourceArn: 'arn:2', resource: 'vpce-2', name: 'n' }),
    ];
    expect(actionChains(batch).map((c) => c.map((a) => a.id))).toEqual([
      ['6:disassociate-vpc:ZA/vpc-1', '6:disassociate-vpc:ZA/vpc-2'],
      ['6:disassociate-vpc:ZB/vpc-1'],
      ['1:associate-profile:vpc-1'],
      ['1:associate-profile:vpc-2'],
      ['7:backup-zone:ZC', '7:delete-records:ZC'],
      ['5:associate-resource:vpce-1', '5:associate-resource:vpce-2'],
    ]);
  });
});

describe('inChains', () => {
  /** Each item takes `ms` (real timers, a few ms) and records when it started and ended. */
  function recorder() {
    const events: string[] = [];
    let running = 0;
    let peak = 0;
    const run = async (item: { id: string; ms: number; fail?: boolean }) => {
      events.push(`start ${item.id}`);
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, item.ms));
      running--;
      events.push(`end ${item.id}`);
      if (item.fail) throw new Error(`${item.id} failed`);
    };
    return { events, run, peak: () => peak };
  }

  it('runs each chain in order, chains side by side, never more at once than asked', async () => {
    const r = recorder();
    const chains = Array.from({ length: 6 }, (_, c) => Array.from({ length: 3 }, (_, i) => ({ id: `${c}.${i}`, ms: 2 })));
    await inChains(chains, 4, r.run);
    expect(r.peak()).toBe(4);
    for (let c = 0; c < 6; c++) {
      const order = r.events.filter((e) => e.startsWith('start ') && e.includes(` ${c}.`));
      expect(order).toEqual([`start ${c}.0`, `start ${c}.1`, `start ${c}.2`]);
      expect(r.events.indexOf(`end ${c}.0`)).toBeLessThan(r.events.indexOf(`start ${c}.1`));
    }
    expect(r.events.filter((e) => e.startsWith('end '))).toHaveLength(18);
  });

  it('after the first failure no chain starts another item; those in flight finish before the error is thrown', async () => {
    const r = recorder();
    const chains = [
      [{ id: 'a.0', ms: 1, fail: true }, { id: 'a.1', ms: 1 }],
      [{ id: 'b.0', ms: 20 }, { id: 'b.1', ms: 1 }],
      [{ id: 'c.0', ms: 1 }],
    ];
    await expect(inChains(chains, 2, r.run)).rejects.toThrow('a.0 failed');
    // b.0 was in flight: it ended (and was accounted for) before inChains gave up; nothing after it began
    expect(r.events).toContain('end b.0');
    expect(r.events.filter((e) => e.startsWith('start '))).toEqual(['start a.0', 'start b.0']);
  });

  it('an empty batch runs nothing', async () => {
    const r = recorder();
    await inChains([], 16, r.run);
    expect(r.events).toEqual([]);
  });
});
