// The direct-no-profile scenario (path A before any Route 53 Profile exists) and the sandbox's
// --organization option: the world it builds, the plan file the sandbox writes for it (a Profile
// to create instead of an id), and the CLI's validation, run in process through runMain.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runMain } from '../../src/cli/main.js';
import { loadPlan } from '../../src/plan/load.js';
import { startSandbox, type Sandbox, type SandboxInfo } from '../../src/twin/sandbox.js';
import { buildScenario, SCENARIO_NAMES, validateScenario, type ScenarioOptions } from '../../src/twin/scenario.js';

const BASE: ScenarioOptions = { scenario: 'direct-no-profile', vpcs: 4, endpoints: 2, accounts: 3, seed: 'no-profile', region: 'us-east-1', delayScale: 0.05 };

describe('buildScenario: direct-no-profile', () => {
  const world = buildScenario(BASE);

  it('has no Route 53 Profile at all: no Profile, no Profile association, no Profile resource', () => {
    expect(world.profiles).toEqual([]);
    expect(world.profileAssociations).toEqual([]);
    expect(world.resourceAssociations).toEqual([]);
  });

  it('every zone is associated directly with every VPC', () => {
    expect(world.zones.length).toBeGreaterThan(0);
    const vpcs = world.vpcs.map((v) => v.id).sort();
    for (const z of world.zones) expect(z.vpcs.map((v) => v.vpcId).sort(), z.name).toEqual(vpcs);
  });

  it('is the direct scenario minus its Profile: same accounts, VPCs, endpoints, zones and instances, id for id', () => {
    const direct = buildScenario({ ...BASE, scenario: 'direct' });
    expect(direct.profiles).toHaveLength(1);
    expect(world.accounts).toEqual(direct.accounts);
    expect(world.vpcs).toEqual(direct.vpcs);
    expect(world.endpoints).toEqual(direct.endpoints);
    expect(world.zones).toEqual(direct.zones);
    expect(world.instances).toEqual(direct.instances);
  });

  it('takes an organization like the other scenarios (the first account manages it)', () => {
    const org = buildScenario({ ...BASE, organization: 'sharing-disabled' }).organization;
    expect(org).toMatchObject({ managementAccountId: world.accounts[0]!.id, accountIds: world.accounts.map((a) => a.id), ramSharingEnabled: false });
    expect(org!.id).toMatch(/^o-[a-z0-9]{10}$/);
    expect(world.organization).toBeUndefined();
  });

  it('validateScenario names every scenario, and refuses an unknown organization mode', () => {
    expect(SCENARIO_NAMES).toEqual(['direct', 'via-profile', 'direct-no-profile']);
    expect(validateScenario(BASE)).toEqual([]);
    expect(validateScenario({ ...BASE, scenario: 'nope' as ScenarioOptions['scenario'] })).toEqual(['--scenario must be direct, via-profile or direct-no-profile (got nope)']);
    expect(validateScenario({ ...BASE, organization: 'on' as ScenarioOptions['organization'] })).toEqual(['--organization must be sharing-enabled or sharing-disabled (got on)']);
  });
});

describe('startSandbox: direct-no-profile', () => {
  let dir: string;
  let sb: Sandbox;
  let plan: any;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-no-profile-'));
    sb = await startSandbox({ ...BASE, dir, host: '127.0.0.1', port: 0, runCommands: false, organization: 'sharing-enabled' });
    plan = parse(readFileSync(sb.info.planFile, 'utf8'));
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sandbox.json has no profileId, and names the organization', () => {
    const info = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxInfo;
    expect(info.profileId).toBeUndefined();
    expect('profileId' in info).toBe(false);
    expect(info.scenario).toMatchObject({ scenario: 'direct-no-profile', organization: 'sharing-enabled' });
    expect(info.organization).toEqual({ id: sb.world.organization!.id, managementAccountId: info.accounts[0]!.id, ramSharingEnabled: true });
  });

  it('the plan asks for the Profile to be created in the first account: profile { account, create: { name: shared-dns } }, no id', () => {
    expect(plan.name).toBe('sandbox-direct-no-profile');
    expect(plan.profile).toEqual({ account: 'shared-services', create: { name: 'shared-dns' } });
    expect(Object.keys(plan.accounts)).toEqual(sb.info.accounts.map((a) => a.name));
    expect(plan.profile.account).toBe(sb.info.accounts[0]!.name);
  });

  it('the plan loads: the Profile is one to create, in the shared-services account (needs the plan schema\'s profile.create)', async () => {
    const { plan: loaded } = await loadPlan(sb.info.planFile);
    expect(loaded.profile).toMatchObject({ account: 'shared-services', create: { name: 'shared-dns' } });
  });

  it('the rest of the plan is the direct scenario\'s: every VPC, every endpoint with its zones', () => {
    expect([plan.sharedServicesVpc.id, ...plan.spokes.map((s: { id: string }) => s.id)]).toEqual(sb.info.vpcs.map((v) => v.id));
    expect(plan.endpoints.map((e: { id: string }) => e.id)).toEqual(sb.world.endpoints.map((e) => e.id));
    expect(plan.endpoints.flatMap((e: { zones: string[] }) => e.zones).sort()).toEqual(sb.world.zones.map((z) => z.id).sort());
  });
});

describe('startSandbox: direct still writes the Profile it has', () => {
  it('profile { id, account } and info.profileId set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-with-profile-'));
    const sb = await startSandbox({ ...BASE, scenario: 'direct', dir, host: '127.0.0.1', port: 0, runCommands: false });
    try {
      expect(sb.info.profileId).toBe(sb.world.profiles[0]!.id);
      expect(sb.info.organization).toBeUndefined();
      expect(parse(readFileSync(sb.info.planFile, 'utf8')).profile).toEqual({ id: sb.info.profileId, account: 'shared-services' });
    } finally {
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

class Capture extends Writable {
  text = '';
  constructor(private readonly onText?: (all: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    this.onText?.(this.text);
    cb();
  }
}

/** Runs `r53migrate ARGS` in process; `sandbox up` is stopped as soon as it says it is ready. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stop!: (signal: string) => void;
  const interrupted = new Promise<string>((resolve) => (stop = resolve));
  const stdout = new Capture((all) => all.includes('sandbox ready') && stop('SIGINT'));
  const stderr = new Capture();
  const code = await runMain(args, { stdout, stderr, env: process.env, interrupted });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

describe('r53migrate sandbox up|run --organization, --scenario direct-no-profile (in process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-no-profile-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const small = (sub: string) => ['sandbox', sub, '--vpcs', '4', '--accounts', '3', '--delay-scale', '0.05', '--port', '0'];

  it('sandbox up --scenario direct-no-profile --organization sharing-enabled: the ready line names the organization and RAM sharing', async () => {
    const d = join(dir, 'up-enabled');
    const r = await cli([...small('up'), '--dir', d, '--scenario', 'direct-no-profile', '--organization', 'sharing-enabled']);
    expect(r.code, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('sandbox ready'))!;
    expect(line).toMatch(/^sandbox ready \(direct-no-profile: 4 VPCs, 1 names, 3 accounts, organization o-[a-z0-9]{10} \(RAM sharing enabled\)\) at http:\/\/127\.0\.0\.1:\d+; /);
    expect(r.stdout).toContain('sandbox stopped (SIGINT)');
    expect(parse(readFileSync(join(d, 'plan.yaml'), 'utf8')).profile).toEqual({ account: 'shared-services', create: { name: 'shared-dns' } });
  });

  it('sandbox up --organization sharing-disabled says "RAM sharing disabled"; without --organization the line names none', async () => {
    const off = await cli([...small('up'), '--dir', join(dir, 'up-disabled'), '--organization', 'sharing-disabled']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^sandbox ready \(direct: 4 VPCs, 1 names, 3 accounts, organization o-[a-z0-9]{10} \(RAM sharing disabled\)\) at /m);
    const none = await cli([...small('up'), '--dir', join(dir, 'up-none')]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toMatch(/^sandbox ready \(direct: 4 VPCs, 1 names, 3 accounts\) at /m);
  });

  for (const sub of ['up', 'run']) {
    it(`sandbox ${sub} --organization with a bad value: exit 2, a clear error, nothing started`, async () => {
      const d = join(dir, `bad-${sub}`);
      const r = await cli([...small(sub), '--dir', d, '--organization', 'enabled']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('r53migrate: --organization must be sharing-enabled or sharing-disabled (got enabled)\n');
      expect(r.stdout).toBe('');
      expect(existsSync(join(d, 'sandbox.json'))).toBe(false);
    });
  }

  it('sandbox up --scenario with an unknown name: exit 2 listing all three scenarios', async () => {
    const r = await cli([...small('up'), '--dir', join(dir, 'bad-scenario'), '--scenario', 'no-profile']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--scenario must be direct, via-profile or direct-no-profile (got no-profile)');
  });

  it('--help lists direct-no-profile and --organization', async () => {
    const r = await cli(['sandbox', 'up', '--help']);
    expect(r.code).toBe(0);
    const help = r.stdout.replace(/\s+/g, ' ');
    expect(help).toContain('direct-no-profile');
    expect(help).toMatch(/--organization <mode> .*sharing-enabled or sharing-disabled/);
  });
});
