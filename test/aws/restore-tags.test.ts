// A zone's tags through a backup and back: the backup records them, a re-created zone gets them
// again, but not r53migrate's own run mark (it belonged to the run that deleted the zone; put back,
// it would make the next run see the estate as held by another).
import { ChangeResourceRecordSetsCommand, ChangeTagsForResourceCommand, DeleteHostedZoneCommand, ListResourceRecordSetsCommand, ListTagsForResourceCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { backupZone, readBackup } from '../../src/aws/backup.js';
import { OWN_TAG_PREFIX, recreateZone } from '../../src/aws/restore.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
let plan: Plan;
let access: AwsAccess;
let zoneId: string;
let zoneName: string;
let sdk: Route53Client;
const savedEnv = { ...process.env };
const account = () => plan.profile.account;
const fast = { maxWaitMs: 20_000, pollIntervalMs: 50 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-restore-tags-'));
  sb = await startSandbox({ scenario: 'direct', vpcs: 3, endpoints: 1, accounts: 1, seed: 'restore-tags', region: 'us-east-1', delayScale: 0.01, dir, host: '127.0.0.1', port: 0, rateLimits: 'off' });
  Object.assign(process.env, { AWS_CONFIG_FILE: sb.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile, AWS_ENDPOINT_URL: sb.info.endpointUrl });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  plan = (await loadPlan(sb.info.planFile)).plan;
  access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
  zoneId = plan.endpoints[0]!.zones[0]!;
  zoneName = sb.world.zones.find((z) => z.id === zoneId)!.name;
  const a = sb.info.accounts[0]!;
  sdk = new Route53Client({ endpoint: sb.info.endpointUrl, region: plan.region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 });
  // This test is about tags: the zone's next change need not wait for its last to be INSYNC.
  sb.server.twin.world.rules.priorRequestNotComplete = false;
});

afterAll(async () => {
  sdk?.destroy();
  access?.destroy();
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const tagsOf = async (id: string) =>
  Object.fromEntries(((await sdk.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }))).ResourceTagSet?.Tags ?? []).map((t) => [t.Key, t.Value]));

describe("a zone's tags", () => {
  it('are recorded by the backup, and put back on the re-created zone except r53migrate\'s own run mark; a re-run sends no tag change', async () => {
    const mark = `${OWN_TAG_PREFIX}run`;
    await sdk.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'hostedzone',
        ResourceId: zoneId,
        AddTags: [
          { Key: 'team', Value: 'network' },
          { Key: 'cost-center', Value: '42' },
          { Key: mark, Value: 'run=abc by=me@host since=2026-01-01T00:00:00Z plan=prod' },
        ],
      }),
    );
    const backup = await readBackup((await backupZone(access, account(), zoneId, join(dir, 'b'), { accountName: account() })).json);
    expect(Object.fromEntries((backup.tags ?? []).map((t) => [t.Key, t.Value]))).toEqual(await tagsOf(zoneId));

    // the zone goes, as step 7 deletes it
    const rest = ((await sdk.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? []).filter((r) => !((r.Type === 'SOA' || r.Type === 'NS') && r.Name === zoneName));
    await sdk.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: rest.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })) } }));
    await sdk.send(new DeleteHostedZoneCommand({ Id: zoneId }));

    const vpcs = sb.info.vpcs.slice(1).map((v) => ({ vpcId: v.id, region: plan.region }));
    const r = await recreateZone(access, account(), backup, { ...fast, vpcs });
    expect(r.tagsRestored.sort()).toEqual(['cost-center', 'team']);
    expect(await tagsOf(r.zoneId)).toEqual({ team: 'network', 'cost-center': '42' });

    const changes = () => sb.server.twin.log.filter((e) => e.operation === 'ChangeTagsForResource').length;
    const before = changes();
    const again = await recreateZone(access, account(), backup, { ...fast, vpcs });
    expect(again.tagsRestored).toEqual([]);
    expect(changes()).toBe(before);
  });
});
