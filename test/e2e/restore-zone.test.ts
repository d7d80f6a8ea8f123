// restore-zone end to end: the real CLI as a child process against a sandbox started by the real
// CLI. A migration runs to completion (its zone backed up, emptied and deleted); restore-zone with
// that backup re-creates the zone, and every VPC it is associated with answers the names from it
// again (real DNS on loopback, and the twin's own resolution model as to which zone answered).
// Then a zone emptied by hand is refilled. A backup that can't be trusted changes nothing.
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { backupZone, type BackupFile } from '../../src/aws/backup.js';
import { runMain } from '../../src/cli/main.js';
import { loadPlan } from '../../src/plan/load.js';
import { resolveInVpc } from '../../src/twin/resolution.js';
import { queryUdp } from '../support/dns.js';
import { startEstate, type Estate } from '../support/estate.js';

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

let e: Estate;
let zoneId: string;
let zoneName: string;
let backupFile: string;
let sdk: Route53Client;

beforeAll(async () => {
  // One account: the zone's owner holds every VPC, so the zone can be re-created with a spoke
  // (the shared-services VPC's own endpoint serves the name with Private DNS after the migration).
  e = await startEstate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '1']);
  const z = (await e.state()).zones[0]!;
  zoneId = z.id;
  zoneName = z.name;
  const a = e.info.accounts[0]!;
  sdk = new Route53Client({ endpoint: e.info.endpointUrl, region: e.info.region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 3 });
}, 120_000);
afterAll(async () => {
  sdk?.destroy();
  await e?.close();
});

const mutatingSince = async (n: number) => (await e.requests()).slice(n).filter((c) => c.mutating);
const shared = () => e.info.vpcs[0]!;
const spokes = () => e.info.vpcs.slice(1);
const records = async (id: string): Promise<ResourceRecordSet[]> => (await sdk.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }))).ResourceRecordSets ?? [];

/** Every name, from each VPC's resolver: NOERROR with the endpoint's addresses (one retry on a lost datagram). */
async function answers(vpcs: { id: string; resolver: string }[]): Promise<string[]> {
  const out: string[] = [];
  for (const v of vpcs) {
    for (const n of e.info.names) {
      const ask = () => queryUdp(v.resolver, n.probeName, 'A', 1500);
      const r = await ask().catch(ask);
      out.push(`${v.id} ${n.name}: ${r.rcode} ${r.addresses.join(',')}${r.rcode === 'NOERROR' && r.addresses.join(',') === [...n.ips].sort().join(',') ? ' ok' : ''}`);
    }
  }
  return out;
}
const allOk = (lines: string[]) => expect(lines.filter((l) => !l.endsWith(' ok'))).toEqual([]);

describe('restore-zone end to end (path A, 3 VPCs, 1 account)', () => {
  it('apply migrates the estate: the zone is backed up, emptied and deleted', async () => {
    const r = await e.cli(['apply', e.info.planFile, '--yes', '--state', join(e.dir, 'state', 'run.state.json')], 300_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect((await e.state()).zones.filter((z) => z.id === zoneId)).toEqual([]);
    const state = JSON.parse(readFileSync(join(e.dir, 'state', 'run.state.json'), 'utf8')) as { backups: { zoneId: string; json: string }[] };
    backupFile = state.backups.find((b) => b.zoneId === zoneId)!.json;
    expect(backupFile).toMatch(/\.json$/);
  }, 360_000);

  it('a backup that cannot be trusted is refused: exit 2, the file and what is wrong, no stack, no AWS request', async () => {
    const truncated = join(e.dir, 'truncated.json');
    writeFileSync(truncated, readFileSync(backupFile, 'utf8').slice(0, 400));
    const edited = join(e.dir, 'edited.json');
    const doc = JSON.parse(readFileSync(backupFile, 'utf8')) as BackupFile;
    const alias = doc.resourceRecordSets.find((x) => x.AliasTarget)!;
    alias.AliasTarget!.DNSName = 'attacker.example.com.';
    writeFileSync(edited, JSON.stringify(doc, null, 2));
    const before = (await e.requests()).length;
    for (const [file, why] of [
      [truncated, /it is not complete JSON .*: the file was cut short or damaged/],
      [edited, /its records do not match their checksum/],
      [join(e.dir, 'missing.json'), /cannot read it \(no such file\)/],
    ] as const) {
      const r = await e.cli(['restore-zone', file, '--plan', e.info.planFile, '--yes']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`r53migrate: ${file}: not a zone backup r53migrate can trust: `);
      expect(r.stderr).toMatch(why);
      noStack(r.stderr);
    }
    expect((await e.requests()).length).toBe(before);
  });

  it('without --yes, and not on a terminal, it refuses (exit 2) and changes nothing', async () => {
    const before = (await e.requests()).length;
    const r = await e.cli(['restore-zone', backupFile, '--plan', e.info.planFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/restore-zone changes AWS: pass --yes \(see what it would do with --dry-run\)/);
    expect(await mutatingSince(before)).toEqual([]);
  });

  it("--dry-run prints every call it would make (by default for the backup's VPCs at the start) and changes nothing", async () => {
    const backup = JSON.parse(readFileSync(backupFile, 'utf8')) as BackupFile;
    const before = (await e.requests()).length;
    const r = await e.cli(['restore-zone', backupFile, '--plan', e.info.planFile, '--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Zone ${zoneName} (${zoneId}) no longer exists: re-creating it`);
    expect(r.stdout).toMatch(/Dry run, nothing is changed\. It would send:\n {2}1\. CreateHostedZone as \S+: \{"Name":/);
    expect(r.stdout).toMatch(/ChangeResourceRecordSets as \S+: .*"Action":"CREATE"/);
    for (const v of backup.vpcsAtStart) expect(r.stdout).toContain(v.vpcId);
    expect(await mutatingSince(before)).toEqual([]);
  });

  it('on a terminal it shows what it will send and asks; "n" changes nothing (the CLI run in-process with a terminal for stdin)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, e.env);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    let out = '';
    let err = '';
    const io = {
      stdout: new Writable({ write: (c, _e, cb) => ((out += String(c)), cb()) }),
      stderr: new Writable({ write: (c, _e, cb) => ((err += String(c)), cb()) }),
      stdin,
      env: process.env,
      interrupted: new Promise<string>(() => {}),
    };
    const before = (await e.requests()).length;
    try {
      const code = runMain(['restore-zone', backupFile, '--plan', e.info.planFile], io);
      // answer once the question is on screen
      for (let i = 0; i < 600 && !out.includes('[y/N]'); i++) await new Promise((r) => setTimeout(r, 50));
      stdin.write('n\n');
      expect(await code, err).toBe(0);
    } finally {
      process.env = saved;
    }
    expect(out).toMatch(/It will send:\n {2}1\. CreateHostedZone as /);
    expect(out).toMatch(/Send these \d+ change\(s\)\? \[y\/N\] /);
    expect(out).toContain('Nothing was changed.');
    expect(await mutatingSince(before)).toEqual([]);
  });

  let newZoneId: string;
  it('re-creates the zone: the new id printed, the same name and records, and every VPC it is associated with resolves the names from it again', async () => {
    const before = (await e.requests()).length;
    const vpcArgs = e.info.vpcs.flatMap((v) => ['--vpc', v.id]);
    const r = await e.cli(['restore-zone', backupFile, '--plan', e.info.planFile, ...vpcArgs, '--yes'], 120_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    newZoneId = /^New zone id: (Z[A-Z0-9]+)$/m.exec(r.stdout)?.[1] ?? '';
    expect(newZoneId).not.toBe('');
    expect(newZoneId).not.toBe(zoneId);
    expect(r.stdout).toContain(`Created zone ${zoneName} as ${newZoneId} with ${spokes()[0]!.id}`);
    // The shared-services VPC's own endpoint now serves the name: AWS refuses the zone there, it keeps that answer.
    expect(r.stdout).toMatch(new RegExp(`warning: ${shared().id} was not associated: its endpoint vpce-\\w+ serves ${zoneName.replace(/\./g, '\\.')} with Private DNS, and AWS refuses a private zone of that name there`));

    const world = await e.state();
    const zone = world.zones.find((z) => z.id === newZoneId)!;
    expect(zone.name).toBe(zoneName);
    expect(zone.privateZone).toBe(true);
    expect(zone.vpcs.map((v) => v.vpcId).sort()).toEqual(spokes().map((v) => v.id).sort());
    const backup = JSON.parse(readFileSync(backupFile, 'utf8')) as BackupFile;
    const apex = (x: ResourceRecordSet) => (x.Type === 'SOA' || x.Type === 'NS') && x.Name === zoneName;
    expect(JSON.parse(JSON.stringify((await records(newZoneId)).filter((x) => !apex(x))))).toEqual(backup.resourceRecordSets.filter((x) => !apex(x)));
    // exactly the writes a re-creation needs, none twice, none refused (the conflict was seen first)
    const writes = (await mutatingSince(before)).map((c) => `${c.operation}${c.outcome === 'ok' ? '' : ` ${c.outcome}`}`);
    expect(writes).toEqual(['CreateHostedZone', 'ChangeResourceRecordSets', 'AssociateVPCWithHostedZone']);

    // Each associated VPC answers from the re-created zone (the twin's resolution model says which
    // zone answered), and every VPC, the shared one included, gets the endpoint's addresses.
    for (const v of spokes()) {
      for (const n of e.info.names) {
        const res = resolveInVpc(world, v.id, n.probeName, 'A', Date.now());
        expect({ vpc: v.id, source: res.source, zoneId: res.zoneId }).toEqual({ vpc: v.id, source: 'direct-zone', zoneId: newZoneId });
      }
    }
    allOk(await answers(e.info.vpcs));
  }, 180_000);

  it("run again (for the backup's VPCs at the start), it finds the zone it made and sends nothing", async () => {
    const before = (await e.requests()).length;
    const r = await e.cli(['restore-zone', backupFile, '--plan', e.info.planFile, '--yes']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`Found zone ${newZoneId} (${zoneName}), made by an earlier restore of this backup`);
    expect(r.stdout).toContain(`New zone id: ${newZoneId}`);
    expect(await mutatingSince(before)).toEqual([]);
    expect((await e.state()).zones.filter((z) => z.name === zoneName).map((z) => z.id)).toEqual([newZoneId]);
  });

  it('refills a zone emptied by hand: its VPCs get no answer while it is empty, and answer again after restore-zone', async () => {
    // A backup of the live zone, as a run makes it (the plan recorded, so no --plan is needed).
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_CONFIG_FILE: e.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: e.info.awsCredentialsFile, AWS_ENDPOINT_URL: e.info.endpointUrl });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const plan = (await loadPlan(e.info.planFile)).plan;
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    let json: string;
    try {
      json = (await backupZone(access, plan.profile.account, newZoneId, join(e.dir, 'hand'), { accountName: plan.profile.account, planFile: e.info.planFile })).json;
    } finally {
      access.destroy();
      process.env = saved;
    }
    const copy = join(e.dir, 'refill-backup.json');
    copyFileSync(json, copy);

    // Emptied by hand: every record but the apex.
    const rest = (await records(newZoneId)).filter((x) => !((x.Type === 'SOA' || x.Type === 'NS') && x.Name === zoneName));
    expect(rest.length).toBeGreaterThan(0);
    await sdk.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: newZoneId, ChangeBatch: { Changes: rest.map((x) => ({ Action: 'DELETE', ResourceRecordSet: x })) } }));
    // A matching private zone never falls through: the spokes now get no address from it.
    for (const line of await answers(spokes())) expect(line).toMatch(/: (NXDOMAIN|NOERROR) $/);

    const before = (await e.requests()).length;
    const r = await e.cli(['restore-zone', copy, '--yes'], 120_000);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`Zone ${zoneName} (${newZoneId}) still exists: refilling it`);
    expect(r.stdout).toMatch(new RegExp(`Refilled zone ${zoneName.replace(/\./g, '\\.')} \\(${newZoneId}\\): created ${rest.length} record set\\(s\\): .*; change \\S+ INSYNC\\.`));
    expect((await mutatingSince(before)).filter((c) => c.outcome === 'ok').map((c) => c.operation)).toEqual(['ChangeResourceRecordSets']);
    allOk(await answers(e.info.vpcs));

    // and again: nothing to do
    const again = await e.cli(['restore-zone', copy, '--yes']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/Nothing to do: zone \S+ already holds every record set of the backup/);
  }, 180_000);

  it('--vpc with a zone that still exists is a usage error (a refill leaves associations alone)', async () => {
    const copy = join(e.dir, 'refill-backup.json');
    const r = await e.cli(['restore-zone', copy, '--vpc', shared().id, '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/still exists: restore-zone refills its records and leaves its VPC associations as they are, so --vpc does not apply/);
    noStack(r.stderr);
  });
});
