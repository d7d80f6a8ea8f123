// Zone backups you can restore from: what backupZone writes (JSON, BIND, a ready change batch),
// that it verifies each file against the live zone, and that readBackup refuses, with a typed
// error naming the file, a backup it can't trust (cut short, edited, not ours). Against a sandbox
// over HTTP, with the official SDK as the witness of what ListResourceRecordSets returns.
import { ChangeResourceRecordSetsCommand, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  backupZone,
  BackupFileError,
  BackupVerificationError,
  canonicalJson,
  parseBackup,
  readBackup,
  type BackupFile,
  type ZoneBackup,
} from '../../src/aws/backup.js';
import { someRecords, startInProcessEstate, type InProcessEstate } from '../support/in-process-estate.js';

let estate: InProcessEstate | undefined;
// Filled in by beforeAll from the estate.
let { sb, dir, plan, access, zoneId, zoneName, sdk, records } = {} as InProcessEstate;
const shared = () => plan.profile.account;

beforeAll(async () => {
  estate = await startInProcessEstate({ seed: 'backup', accounts: 2 });
  ({ sb, dir, plan, access, zoneId, zoneName, sdk, records } = estate);
  // A zone with more than the apex and the endpoint alias: plain records, a TXT, and an alias to a name of the zone itself.
  await estate.change(zoneId, someRecords(zoneId, zoneName));
});

afterAll(async () => {
  await estate?.close();
});

const liveRecords = () => records(zoneId);
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const vpcs = () => sb.info.vpcs.map((v) => ({ vpcId: v.id, region: plan.region }));

/** The error readBackup throws for a file with this text. */
async function refusal(name: string, text: string): Promise<BackupFileError> {
  const file = join(dir, name);
  writeFileSync(file, text);
  const e = await readBackup(file).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(BackupFileError);
  const err = e as BackupFileError;
  expect(err.exitCode).toBe(2);
  expect(err.message).toContain(file);
  return err;
}

describe('backupZone writes a backup you can restore from', () => {
  let b: ZoneBackup;
  let doc: BackupFile;
  beforeAll(async () => {
    b = await backupZone(access, shared(), zoneId, join(dir, 'backups'), { accountName: shared(), planFile: sb.info.planFile, vpcsAtStart: vpcs() });
    doc = JSON.parse(readFileSync(b.json, 'utf8')) as BackupFile;
  });

  it('the JSON records the zone, its owner, the plan, the VPCs at the start and now, and every record exactly as ListResourceRecordSets returns it', async () => {
    const live = await liveRecords();
    expect(doc).toMatchObject({
      format: 'r53migrate.zone-backup',
      formatVersion: 2,
      zoneId,
      zoneName,
      comment: sb.world.zones.find((z) => z.id === zoneId)!.comment,
      privateZone: true,
      ownerAccountId: sb.info.accounts[0]!.id,
      accountName: shared(),
      planFile: sb.info.planFile,
      vpcsAtStart: vpcs(),
      recordCount: live.length,
    });
    expect(doc.vpcsAtBackup.map((v) => v.vpcId).sort()).toEqual(sb.info.vpcs.map((v) => v.id).sort());
    expect(Number.isNaN(Date.parse(doc.savedAt))).toBe(false);
    expect(doc.resourceRecordSets).toEqual(live);
    expect(doc.resourceRecordSets.some((r) => r.AliasTarget?.HostedZoneId === zoneId)).toBe(true);
    expect(b).toMatchObject({ zoneId, zoneName, records: live.length, recordsSha256: doc.recordsSha256 });
  });

  it('the checksum is the sha256 of the record list as canonical JSON (keys sorted, no whitespace), so anyone can check it', () => {
    expect(doc.recordsSha256).toBe(sha256(canonicalJson(doc.resourceRecordSets)));
    expect(canonicalJson({ b: 1, a: [{ d: 'x', c: true }] })).toBe('{"a":[{"c":true,"d":"x"}],"b":1}');
  });

  it('the ready change batch creates every record but the apex SOA and NS, in the form the AWS CLI takes', () => {
    expect(basename(b.restoreBatch)).toBe(basename(b.json).replace(/\.json$/, '.restore-batch.json'));
    const batch = JSON.parse(readFileSync(b.restoreBatch, 'utf8')) as { Comment: string; Changes: { Action: string; ResourceRecordSet: ResourceRecordSet }[] };
    const expected = doc.resourceRecordSets.filter((r) => !((r.Type === 'SOA' || r.Type === 'NS') && r.Name === zoneName));
    expect(batch.Changes).toEqual(expected.map((r) => ({ Action: 'CREATE', ResourceRecordSet: r })));
    expect(batch.Changes.length).toBe(doc.recordCount - 2);
    expect(batch.Comment).toContain(zoneName);
  });

  it('the BIND file says plainly that alias and routing-policy records are not in it and the JSON is the one to restore from', () => {
    const bind = readFileSync(b.bind, 'utf8');
    expect(basename(b.bind)).toBe(basename(b.json).replace(/\.json$/, '.zone'));
    expect(bind).toMatch(/cannot carry Route 53 alias\n; records or routing-policy fields/);
    expect(bind).toContain(`Restore from the JSON backup ${basename(b.json)}`);
    expect(bind).toContain(`r53migrate restore-zone ${basename(b.json)}`);
    expect(bind).toContain(`file://${basename(b.restoreBatch)}`);
    expect(bind).toContain(`api.${zoneName}\t60\tIN\tA\t10.9.0.1`);
    expect(bind).toContain(`note.${zoneName}\t300\tIN\tTXT\t"kept by the backup"`);
    // aliases are comments, not records
    expect(bind).toMatch(new RegExp(`^; ALIAS www\\.${zoneName.replace(/\./g, '\\.')} A -> api\\.`, 'm'));
    expect(bind).not.toMatch(/^www\./m);
  });

  it('readBackup reads it back, verified', async () => {
    const back = await readBackup(b.json);
    expect(back.path).toBe(b.json);
    expect(back.resourceRecordSets).toEqual(doc.resourceRecordSets);
    expect(back.vpcsAtStart).toEqual(vpcs());
  });

  it('without vpcsAtStart the VPCs at the start are those associated now; a bare AbortSignal (the older call) still works and records no plan', async () => {
    const c = await backupZone(access, shared(), zoneId, join(dir, 'backups-legacy'), new AbortController().signal);
    const d = await readBackup(c.json);
    expect(d.vpcsAtStart).toEqual(d.vpcsAtBackup);
    expect(d.planFile).toBeNull();
    expect(d.accountName).toBe(shared());
  });
});

describe('the backup is verified against the live zone before anything relies on it', () => {
  it('a record changed between writing and reading back fails the verification (nothing would be deleted)', async () => {
    // Hold the verification's listing, change the zone meanwhile, let it go.
    const listings = sb.server.twin.log.filter((e) => e.operation === 'ListResourceRecordSets').length;
    sb.server.twin.faults.add({ kind: 'hold', phase: 'before', operation: 'ListResourceRecordSets', skip: 1, count: 1 });
    const p = backupZone(access, shared(), zoneId, join(dir, 'backups-race'), { accountName: shared() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    const held = await sb.server.twin.waitForHeld(10_000);
    expect(held.length).toBe(1);
    expect(sb.server.twin.log.filter((e) => e.operation === 'ListResourceRecordSets').length).toBeGreaterThan(listings);
    await sdk.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: `api.${zoneName}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.9.0.9' }] } }] },
      }),
    );
    sb.server.twin.release();
    const e = await p;
    expect(e).toBeInstanceOf(BackupVerificationError);
    expect((e as Error).message).toMatch(/the records differ \(did someone change the zone meanwhile\?\)/);
  });

  it('backupZone refuses an accountName other than the account it reads the zone as', async () => {
    await expect(backupZone(access, shared(), zoneId, join(dir, 'x'), { accountName: 'someone-else' })).rejects.toThrow(/accountName \(someone-else\) must be the plan account/);
  });
});

describe('readBackup refuses a backup it cannot trust: typed error, exit code 2, the file and what is wrong', () => {
  let good: string;
  let goodDoc: BackupFile;
  beforeAll(async () => {
    const b = await backupZone(access, shared(), zoneId, join(dir, 'backups-good'), { accountName: shared(), planFile: sb.info.planFile });
    good = readFileSync(b.json, 'utf8');
    goodDoc = JSON.parse(good) as BackupFile;
  });
  const edited = (f: (d: BackupFile) => void) => {
    const d = structuredClone(goodDoc);
    f(d);
    return JSON.stringify(d, null, 2);
  };

  it('a missing file', async () => {
    const e = (await readBackup(join(dir, 'nope.json')).catch((x: unknown) => x)) as BackupFileError;
    expect(e).toBeInstanceOf(BackupFileError);
    expect(e).toMatchObject({ code: 'BACKUP_UNREADABLE', exitCode: 2 });
    expect(e.message).toMatch(/nope\.json: not a zone backup r53migrate can trust: cannot read it \(no such file\)/);
  });

  it('a truncated file (cut short mid-write or mid-copy)', async () => {
    const e = await refusal('truncated.json', good.slice(0, Math.floor(good.length * 0.6)));
    expect(e.code).toBe('BACKUP_NOT_JSON');
    expect(e.message).toMatch(/it is not complete JSON .*: the file was cut short or damaged/);
  });

  it('a record value edited by hand: the checksum does not match', async () => {
    const e = await refusal('edited-value.json', edited((d) => (d.resourceRecordSets.find((r) => r.Type === 'A' && r.ResourceRecords)!.ResourceRecords![0]!.Value = '10.66.66.66')));
    expect(e.code).toBe('BACKUP_CHECKSUM');
    expect(e.message).toMatch(/its records do not match their checksum .*: the records were edited after the backup was written, or the file is damaged/);
  });

  it('a record removed by hand, count fixed up too: still the checksum', async () => {
    const e = await refusal(
      'removed.json',
      edited((d) => {
        d.resourceRecordSets.pop();
        d.recordCount -= 1;
      }),
    );
    expect(e.code).toBe('BACKUP_CHECKSUM');
  });

  it('a record removed and the count left: the count says so', async () => {
    const e = await refusal('count.json', edited((d) => void d.resourceRecordSets.pop()));
    expect(e.code).toBe('BACKUP_INVALID');
    expect(e.message).toMatch(/it says it holds \d+ record sets but holds \d+/);
  });

  it('the checksum itself edited', async () => {
    const e = await refusal('checksum.json', edited((d) => (d.recordsSha256 = '0'.repeat(64))));
    expect(e.code).toBe('BACKUP_CHECKSUM');
  });

  it('the zone name edited: its records no longer fit it', async () => {
    const e = await refusal('zone-name.json', edited((d) => (d.zoneName = 'example.com.')));
    expect(e.code).toBe('BACKUP_INVALID');
    expect(e.message).toMatch(/is not inside zone example\.com\./);
  });

  it('a field of the wrong kind, every problem named by its path', async () => {
    const e = await refusal(
      'fields.json',
      edited((d) => {
        (d as unknown as Record<string, unknown>).privateZone = 'yes';
        d.vpcsAtStart = [{ vpcId: 'vpc-XYZ', region: 'us-east-1' }];
      }),
    );
    expect(e.code).toBe('BACKUP_INVALID');
    expect(e.message).toMatch(/privateZone: /);
    expect(e.message).toMatch(/vpcsAtStart\.0\.vpcId: expected a VPC id/);
  });

  it('a JSON file that is not a backup (a plan, an empty object, an array)', async () => {
    for (const [name, text] of [
      ['plan.json', JSON.stringify(plan)],
      ['empty.json', '{}'],
      ['array.json', '[]'],
    ]) {
      const e = await refusal(name!, text!);
      expect(e.code, name).toBe('BACKUP_NOT_A_BACKUP');
      expect(e.message).toMatch(/it is not an r53migrate zone backup/);
    }
  });

  it('a backup of the older format (no checksum): refused, with the way to put its records back by hand', async () => {
    const old = { zoneId, zoneName, vpcs: [], savedAt: goodDoc.savedAt, resourceRecordSets: goodDoc.resourceRecordSets };
    const e = await refusal('old.json', JSON.stringify(old));
    expect(e.code).toBe('BACKUP_OLD_FORMAT');
    expect(e.message).toMatch(/before backups carried a checksum/);
  });

  it('a backup of a newer format', async () => {
    const e = await refusal('newer.json', edited((d) => (d.formatVersion = 9)));
    expect(e.code).toBe('BACKUP_NEWER_FORMAT');
    expect(e.message).toMatch(/format version 9, newer than this r53migrate/);
  });

  it('the very same bytes parse again (parseBackup is what readBackup and the verification use)', () => {
    expect(parseBackup(good, 'good.json').recordsSha256).toBe(goodDoc.recordsSha256);
  });
});
