// Route 53 changes asked about while their batch is still being sent (step 6's waves): each change
// found INSYNC is handed to the converge gate as settled and never asked again; the ones still
// PENDING when the batch is sent are handed on in the order they were made; a failing GetChange
// leaves them to the gate, and finishing never waits on a poll.
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsAccess } from '../../src/aws/access.js';
import { realSleep } from '../../src/aws/budget.js';
import { ChangeSettler, type MadeChange } from '../../src/machines/change-settler.js';
import type { Plan } from '../../src/plan/schema.js';
import type { Sandbox } from '../../src/twin/sandbox.js';
import { startInProcessEstate, type InProcessEstate } from '../support/in-process-estate.js';

let estate: InProcessEstate;
let sb: Sandbox;
let plan: Plan;
let access: AwsAccess;

beforeAll(async () => {
  // Route 53 changes take 5 s on AWS; a delay scale of 0.04 makes it 200 ms.
  estate = await startInProcessEstate({ seed: 'settler', vpcs: 2, endpoints: 3, accounts: 1, delayScale: 0.04 });
  ({ sb, plan, access } = estate);
});

afterAll(async () => {
  await estate?.close();
});

const owner = () => plan.sharedServicesVpc.account;
let serial = 0;
/** A real change (a TXT record upserted) on the next zone, as its owner; each zone takes one change at a time. */
async function makeChange(): Promise<MadeChange> {
  const zones = plan.endpoints.flatMap((e) => e.zones);
  const zoneId = zones[serial % zones.length]!;
  await until('the zone takes a change', () => Date.now() >= (sb.server.twin.world.zones.find((z) => z.id === zoneId)!.busyUntil ?? 0));
  const zoneName = sb.server.twin.world.zones.find((z) => z.id === zoneId)!.name;
  const out = await access.mutate(
    owner(),
    'route53',
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: `settler-${++serial}.${zoneName}`, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"x"' }] } }] },
    }),
  );
  if (out.status !== 'applied') throw new Error('the change was not made');
  return { account: owner(), changeId: out.output.ChangeInfo!.Id!.replace('/change/', '') };
}

const getChanges = () => sb.server.twin.log.filter((e) => e.operation === 'GetChange');
const settler = (signal = new AbortController().signal) => new ChangeSettler({ access, sleep: realSleep, pollIntervalMs: 50 }, signal);

async function until(what: string, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`never happened: ${what}`);
}

describe('changes asked about while the batch is sent', () => {
  it('a change found INSYNC while the batch was still being sent is not handed to the gate, and was asked about once it could be', async () => {
    const s = settler();
    const made: MadeChange[] = [];
    for (let i = 0; i < 3; i++) {
      made.push(await makeChange());
      s.add(made.at(-1)!);
    }
    // Bounded: the twin's changes are INSYNC 200 ms after they were made.
    await until('every change found INSYNC', () => s.settledCount === 3);
    expect(await s.finish(made)).toEqual([]);
    // Nothing is asked after the batch is sent.
    const after = getChanges().length;
    await new Promise((r) => setTimeout(r, 150));
    expect(getChanges().length).toBe(after);
  });

  it('the changes still PENDING when the batch is sent are handed on in the order they were made, at once', async () => {
    const s = settler();
    const made = [await makeChange(), await makeChange()];
    for (const c of made) s.add(c);
    // Finished right away: both are younger than Route 53's propagation, so both go to the gate.
    expect(await s.finish(made)).toEqual(made);
  });

  it('a GetChange that fails leaves the changes to the gate (no error out of the batch)', async () => {
    const fault = sb.server.twin.faults.add({ kind: 'error', operation: 'GetChange', status: 400, code: 'InvalidInput', message: 'injected' });
    try {
      const s = settler();
      const made = [await makeChange()];
      s.add(made[0]!);
      await new Promise((r) => setTimeout(r, 400));
      expect(await s.finish(made)).toEqual(made);
    } finally {
      sb.server.twin.faults.clear(fault.id);
    }
  });

  it('the run stopping (its signal aborted) ends the asking; finishing still answers', async () => {
    const stop = new AbortController();
    const s = settler(stop.signal);
    const made = [await makeChange()];
    s.add(made[0]!);
    stop.abort(new Error('operator stop'));
    const before = getChanges().length;
    await new Promise((r) => setTimeout(r, 300));
    expect(getChanges().length - before).toBeLessThanOrEqual(1);
    expect(await s.finish(made)).toEqual(made);
  });
});
