// A zone's tags through a backup and back: the backup records them, a re-created zone gets them
// again, but not r53migrate's own run mark (it belonged to the run that deleted the zone; put back,
// it would make the next run see the estate as held by another).
import { ChangeTagsForResourceCommand, ListTagsForResourceCommand } from '@aws-sdk/client-route-53';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupZone, readBackup } from '../../src/aws/backup.js';
import { OWN_TAG_PREFIX, recreateZone } from '../../src/aws/restore.js';
import { fast, startInProcessEstate, type InProcessEstate } from '../support/in-process-estate.js';

let estate: InProcessEstate | undefined;
// Filled in by beforeAll from the estate.
let { sb, dir, plan, access, zoneId, sdk, deleteZone } = {} as InProcessEstate;
const account = () => plan.profile.account;

beforeAll(async () => {
  estate = await startInProcessEstate({ seed: 'restore-tags', accounts: 1 });
  ({ sb, dir, plan, access, zoneId, sdk, deleteZone } = estate);
  // This test is about tags: the zone's next change need not wait for its last to be INSYNC.
  sb.server.twin.world.rules.priorRequestNotComplete = false;
});

afterAll(async () => {
  await estate?.close();
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
    await deleteZone(zoneId);

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
