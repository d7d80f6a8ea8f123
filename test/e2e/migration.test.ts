// The product end to end: the real CLI as a child process against a sandbox started by the real
// CLI, real DNS on loopback, an independent probe loop, and the twin's own log as the witness.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { appliedMutations, excusedKeeperGap, startEstate, type Estate } from '../support/estate.js';

const hostedZoneArn = (id: string) => `arn:aws:route53:::hostedzone/${id}`;

/** The migrated estate: zones gone, endpoints on the Profile with Private DNS, every VPC on it, nothing left over. */
function expectMigrated(world: TwinWorld, e: Estate, zoneIds: string[]) {
  expect(world.zones.filter((z) => zoneIds.includes(z.id))).toEqual([]);
  for (const ep of world.endpoints) {
    expect(ep.privateDnsEnabled, ep.id).toBe(true);
    expect(ep.state, ep.id).toBe('available');
    expect(world.resourceAssociations.find((r) => r.resourceArn.endsWith(`/${ep.id}`))?.status, ep.id).toBe('COMPLETE');
  }
  expect(world.resourceAssociations.filter((r) => zoneIds.some((z) => r.resourceArn === hostedZoneArn(z)))).toEqual([]);
  expect(world.profileAssociations.filter((a) => a.status === 'COMPLETE').map((a) => a.resourceId).sort()).toEqual(e.info.vpcs.map((v) => v.id).sort());
  expect(world.zones.flatMap((z) => z.authorizations)).toEqual([]);
}

const scenarios: [string, string[]][] = [
  ['path A, 3 VPCs, 1 endpoint, 3 accounts', ['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '3']],
  ['path B, 3 VPCs, 1 endpoint, 3 accounts', ['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '3']],
  ['path A, 20 VPCs, 3 endpoints, 3 accounts', ['--scenario', 'direct', '--vpcs', '20', '--endpoints', '3', '--accounts', '3']],
  ['path B, 20 VPCs, 3 endpoints, 3 accounts', ['--scenario', 'via-profile', '--vpcs', '20', '--endpoints', '3', '--accounts', '3']],
];

// The four estates run at once; inside each, plan → apply → apply again, in that order.
describe.concurrent.each(scenarios)('migration end to end: %s', (_title, args) => {
  let e: Estate;
  let zoneIds: string[];
  beforeAll(async () => {
    e = await startEstate(args);
    zoneIds = (await e.state()).zones.map((z) => z.id);
  }, 120_000);
  afterAll(async () => e?.close());

  it.sequential('plan is a dry run: it prints every call and makes no mutating request', async () => {
    const before = (await e.requests()).length;
    const r = await e.cli(['plan', e.info.planFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Detected path [AB]/);
    expect(r.stdout).toMatch(/Plan hash: [0-9a-f]{16}/);
    const calls = (await e.requests()).slice(before);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.mutating)).toEqual([]);
  }, 120_000);

  it.sequential('apply migrates the estate, and no VPC ever lost resolution (independent probe loop)', async () => {
    const probes = e.probeLoop();
    const r = await e.cli(['apply', e.info.planFile, '--yes', '--state', join(e.dir, 'state', 'run.state.json')], 600_000);
    const { rounds, failures } = await probes.stop();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/Migration complete \(from step 1\)/);
    // the CLI's own monitor agrees: no pair that had to resolve ever answered wrong
    expect(r.stdout).toMatch(/DNS probes \(0 not ok/);
    expectMigrated(await e.state(), e, zoneIds);
    const log = await e.requests();
    const keeper = e.info.vpcs[e.info.vpcs.length - 1]!.id;
    expect(rounds).toBeGreaterThan(10);
    expect(failures.filter((f) => !excusedKeeperGap(f, e.info, keeper, log))).toEqual([]);
    // no mutation was applied twice
    expect([...appliedMutations(log).values()].filter((n) => n > 1)).toEqual([]);
    // the zones' records were backed up before they were deleted
    const state = JSON.parse(readFileSync(join(e.dir, 'state', 'run.state.json'), 'utf8')) as { status: string; backups: { zoneId: string; json: string }[] };
    expect(state.status).toBe('done');
    expect(state.backups.map((b) => b.zoneId).sort()).toEqual([...zoneIds].sort());
    for (const b of state.backups) expect(existsSync(b.json)).toBe(true);
  }, 900_000);

  it.sequential('apply on the migrated estate is a no-op that says so', async () => {
    const before = (await e.requests()).length;
    const r = await e.cli(['apply', e.info.planFile, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Nothing to do: sandbox-\S+ is already migrated/);
    expect((await e.requests()).slice(before).filter((c) => c.mutating)).toEqual([]);
  }, 120_000);
});
