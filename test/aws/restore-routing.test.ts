// Record sets with routing policies (weighted, failover, latency, multivalue) through a backup and
// back: the JSON keeps every routing field exactly as ListResourceRecordSets returns it, the BIND
// file carries them only as comments, and restore tells record sets apart by SetIdentifier (one
// weighted member missing is re-created alone; one with another Weight is a conflict).
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupZone, readBackup, type LoadedBackup, type ZoneBackup } from '../../src/aws/backup.js';
import { recreateZone, refillZone, RestoreConflictError } from '../../src/aws/restore.js';
import { fast, startInProcessEstate, type InProcessEstate } from '../support/in-process-estate.js';

let estate: InProcessEstate | undefined;
// Filled in by beforeAll from the estate.
let { sb, dir, plan, access, zoneId, zoneName, change, records, isApex, deleteZone } = {} as InProcessEstate;
const account = () => plan.profile.account;

const one = (name: string, id?: string) => (r: ResourceRecordSet) => r.Name === `${name}.${zoneName}` && (id === undefined || r.SetIdentifier === id);

beforeAll(async () => {
  estate = await startInProcessEstate({ seed: 'restore-routing', accounts: 1 });
  ({ sb, dir, plan, access, zoneId, zoneName, change, records, isApex, deleteZone } = estate);
  const a1 = (v: string) => [{ Value: v }];
  await change(zoneId, [
    { Action: 'CREATE', ResourceRecordSet: { Name: `w.${zoneName}`, Type: 'A', SetIdentifier: 'blue', Weight: 10, TTL: 60, ResourceRecords: a1('10.1.0.1') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `w.${zoneName}`, Type: 'A', SetIdentifier: 'green', Weight: 20, TTL: 60, ResourceRecords: a1('10.1.0.2') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `f.${zoneName}`, Type: 'A', SetIdentifier: 'primary', Failover: 'PRIMARY', TTL: 60, ResourceRecords: a1('10.2.0.1') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `f.${zoneName}`, Type: 'A', SetIdentifier: 'secondary', Failover: 'SECONDARY', TTL: 60, ResourceRecords: a1('10.2.0.2') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `l.${zoneName}`, Type: 'A', SetIdentifier: 'use1', Region: 'us-east-1', TTL: 60, ResourceRecords: a1('10.3.0.1') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `m.${zoneName}`, Type: 'A', SetIdentifier: 'm1', MultiValueAnswer: true, TTL: 60, ResourceRecords: a1('10.4.0.1') } },
    { Action: 'CREATE', ResourceRecordSet: { Name: `m.${zoneName}`, Type: 'A', SetIdentifier: 'm2', MultiValueAnswer: true, TTL: 60, ResourceRecords: a1('10.4.0.2') } },
  ]);
});

afterAll(async () => {
  await estate?.close();
});

describe('routing-policy record sets through a backup and back', () => {
  let written: ZoneBackup;
  let backup: LoadedBackup;
  beforeAll(async () => {
    written = await backupZone(access, account(), zoneId, join(dir, 'b'), { accountName: account() });
    backup = await readBackup(written.json);
  });

  it('the JSON keeps every routing field exactly as listed; the BIND file has them as comments only; the batch creates them all', async () => {
    const live = await records(zoneId);
    expect(backup.resourceRecordSets).toEqual(live);
    expect(backup.resourceRecordSets.filter(one('w')).map((r) => [r.SetIdentifier, r.Weight])).toEqual([
      ['blue', 10],
      ['green', 20],
    ]);
    expect(backup.resourceRecordSets.find(one('f', 'secondary'))).toMatchObject({ Failover: 'SECONDARY' });
    expect(backup.resourceRecordSets.find(one('l'))).toMatchObject({ Region: 'us-east-1', SetIdentifier: 'use1' });
    expect(backup.resourceRecordSets.find(one('m', 'm2'))).toMatchObject({ MultiValueAnswer: true });
    const bind = readFileSync(written.bind, 'utf8');
    expect(bind).toMatch(/; ROUTING POLICY \[SetIdentifier=blue Weight=10\]:\n;\s+w\./);
    expect(bind).toMatch(/; ROUTING POLICY \[SetIdentifier=secondary Failover=SECONDARY\]:/);
    // no routing-policy record is a plain BIND line: loaded elsewhere, the members would merge into one set
    expect(bind).not.toMatch(/^[wflm]\./m);
    const batch = JSON.parse(readFileSync(written.restoreBatch, 'utf8')) as { Changes: { ResourceRecordSet: ResourceRecordSet }[] };
    expect(batch.Changes.map((c) => c.ResourceRecordSet).filter((r) => r.SetIdentifier).length).toBe(7);
  });

  it('refill: one weighted member missing is re-created alone (identity is name, type and SetIdentifier)', async () => {
    await change(zoneId, [{ Action: 'DELETE', ResourceRecordSet: (await records(zoneId)).find(one('w', 'blue'))! }]);
    const r = await refillZone(access, account(), zoneId, backup, fast);
    expect(r.created).toEqual([{ name: `w.${zoneName}`, type: 'A', setIdentifier: 'blue' }]);
    expect(r.alreadyThere).toContainEqual({ name: `w.${zoneName}`, type: 'A', setIdentifier: 'green' });
    expect(await records(zoneId)).toEqual(backup.resourceRecordSets);
  });

  it('refill: a member with another Weight is a conflict naming its SetIdentifier and the field', async () => {
    const green = (await records(zoneId)).find(one('w', 'green'))!;
    await change(zoneId, [{ Action: 'UPSERT', ResourceRecordSet: { ...green, Weight: 30 } }]);
    const e = await refillZone(access, account(), zoneId, backup, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RestoreConflictError);
    expect((e as RestoreConflictError).conflicts).toEqual([{ name: `w.${zoneName}`, type: 'A', setIdentifier: 'green', differences: ['Weight: zone 30, backup 20'] }]);
    expect((e as Error).message).toContain(`w.${zoneName} A (SetIdentifier green): Weight: zone 30, backup 20`);
    await change(zoneId, [{ Action: 'UPSERT', ResourceRecordSet: green }]);
  });

  it('a zone of two pages whose page boundary falls inside a weighted group (ListResourceRecordSets goes on by SetIdentifier): every member is backed up, and refill puts back the ones missing', async () => {
    // Route 53 takes at most 100 weighted record sets per name and type: 4 groups of 80, 320 in all.
    const members = Array.from({ length: 320 }, (_, i) => ({
      Name: `big${i % 4}.${zoneName}`,
      Type: 'A' as const,
      SetIdentifier: `s${String(i).padStart(3, '0')}`,
      Weight: 1,
      TTL: 60,
      ResourceRecords: [{ Value: `10.8.${i >> 8}.${i & 255}` }],
    }));
    for (let i = 0; i < members.length; i += 100) await change(zoneId, members.slice(i, i + 100).map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })));
    const listings = sb.server.twin.log.filter((e) => e.operation === 'ListResourceRecordSets').length;
    const big = await readBackup((await backupZone(access, account(), zoneId, join(dir, 'big'), { accountName: account() })).json);
    // two pages for the backup, two for its verification
    expect(sb.server.twin.log.filter((e) => e.operation === 'ListResourceRecordSets').length - listings).toBe(4);
    const inTwin = sb.server.twin.world.zones.find((z) => z.id === zoneId)!.records.length;
    expect(big.recordCount).toBe(inTwin);
    const key = (r: { Name?: string; SetIdentifier?: string }) => `${r.Name} ${r.SetIdentifier}`;
    expect(big.resourceRecordSets.filter((r) => /^big\d\./.test(r.Name ?? '')).map(key).sort()).toEqual(members.map(key).sort());
    expect(new Set(big.resourceRecordSets.map((r) => `${key(r)} ${r.Type}`)).size).toBe(big.recordCount);
    const gone = members.filter((_, i) => i % 64 === 5);
    await change(zoneId, gone.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })));
    const r = await refillZone(access, account(), zoneId, big, fast);
    expect(r.created.map((c) => c.setIdentifier)).toEqual(gone.map((m) => m.SetIdentifier));
    expect(sb.server.twin.world.zones.find((z) => z.id === zoneId)!.records.length).toBe(inTwin);
    await change(zoneId, members.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })));
  });

  it('recreate: every routing-policy record set comes back in the new zone', async () => {
    await deleteZone(zoneId);
    const r = await recreateZone(access, account(), backup, { ...fast, vpcs: sb.info.vpcs.map((v) => ({ vpcId: v.id, region: plan.region })) });
    expect((await records(r.zoneId)).filter((x) => !isApex(x))).toEqual(backup.resourceRecordSets.filter((x) => !isApex(x)));
  });
});
