// Putting a zone back from its backup, against a sandbox over HTTP: refillZone creates what is
// missing and refuses a record that differs; recreateZone makes the zone anew (same name, comment,
// records, VPCs, a cross-account VPC through an authorization) and, after a crash, finds the zone
// it made rather than making a second. The twin's request log is the witness of what was sent.
import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { backupZone, readBackup, type LoadedBackup } from '../../src/aws/backup.js';
import { callerReferencePrefix, recreateZone, refillZone, RestoreConflictError, RestoreRefusedError, type RecreateResult } from '../../src/aws/restore.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';
import { fast, someRecords, startInProcessEstate, type InProcessEstate } from '../support/in-process-estate.js';

let estate: InProcessEstate | undefined;
// Filled in by beforeAll from the estate.
let { sb, dir, plan, access, zoneId, zoneName, change, records, isApex, deleteZone } = {} as InProcessEstate;
const shared = () => plan.profile.account;

beforeAll(async () => {
  // 3 VPCs over 2 accounts: the zone's owner holds the shared-services VPC, the other account both spokes.
  estate = await startInProcessEstate({ seed: 'restore', accounts: 2 });
  ({ sb, dir, plan, access, zoneId, zoneName, change, records, isApex, deleteZone } = estate);
  await change(zoneId, someRecords(zoneId, zoneName));
});

afterAll(async () => {
  await estate?.close();
});

const mutations = () => sb.server.twin.log.filter((e) => e.mutating && e.outcome === 'ok');
const byName = (n: string) => (r: ResourceRecordSet) => r.Name === `${n}.${zoneName}`;
const allVpcs = () => sb.info.vpcs.map((v) => ({ vpcId: v.id, region: plan.region }));
const zonesNamed = () => sb.server.twin.world.zones.filter((z) => z.name === zoneName);

describe('refillZone: the zone still exists', () => {
  let backup: LoadedBackup;
  beforeAll(async () => {
    backup = await readBackup((await backupZone(access, shared(), zoneId, join(dir, 'refill'), { accountName: shared(), vpcsAtStart: allVpcs() })).json);
  });

  it('re-creates the record sets that are missing, leaves those there, and returns the change it made', async () => {
    const full = await records(zoneId);
    await change(zoneId, full.filter((r) => byName('api')(r) || byName('note')(r)).map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })));
    const before = mutations().length;
    const r = await refillZone(access, shared(), zoneId, backup, fast);
    expect(r.status).toBe('refilled');
    expect(r.created.map((c) => `${c.name} ${c.type}`).sort()).toEqual([`api.${zoneName} A`, `note.${zoneName} TXT`]);
    expect(r.alreadyThere.length).toBe(backup.recordCount - 2 - 2);
    expect(r.changeId).toMatch(/^[A-Z0-9]+$/);
    expect(r.calls.map((c) => c.operation)).toEqual(['ChangeResourceRecordSets']);
    // one write, and the zone is as it was when backed up
    expect(mutations().length).toBe(before + 1);
    expect(await records(zoneId)).toEqual(backup.resourceRecordSets);
    const status = sb.server.twin.world.changes.find((c) => c.id === r.changeId)!;
    expect(status.insyncAt).toBeLessThanOrEqual(Date.now());
  });

  it('run again, it finds everything there and sends nothing', async () => {
    const before = mutations().length;
    const r = await refillZone(access, shared(), zoneId, backup, fast);
    expect(r).toMatchObject({ status: 'nothing-to-do', created: [], changeIds: [], calls: [] });
    expect(r.changeId).toBeUndefined();
    expect(mutations().length).toBe(before);
  });

  it('a record present with other values is a conflict: it is named with what differs, and nothing is changed', async () => {
    const api = (await records(zoneId)).find(byName('api'))!;
    const note = (await records(zoneId)).find(byName('note'))!;
    await change(zoneId, [
      { Action: 'UPSERT', ResourceRecordSet: { ...api, TTL: 30, ResourceRecords: [{ Value: '10.9.9.9' }] } },
      { Action: 'DELETE', ResourceRecordSet: note },
    ]);
    const before = mutations().length;
    const e = await refillZone(access, shared(), zoneId, backup, fast).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RestoreConflictError);
    const err = e as RestoreConflictError;
    expect(err.exitCode).toBe(2);
    expect(err.conflicts).toEqual([{ name: `api.${zoneName}`, type: 'A', differences: ['TTL: zone 30, backup 60', 'values: zone ["10.9.9.9"], backup ["10.9.0.1","10.9.0.2"]'] }]);
    expect(err.message).toMatch(new RegExp(`zone ${zoneId} already holds 1 record set\\(s\\) that differ from the backup, so nothing was changed`));
    expect(err.message).toContain(`api.${zoneName} A: TTL: zone 30, backup 60`);
    expect(mutations().length).toBe(before);
    // the missing TXT was not created either: all or nothing
    expect((await records(zoneId)).find(byName('note'))).toBeUndefined();
    // put it right for the tests that follow
    await change(zoneId, [{ Action: 'UPSERT', ResourceRecordSet: api }]);
    await refillZone(access, shared(), zoneId, backup, fast);
    expect(await records(zoneId)).toEqual(backup.resourceRecordSets);
  });

  it('a dry run sends nothing and says what it would send', async () => {
    const note = (await records(zoneId)).find(byName('note'))!;
    await change(zoneId, [{ Action: 'DELETE', ResourceRecordSet: note }]);
    const before = mutations().length;
    const r = await refillZone(access, shared(), zoneId, backup, { ...fast, dryRun: true });
    expect(r.status).toBe('dry-run');
    expect(r.calls).toEqual([
      {
        account: shared(),
        operation: 'ChangeResourceRecordSets',
        params: { HostedZoneId: zoneId, ChangeBatch: { Comment: expect.stringContaining('restore-zone') as unknown, Changes: [{ Action: 'CREATE', ResourceRecordSet: note }] } },
      },
    ]);
    expect(mutations().length).toBe(before);
    await refillZone(access, shared(), zoneId, backup, fast);
  });

  it('the wait for INSYNC has a budget: when it runs out, a clear error says what was sent and that a re-run carries on', async () => {
    const delays = sb.server.twin.world.delays;
    const insync = delays.changeInsyncMs;
    try {
      await change(zoneId, [{ Action: 'DELETE', ResourceRecordSet: (await records(zoneId)).find(byName('note'))! }]);
      delays.changeInsyncMs = 10 * 60_000;
      const e = await refillZone(access, shared(), zoneId, backup, { maxWaitMs: 300, pollIntervalMs: 50 }).catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'RestoreWaitTimeoutError', code: 'RESTORE_WAIT_TIMEOUT', exitCode: 1 });
      expect((e as Error).message).toMatch(/^waited 0 s for Route 53 change\(s\) \w+ \(records of zone \w+\) to be INSYNC, and the budget ran out \(last seen: \w+ PENDING\); what was sent stays sent — run the same restore again/);
      // the record was created; a re-run finds it there
      sb.server.twin.world.changes.forEach((c) => (c.insyncAt = Math.min(c.insyncAt, Date.now())));
      expect((await refillZone(access, shared(), zoneId, backup, fast)).status).toBe('nothing-to-do');
    } finally {
      delays.changeInsyncMs = insync;
      sb.server.twin.world.changes.forEach((c) => (c.insyncAt = Math.min(c.insyncAt, Date.now())));
      sb.server.twin.world.zones.forEach((z) => (z.busyUntil = Math.min(z.busyUntil, Date.now())));
    }
  });

  it('a zone of another name is refused', async () => {
    const other = { ...backup, zoneName: 'other.example.com.' };
    await expect(refillZone(access, shared(), zoneId, other, fast)).rejects.toMatchObject({ code: 'RESTORE_WRONG_ZONE', exitCode: 2 });
  });
});

describe('recreateZone: the zone was deleted', () => {
  let backup: LoadedBackup;
  let first: RecreateResult;
  const spokesAccount = () => plan.spokes[0]!.account;
  const spokesAccountId = () => sb.info.accounts[1]!.id;

  beforeAll(async () => {
    backup = await readBackup((await backupZone(access, shared(), zoneId, join(dir, 'recreate'), { accountName: shared(), vpcsAtStart: allVpcs() })).json);
    await deleteZone(zoneId);
    expect(zonesNamed()).toEqual([]);
  });

  it('a dry run reads, sends nothing, and lists every call: the zone, its records, then each VPC (another account: authorize, associate, deauthorize)', async () => {
    const before = mutations().length;
    const r = await recreateZone(access, shared(), backup, { ...fast, dryRun: true });
    expect(mutations().length).toBe(before);
    expect(r.zoneId).toBe('(new zone)');
    expect(r.calls.map((c) => `${c.operation} as ${c.account}`)).toEqual([
      `CreateHostedZone as ${shared()}`,
      `ChangeResourceRecordSets as ${shared()}`,
      ...[1, 2].flatMap(() => [`CreateVPCAssociationAuthorization as ${shared()}`, `AssociateVPCWithHostedZone as ${spokesAccount()}`, `DeleteVPCAssociationAuthorization as ${shared()}`]),
    ]);
    expect(r.calls[0]!.params).toMatchObject({ Name: zoneName, CallerReference: `${callerReferencePrefix(backup)}1`, HostedZoneConfig: { PrivateZone: true }, VPC: { VPCId: sb.info.vpcs[0]!.id } });
  });

  it('makes the zone anew: same name, comment, private, every VPC of the start (the cross-account ones too), every record, no authorization left', async () => {
    first = await recreateZone(access, shared(), backup, fast);
    expect(first.zoneId).not.toBe(zoneId);
    expect(first).toMatchObject({ previousZoneId: zoneId, createdZone: true, createdWith: allVpcs()[0], skipped: [], alreadyAssociated: [] });
    expect(first.associated).toEqual(allVpcs());
    const zones = zonesNamed();
    expect(zones.length).toBe(1);
    const z = zones[0]!;
    expect(z.id).toBe(first.zoneId);
    expect(z.comment).toBe(backup.comment);
    expect(z.privateZone).toBe(true);
    expect(z.ownerId).toBe(backup.ownerAccountId);
    expect(z.vpcs.map((v) => v.vpcId).sort()).toEqual(allVpcs().map((v) => v.vpcId).sort());
    expect(z.authorizations).toEqual([]);
    // records: the backup's, the apex made by Route 53, and the alias to a name of the zone pointing at the new zone
    const live = (await records(first.zoneId)).filter((r) => !isApex(r));
    const expected = backup.resourceRecordSets
      .filter((r) => !isApex(r))
      .map((r) => (r.AliasTarget?.HostedZoneId === zoneId ? { ...r, AliasTarget: { ...r.AliasTarget, HostedZoneId: first.zoneId } } : r));
    expect(live).toEqual(expected);
    // the cross-account VPCs were associated by their own account, each with an authorization made and removed by the zone's owner
    const log = sb.server.twin.log.filter((e) => e.outcome === 'ok' && e.mutating && (e.path.includes(first.zoneId) || e.operation === 'CreateHostedZone'));
    const ops = log.map((e) => `${e.operation} ${e.accountId === spokesAccountId() ? 'spokes' : 'owner'}`);
    expect(ops).toEqual([
      'CreateHostedZone owner',
      'ChangeResourceRecordSets owner',
      ...[1, 2].flatMap(() => ['CreateVPCAssociationAuthorization owner', 'AssociateVPCWithHostedZone spokes', 'DeleteVPCAssociationAuthorization owner']),
    ]);
    // the records were INSYNC before any other VPC was associated
    const recordsChange = sb.server.twin.world.changes.find((c) => c.id === first.records.changeId)!;
    const firstAssoc = log.find((e) => e.operation === 'AssociateVPCWithHostedZone')!;
    expect(firstAssoc.at).toBeGreaterThanOrEqual(recordsChange.insyncAt);
  });

  it('run again, it recognises the zone it made (by its CallerReference) and sends nothing', async () => {
    const before = mutations().length;
    const again = await recreateZone(access, shared(), backup, fast);
    expect(again).toMatchObject({ zoneId: first.zoneId, createdZone: false, associated: [], skipped: [] });
    expect(again.alreadyAssociated).toEqual(allVpcs());
    expect(again.records.status).toBe('nothing-to-do');
    expect(mutations().length).toBe(before);
    expect(zonesNamed().length).toBe(1);
  });

  it('killed after CreateHostedZone applied but before its reply arrived: the next run finds that zone and finishes it; there is no second zone', async () => {
    await deleteZone(first.zoneId);
    expect(zonesNamed()).toEqual([]);
    sb.server.twin.faults.add({ kind: 'hold', phase: 'after', operation: 'CreateHostedZone', count: 1 });
    const crash = new AbortController();
    const run = recreateZone(access, shared(), backup, { ...fast, signal: crash.signal }).then(
      () => 'finished',
      () => 'crashed',
    );
    const held = await sb.server.twin.waitForHeld(10_000);
    expect(held.map((h) => h.operation)).toEqual(['CreateHostedZone']);
    crash.abort(new Error('killed'));
    sb.server.twin.release();
    expect(await run).toBe('crashed');
    const made = zonesNamed();
    expect(made.length, 'the zone exists, empty but for its apex').toBe(1);
    expect(made[0]!.records.length).toBe(2);

    const creates = sb.server.twin.log.filter((e) => e.operation === 'CreateHostedZone').length;
    const after = await recreateZone(access, shared(), backup, fast);
    expect(after).toMatchObject({ zoneId: made[0]!.id, createdZone: false });
    expect(sb.server.twin.log.filter((e) => e.operation === 'CreateHostedZone').length, 'no CreateHostedZone sent again').toBe(creates);
    expect(zonesNamed().map((z) => z.id)).toEqual([made[0]!.id]);
    expect(zonesNamed()[0]!.vpcs.map((v) => v.vpcId).sort()).toEqual(allVpcs().map((v) => v.vpcId).sort());
    expect((await records(after.zoneId)).filter((r) => !isApex(r)).length).toBe(backup.recordCount - 2);
    first = after;
  });

  it('a VPC that no account of the plan owns is refused before anything is sent', async () => {
    const before = mutations().length;
    const e = await recreateZone(access, shared(), backup, { ...fast, vpcs: [...allVpcs(), { vpcId: 'vpc-0123456789abcdef0', region: plan.region }] }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(RestoreRefusedError);
    expect(e).toMatchObject({ code: 'RESTORE_VPC_OWNER_UNKNOWN', exitCode: 2 });
    expect((e as Error).message).toMatch(/no account of the plan owns vpc-0123456789abcdef0 \(us-east-1\).*\(nothing was changed\)/);
    expect(mutations().length).toBe(before);
  });

  it("without a VPC of the zone's own account the zone can't be created: refused, naming the fix", async () => {
    await deleteZone(first.zoneId);
    const before = mutations().length;
    const e = await recreateZone(access, shared(), backup, { ...fast, vpcs: allVpcs().slice(1) }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'RESTORE_NO_CREATION_VPC', exitCode: 2 });
    expect((e as Error).message).toMatch(/a private zone is created with a VPC of its own account .* add one with --vpc/);
    expect(mutations().length).toBe(before);
  });

  it('the wrong account, or a public zone, is refused', async () => {
    await expect(recreateZone(access, spokesAccount(), backup, fast)).rejects.toMatchObject({ code: 'RESTORE_WRONG_ACCOUNT' });
    await expect(recreateZone(access, shared(), { ...backup, privateZone: false }, fast)).rejects.toMatchObject({ code: 'RESTORE_PUBLIC_ZONE' });
  });
});

describe('recreateZone in a migrated estate: a VPC whose endpoint serves the name with Private DNS', () => {
  let sb1: Sandbox;
  let access1: AwsAccess;
  let plan1: Plan;
  let name1: string;
  const zoneNameOne = () => name1;
  beforeAll(async () => {
    sb1 = await startSandbox({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 1, seed: 'restore-one', region: 'us-east-1', delayScale: 0.01, dir: join(dir, 'one'), host: '127.0.0.1', port: 0, rateLimits: 'off' });
    plan1 = (await loadPlan(sb1.info.planFile)).plan;
    name1 = sb1.world.zones[0]!.name;
    process.env.AWS_ENDPOINT_URL = sb1.info.endpointUrl;
    process.env.AWS_CONFIG_FILE = sb1.info.awsConfigFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = sb1.info.awsCredentialsFile;
    access1 = new AwsAccess({ region: plan1.region, accounts: plan1.accounts });
  });
  afterAll(async () => {
    access1?.destroy();
    await sb1?.close();
    Object.assign(process.env, { AWS_CONFIG_FILE: sb.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile, AWS_ENDPOINT_URL: sb.info.endpointUrl });
  });

  it('the zone is created with the next VPC of its account, and that VPC is reported skipped with the reason; it keeps resolving through its endpoint', async () => {
    const acct = plan1.profile.account;
    const z = plan1.endpoints[0]!.zones[0]!;
    const backup = await readBackup((await backupZone(access1, acct, z, join(dir, 'one-backups'), { accountName: acct })).json);
    // What the migration leaves: the zone gone, Private DNS on in the shared-services VPC.
    const w = sb1.server.twin.world;
    w.zones = w.zones.filter((x) => x.id !== z);
    const ep = w.endpoints[0]!;
    ep.privateDnsEnabled = true;
    const vpcs = sb1.info.vpcs.map((v) => ({ vpcId: v.id, region: plan1.region }));
    const dry = await recreateZone(access1, acct, backup, { ...fast, vpcs, dryRun: true });
    expect(dry.calls[0]).toMatchObject({ operation: 'CreateHostedZone', params: { VPC: { VPCId: vpcs[1]!.vpcId } } });
    const sent = sb1.server.twin.log.length;
    const r = await recreateZone(access1, acct, backup, { ...fast, vpcs });
    expect(r.createdWith).toEqual(vpcs[1]);
    expect(r.skipped.map((s) => s.vpcId)).toEqual([vpcs[0]!.vpcId]);
    expect(r.skipped[0]!.reason).toBe(
      `its endpoint ${ep.id} serves ${backup.zoneName} with Private DNS, and AWS refuses a private zone of that name there (ConflictingDomainExists); that VPC keeps resolving the name through its endpoint`,
    );
    expect(r.associated).toEqual(vpcs.slice(1));
    const made = w.zones.find((x) => x.id === r.zoneId)!;
    expect(made.vpcs.map((v) => v.vpcId)).toEqual(vpcs.slice(1).map((v) => v.vpcId));
    // seen before anything was sent: no request was refused
    expect(sb1.server.twin.log.slice(sent).filter((e) => e.mutating && e.outcome !== 'ok')).toEqual([]);
  });

  it("a VPC with another zone of that name can't take the zone either: with no other VPC of the owner left, the restore is refused naming that zone", async () => {
    const acct = plan1.profile.account;
    const w = sb1.server.twin.world;
    const existing = w.zones.find((x) => x.name === zoneNameOne())!;
    // A backup of another zone of the same name (say, made before it was re-created by hand).
    const backup = await readBackup((await backupZone(access1, acct, existing.id, join(dir, 'one-backups-2'), { accountName: acct })).json);
    const other = { ...backup, zoneId: 'ZOTHERZONE000000000', savedAt: new Date(0).toISOString() };
    const vpcs = sb1.info.vpcs.map((v) => ({ vpcId: v.id, region: plan1.region }));
    const e = await recreateZone(access1, acct, other, { ...fast, vpcs }).catch((x: Error) => x);
    expect(e).toMatchObject({ code: 'RESTORE_NO_CREATION_VPC', exitCode: 2 });
    expect((e as Error).message).toContain(`${vpcs[1]!.vpcId}: zone ${existing.id} of the same name is already associated with it`);
    expect((e as Error).message).toContain(`${vpcs[0]!.vpcId}: its endpoint`);
  });

  it('a VPC AWS refuses all the same (ConflictingDomainExists at association) is reported and the rest goes on', async () => {
    const acct = plan1.profile.account;
    const w = sb1.server.twin.world;
    const zone = w.zones.find((x) => x.name === zoneNameOne())!;
    const backup = await readBackup((await backupZone(access1, acct, zone.id, join(dir, 'one-backups-3'), { accountName: acct })).json);
    w.zones = w.zones.filter((x) => x !== zone);
    const vpcs = sb1.info.vpcs.map((v) => ({ vpcId: v.id, region: plan1.region }));
    sb1.server.twin.faults.add({ kind: 'error', operation: 'AssociateVPCWithHostedZone', match: vpcs[2]!.vpcId, status: 400, code: 'ConflictingDomainExists', message: 'overlapping name space', count: 1 });
    const r = await recreateZone(access1, acct, backup, { ...fast, vpcs });
    expect(r.associated).toEqual([vpcs[1]]);
    expect(r.skipped.map((x) => x.vpcId)).toEqual([vpcs[0]!.vpcId, vpcs[2]!.vpcId]);
    expect(r.skipped[1]!.reason).toMatch(/^AWS refused it with ConflictingDomainExists: .*overlapping name space/);
  });
});
