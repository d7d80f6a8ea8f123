// Issue 15 end to end: an estate with no Route 53 Profile at all (`--scenario direct-no-profile`),
// three accounts. `plan` shows prepare (share, Profile, invitations) before the seven steps;
// `apply` creates the Profile, shares it through RAM, accepts each spoke account's invitation with
// that account's credentials, waits until each sees it, then migrates — with the independent probe
// loop seeing no wrong answer (a parking VPC: no keeper window); `rollback` takes all of it back.
// Then prepare alone (--through-step 0) and its rollback, the organization case (no invitations),
// and the refusals that must change nothing (exit 2).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { runCli } from '../support/cli.js';
import { appliedMutations, startEstate, type Estate } from '../support/estate.js';

const PREPARED_BY = 'r53migrate:prepared-by';
const ARGS = ['--scenario', 'direct-no-profile', '--vpcs', '4', '--endpoints', '1', '--accounts', '3'];

const liveShares = (w: TwinWorld) => (w.resourceShares ?? []).filter((s) => s.status === 'ACTIVE');
const mutationsSince = async (e: Estate, before: number) => (await e.requests()).slice(before).filter((c) => c.mutating);

/** The Profile prepare made, shared with both spoke accounts, each of which accepted its latest invitation and sees it. */
function expectPrepared(w: TwinWorld, e: Estate, o: { invitations: boolean }) {
  const [owner, ...spokes] = e.info.accounts;
  expect(w.profiles.map((p) => [p.name, p.ownerId, p.tags[PREPARED_BY]])).toEqual([['shared-dns', owner!.id, 'sandbox-direct-no-profile']]);
  const [share, ...more] = liveShares(w);
  expect(more).toEqual([]);
  expect(share!.ownerId).toBe(owner!.id);
  expect(share!.resources.map((r) => [r.entity, r.status])).toEqual([[w.profiles[0]!.arn, 'ASSOCIATED']]);
  if (o.invitations) {
    expect(share!.principals.map((p) => [p.entity, p.status]).sort()).toEqual(spokes.map((s) => [s.id, 'ASSOCIATED']).sort());
    // Each account's latest invitation (an earlier one may have been rejected and replaced).
    const latest = new Map((w.shareInvitations ?? []).map((i) => [i.receiverAccountId, i.status]));
    expect([...latest].sort()).toEqual(spokes.map((s) => [s.id, 'ACCEPTED']).sort());
  } else {
    expect(w.shareInvitations ?? []).toEqual([]);
  }
}

describe.concurrent('prepare end to end (issue 15)', () => {
  describe.sequential('no Profile, 3 accounts, a parking VPC: plan, apply (prepare + 7 steps), apply again, rollback', () => {
    let e: Estate;
    let zoneIds: string[];
    let zonesAtStart: [string, string[]][];
    const zonesOf = (w: TwinWorld): [string, string[]][] => w.zones.map((z) => [z.name, z.vpcs.map((v) => v.vpcId).sort()] as [string, string[]]).sort();
    const state = () => join(e.dir, 'state', 'run.state.json');
    beforeAll(async () => {
      e = await startEstate([...ARGS, '--parking']);
      const w = await e.state();
      zoneIds = w.zones.map((z) => z.id);
      zonesAtStart = zonesOf(w);
    }, 120_000);
    afterAll(async () => e?.close());

    it('plan shows prepare before step 1, every call of it, and changes nothing', async () => {
      const before = (await e.requests()).length;
      const r = await e.cli(['plan', e.info.planFile]);
      expect(r.code, r.stderr).toBe(0);
      const prep = r.stdout.slice(r.stdout.indexOf('Step 0 — Prepare'), r.stdout.indexOf('Step 1 —'));
      for (const op of ['ram:CreateResourceShare', 'route53profiles:CreateProfile', 'ram:AssociateResourceShare', 'ram:AcceptResourceShareInvitation']) expect(prep).toContain(op);
      expect(prep.match(/ram:AcceptResourceShareInvitation/g)).toHaveLength(2);
      // the steps name the Profile prepare will make
      expect(r.stdout).toMatch(/associate vpc-\w+ with Profile \(new Profile shared-dns\)/);
      expect(await mutationsSince(e, before)).toEqual([]);
      expect((await e.state()).profiles).toEqual([]);
    }, 120_000);

    it('apply creates and shares the Profile, each spoke account accepts, then the migration runs with no wrong answer', async () => {
      const probes = e.probeLoop();
      const r = await e.cli(['apply', e.info.planFile, '--yes', '--state', state()], 600_000);
      const { rounds, failures } = await probes.stop();
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/step 0: Prepare/);
      expect(r.stdout).toMatch(/Migration complete/);
      expect(rounds).toBeGreaterThan(10);
      expect(failures).toEqual([]);
      const w = await e.state();
      expectPrepared(w, e, { invitations: true });
      // the migrated world: zones gone, the endpoint on the Profile, every plan VPC on it
      expect(w.zones.filter((z) => zoneIds.includes(z.id))).toEqual([]);
      const profile = w.profiles[0]!;
      expect(w.resourceAssociations.filter((a) => a.profileId === profile.id).map((a) => a.resourceArn)).toEqual([expect.stringContaining(`:vpc-endpoint/${w.endpoints[0]!.id}`)]);
      expect(w.profileAssociations.filter((a) => a.profileId === profile.id && a.status === 'COMPLETE').map((a) => a.resourceId).sort()).toEqual(e.info.vpcs.map((v) => v.id).sort());
      const log = await e.requests();
      expect([...appliedMutations(log).values()].filter((n) => n > 1)).toEqual([]);
      // each invitation was accepted by its own account's credentials
      const accepts = log.filter((c) => c.operation === 'AcceptResourceShareInvitation' && c.outcome === 'ok');
      expect(accepts.map((c) => c.accountId).sort()).toEqual(e.info.accounts.slice(1).map((a) => a.id).sort());
    }, 900_000);

    it('apply again recognises the Profile it made (by name and tag): nothing to do, nothing created twice', async () => {
      const before = (await e.requests()).length;
      const r = await e.cli(['apply', e.info.planFile, '--yes']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Nothing to do/);
      expect(await mutationsSince(e, before)).toEqual([]);
      expect((await e.state()).profiles).toHaveLength(1);
    }, 120_000);

    it('rollback undoes the steps, then deletes the share and the Profile prepare made', async () => {
      const probes = e.probeLoop();
      const r = await e.cli(['rollback', e.info.planFile, '--yes', '--state', state()], 600_000);
      const { failures } = await probes.stop();
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/delete RAM resource share r53migrate-sandbox-direct-no-profile/);
      expect(r.stdout).toMatch(/delete Route 53 Profile shared-dns/);
      expect(failures).toEqual([]);
      const w = await e.state();
      expect(w.profiles).toEqual([]);
      expect(liveShares(w)).toEqual([]);
      expect(w.profileAssociations).toEqual([]);
      // the zones are back (re-created from their backups, new ids), on the VPCs they were on
      expect(zonesOf(w)).toEqual(zonesAtStart);
    }, 900_000);
  });

  describe.sequential('prepare alone (--through-step 0), then rollback: no Profile and no share left behind', () => {
    let e: Estate;
    beforeAll(async () => {
      e = await startEstate(ARGS);
    }, 120_000);
    afterAll(async () => e?.close());

    it('apply --through-step 0 prepares and stops before step 1 (exit 5); rollback takes prepare back', async () => {
      const state = join(e.dir, 'state', 'prep.state.json');
      const before = (await e.requests()).length;
      const r = await e.cli(['apply', e.info.planFile, '--yes', '--through-step', '0', '--state', state], 300_000);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(5);
      expect(r.stdout).toMatch(/--through-step 0: prepare is done/);
      expectPrepared(await e.state(), e, { invitations: true });
      // nothing but prepare's calls: no zone and no VPC association touched
      const ops = new Set((await mutationsSince(e, before)).map((c) => c.operation));
      expect([...ops].sort()).toEqual(['AcceptResourceShareInvitation', 'AssociateResourceShare', 'CreateProfile', 'CreateResourceShare']);

      const back = await e.cli(['rollback', e.info.planFile, '--yes', '--state', state], 300_000);
      expect(back.code, `${back.stdout}\n${back.stderr}`).toBe(0);
      const w = await e.state();
      expect(w.profiles).toEqual([]);
      expect(liveShares(w)).toEqual([]);
      expect(w.zones.every((z) => z.vpcs.length === e.info.vpcs.length)).toBe(true);
    }, 600_000);
  });

  describe.sequential('faults in prepare: AWS failing (retried), an account refused (stops, exit 1), resume once fixed', () => {
    let e: Estate;
    beforeAll(async () => {
      e = await startEstate(ARGS);
    }, 120_000);
    afterAll(async () => e?.close());

    it('500s on CreateResourceShare are retried; an AccessDenied accepting as spokes-2 stops the run naming it; resume after the fix prepares once', async () => {
      const state = join(e.dir, 'state', 'faults.state.json');
      const accounts = e.info.accounts;
      await e.fault({ kind: 'error', status: 500, service: 'ram', operation: 'CreateResourceShare', count: 2 });
      await e.fault({ kind: 'error', status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform: ram:AcceptResourceShareInvitation', service: 'ram', operation: 'AcceptResourceShareInvitation', accountId: accounts[2]!.id, count: 100 });
      const r = await e.cli(['apply', e.info.planFile, '--yes', '--through-step', '0', '--state', state], 300_000);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(1);
      expect(r.stdout + r.stderr).toMatch(/accept the invitation to RAM resource share .* as spokes-2 \[ram:AcceptResourceShareInvitation as spokes-2\]/);
      expect(r.stdout + r.stderr).not.toMatch(/\n\s+at \S+ \(/);
      let w = await e.state();
      expect(w.profiles).toHaveLength(1);
      expect(liveShares(w)).toHaveLength(1);
      await e.clearFaults();
      const again = await e.cli(['resume', e.info.planFile, '--through-step', '0', '--state', state], 300_000);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(5);
      w = await e.state();
      expectPrepared(w, e, { invitations: true });
      expect([...appliedMutations(await e.requests()).values()].filter((n) => n > 1)).toEqual([]);
    }, 600_000);
  });

  describe.sequential('a colleague rejects an invitation before r53migrate accepts it', () => {
    let e: Estate;
    beforeAll(async () => {
      e = await startEstate(ARGS);
    }, 120_000);
    afterAll(async () => e?.close());

    it('the accept meets the rejection: the run stops (exit 1) naming the account and the rejected invitation, nothing more is sent; resume invites the account again and accepts as it', async () => {
      const state = join(e.dir, 'state', 'rejected.state.json');
      const spoke = e.info.accounts[1]!;
      await e.fault({ kind: 'hold', service: 'ram', operation: 'AcceptResourceShareInvitation', accountId: spoke.id, phase: 'before', count: 1 });
      const run = e.start(['apply', e.info.planFile, '--yes', '--through-step', '0', '--state', state]);
      await e.waitHeld(120_000);
      const invitation = (await e.state()).shareInvitations!.find((i) => i.receiverAccountId === spoke.id && i.status === 'PENDING')!;
      // A colleague in spokes-1 turns the invitation down while r53migrate's accept is on its way.
      await e.aws(spoke.name, ['ram', 'reject-resource-share-invitation', '--resource-share-invitation-arn', invitation.arn]);
      await e.release();
      const exit = await run.exited;
      const said = run.stdout() + run.stderr();
      // A person's decision in another account: the run stops for the operator instead of overriding it.
      expect(exit.code, said).toBe(1);
      expect(said).toMatch(/FAILED: prepare failed for accept the invitation to RAM resource share .* as spokes-1 .*ResourceShareInvitationAlreadyRejectedException/);
      expect(said).toContain(`The invitation ${invitation.arn} was already rejected`);
      expect(said).not.toMatch(/\n\s+at \S+ \(/);
      const afterStop = (await e.requests()).filter((l) => l.mutating).length;
      let w = await e.state();
      expect(w.profiles).toHaveLength(1);
      expect(liveShares(w)).toHaveLength(1);

      const again = await e.cli(['resume', e.info.planFile, '--through-step', '0', '--state', state], 300_000);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(5);
      expect(again.stdout).toMatch(new RegExp(`done    add ${spoke.id} to RAM resource share`));
      expect(again.stdout).toMatch(/done    accept the invitation to RAM resource share .* as spokes-1/);
      w = await e.state();
      expectPrepared(w, e, { invitations: true });
      const latest = w.shareInvitations!.filter((i) => i.receiverAccountId === spoke.id).at(-1)!;
      expect([latest.arn === invitation.arn, latest.status]).toEqual([false, 'ACCEPTED']);
      expect((await e.requests()).filter((l) => l.mutating).length - afterStop, 'resume: the principal added again, its new invitation accepted').toBe(2);
    }, 600_000);
  });

  describe.sequential('an account that never sees the Profile: a halt within the step budget naming it, then resume', () => {
    let e: Estate;
    beforeAll(async () => {
      e = await startEstate(ARGS);
    }, 120_000);
    afterAll(async () => e?.close());

    it('GetProfile as spokes-1 keeps answering not found: exit 3 naming the account and its invitation; resume once it sees it', async () => {
      const state = join(e.dir, 'state', 'halt.state.json');
      const spoke = e.info.accounts[1]!;
      await e.fault({ kind: 'error', status: 404, code: 'ResourceNotFoundException', message: 'Profile not found', service: 'route53profiles', operation: 'GetProfile', accountId: spoke.id, count: 10_000 });
      const r = await e.cli(['apply', e.info.planFile, '--yes', '--through-step', '0', '--step-timeout', '2s', '--state', state], 300_000);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(3);
      expect(r.stdout + r.stderr).toMatch(new RegExp(`prepare did not settle within 2 s: account spokes-1 \\(${spoke.id}\\) seeing Profile rp-\\w+: invitation ACCEPTED`));
      expect(r.stdout).toMatch(/waiting: 1 invitation ACCEPTED/);
      await e.clearFaults();
      const again = await e.cli(['resume', e.info.planFile, '--through-step', '0', '--state', state], 300_000);
      expect(again.code, `${again.stdout}\n${again.stderr}`).toBe(5);
      expectPrepared(await e.state(), e, { invitations: true });
    }, 600_000);
  });

  describe.sequential('an organization with RAM sharing enabled: shared with the organization, no invitation', () => {
    let e: Estate;
    beforeAll(async () => {
      e = await startEstate([...ARGS, '--organization', 'sharing-enabled']);
    }, 120_000);
    afterAll(async () => e?.close());

    it('apply --through-step 0 shares with the organization ARN and every account sees the Profile without accepting', async () => {
      const plan = e.planVariant('org', (p) => {
        p.profile.share = { with: 'organization' };
      });
      const r = await e.cli(['apply', plan, '--yes', '--through-step', '0', '--state', join(e.dir, 'state', 'org.state.json')], 300_000);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(5);
      const w = await e.state();
      expectPrepared(w, e, { invitations: false });
      expect(liveShares(w)[0]!.principals.map((p) => p.entity)).toEqual([`arn:aws:organizations::${e.info.accounts[0]!.id}:organization/${w.organization!.id}`]);
    }, 600_000);
  });

  describe.sequential('refused before anything changes (exit 2)', () => {
    let e: Estate;
    let d: Estate;
    beforeAll(async () => {
      [e, d] = await Promise.all([startEstate(ARGS), startEstate([...ARGS, '--organization', 'sharing-disabled'])]);
    }, 120_000);
    afterAll(async () => Promise.all([e?.close(), d?.close()]));

    it('a Profile of that name that r53migrate did not create: plan and apply say to use it or choose another name', async () => {
      const made = (await e.aws('shared-services', ['route53profiles', 'create-profile', '--name', 'shared-dns', '--client-token', 'colleague-1'])) as { Profile: { Id: string } };
      const before = (await e.requests()).length;
      for (const args of [['plan', e.info.planFile], ['apply', e.info.planFile, '--yes']]) {
        const r = await e.cli(args);
        expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
        expect(r.stdout + r.stderr).toContain(`already has a Profile named "shared-dns" (${made.Profile.Id}) that this plan did not create`);
        expect(r.stdout + r.stderr).not.toMatch(/\n\s+at \S+ \(/);
      }
      expect(await mutationsSince(e, before)).toEqual([]);
      expect(liveShares(await e.state())).toEqual([]);
    }, 300_000);

    it('a share closed to external principals, with spoke accounts in no organization', async () => {
      const plan = e.planVariant('closed', (p) => {
        p.profile.create = { name: 'closed-dns' };
        p.profile.share = { allowExternalPrincipals: false };
      });
      const before = (await e.requests()).length;
      const r = await e.cli(['apply', plan, '--yes']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/does not allow external principals.*spokes-1 \(\d{12}, in no organization\)/s);
      expect(await mutationsSince(e, before)).toEqual([]);
    }, 300_000);

    it('sharing with an organization whose RAM sharing is not enabled: RAM refuses the share, nothing is created', async () => {
      const plan = d.planVariant('org-off', (p) => {
        p.profile.share = { with: 'organization' };
      });
      const r = await d.cli(['apply', plan, '--yes']);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
      expect(r.stdout + r.stderr).toMatch(/AWS RAM refused create RAM resource share .*enable-sharing-with-aws-organization/s);
      expect(r.stdout + r.stderr).toMatch(/nothing was changed/);
      const w = await d.state();
      expect(w.profiles).toEqual([]);
      expect(liveShares(w)).toEqual([]);
      expect((await d.requests()).filter((c) => c.mutating && c.outcome === 'ok')).toEqual([]);
    }, 300_000);
  });

  it('sandbox run --scenario direct-no-profile --parking --rollback-after: prepare, the seven steps and back, 0 wrong answers per VPC both ways', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-prep-run-'));
    try {
      const r = await runCli(['sandbox', 'run', ...ARGS, '--parking', '--rollback-after', '--delay-scale', '0.02', '--dir', dir], { timeoutMs: 240_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/Detected path A .*; prepare \(step 0\), then step 1 is next/);
      for (let step = 0; step <= 7; step++) expect(r.stdout).toContain(`step ${step}: `);
      expect(r.stdout).toMatch(/done +accept the invitation to RAM resource share .* as spokes-1/);
      expect(r.stdout).toMatch(/Migration complete \(from step 1\): .* DNS probes \(0 not ok\),/);
      expect(r.stdout).toMatch(/done +delete Route 53 Profile shared-dns/);
      expect(r.stdout).toMatch(/Rollback complete .* DNS probes \(0 not ok\),/);
      const perVpc = [...r.stdout.matchAll(/^ {2}(vpc-\w+) \((.+)\): forward (\d+), rollback (\d+)$/gm)];
      expect(perVpc).toHaveLength(4);
      expect(perVpc.every((m) => m[3] === '0' && m[4] === '0'), r.stdout).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
