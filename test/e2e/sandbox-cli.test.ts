// `r53migrate sandbox up` as a user runs it: a child process, files on disk, the AWS CLI and real
// DNS against it, Ctrl-C to stop; and bad flags rejected with exit 2 before anything starts.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPlan } from '../../src/plan/load.js';
import type { SandboxInfo } from '../../src/twin/sandbox.js';
import { runCli, startCli, type LongRunning } from '../support/cli.js';
import { query } from '../support/dns.js';
import { referee } from '../support/referees.js';
import { spawn } from 'node:child_process';

const hasAws = referee('aws', 'sandbox with the AWS CLI');

describe('sandbox up (3 accounts, direct)', () => {
  let dir: string;
  let sb: LongRunning;
  let info: SandboxInfo;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-sandbox-'));
    sb = startCli(['sandbox', 'up', '--dir', dir, '--vpcs', '4', '--endpoints', '2', '--accounts', '3', '--delay-scale', '0.01']);
    await sb.waitFor(/^sandbox ready/);
    info = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxInfo;
  });
  afterAll(async () => {
    await sb?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints one ready line that says what to export and how to query', () => {
    const line = sb.stdout().split('\n').find((l) => l.startsWith('sandbox ready'))!;
    expect(line).toContain(`source ${join(dir, 'env.sh')}`);
    expect(line).toMatch(/dig @127\.0\.0\.1 -p \d+ lambda\.us-east-1\.amazonaws\.com/);
  });

  it('sandbox.json describes the estate: accounts with keys, a resolver per VPC, each name with its endpoint IPs', () => {
    expect(info.accounts).toHaveLength(3);
    expect(info.vpcs).toHaveLength(4);
    for (const v of info.vpcs) expect(v.resolver).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.endpointUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const names = info.names.map((n) => n.name);
    expect(names).toEqual(['lambda.us-east-1.amazonaws.com', 's3.us-east-1.amazonaws.com', '*.s3.us-east-1.amazonaws.com']);
    for (const n of info.names) expect(n.ips.length).toBe(2);
    expect(existsSync(info.planFile)).toBe(true);
  });

  it('the plan it writes is a valid plan for the estate', async () => {
    const { plan } = await loadPlan(info.planFile);
    expect(plan.profile.id).toBe(info.profileId);
    expect([plan.sharedServicesVpc.id, ...plan.spokes.map((s) => s.id)]).toEqual(info.vpcs.map((v) => v.id));
    expect(Object.values(plan.accounts).map((a) => a.profile)).toEqual(info.accounts.map((a) => a.profile));
    expect(plan.probes.resolvers).toEqual(Object.fromEntries(info.vpcs.map((v) => [v.id, v.resolver])));
  });

  it('every VPC resolves every name to its endpoint IPs over real DNS (path A: zones associated directly)', async () => {
    for (const vpc of info.vpcs) {
      for (const n of info.names) {
        const r = await query(vpc.resolver, n.probeName);
        expect(r.rcode, `${vpc.name} ${n.probeName}`).toBe('NOERROR');
        expect(r.addresses, `${vpc.name} ${n.probeName}`).toEqual([...n.ips].sort());
      }
    }
  });

  it.skipIf(!hasAws)('the AWS CLI works through the written config: named profiles and assume-role profiles', async () => {
    const aws = (args: string[]) =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn('aws', ['--output', 'json', ...args], {
          env: {
            PATH: process.env.PATH,
            HOME: dir, // no credential cache shared with other runs
            AWS_CONFIG_FILE: info.awsConfigFile,
            AWS_SHARED_CREDENTIALS_FILE: info.awsCredentialsFile,
            AWS_ENDPOINT_URL: info.endpointUrl,
          },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        child.on('close', (code) => resolve({ code, out, err }));
      });
    const zones = await aws(['route53', 'list-hosted-zones', '--profile', info.accounts[0]!.profile]);
    expect(zones.code, zones.err).toBe(0);
    expect(JSON.parse(zones.out).HostedZones).toHaveLength(2);
    const who = await aws(['sts', 'get-caller-identity', '--profile', info.accounts[2]!.roleProfile]);
    expect(who.code, who.err).toBe(0);
    expect(JSON.parse(who.out).Account).toBe(info.accounts[2]!.id);
  });

  it('SIGTERM stops it cleanly: exit 0 and sandbox.json removed', async () => {
    const r = await sb.stop('SIGTERM');
    expect(r.code).toBe(0);
    expect(sb.stdout()).toContain('sandbox stopped (SIGTERM)');
    expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
  });
});

describe('sandbox up: bad flags get a clear error, exit 2, and start nothing', () => {
  const cases: [string[], RegExp][] = [
    [['--vpcs', '0'], /--vpcs must be a whole number from 2 to 1000/],
    [['--vpcs', 'ten'], /--vpcs takes a whole number, not "ten"/],
    [['--scenario', 'sideways'], /--scenario must be direct, via-profile or direct-no-profile \(got sideways\)/],
    [['--endpoints', '99'], /--endpoints must be a whole number from 1 to \d+/],
    [['--accounts', '5', '--vpcs', '3'], /--accounts \(5\) cannot exceed --vpcs \(3\)/],
    [['--host', '0.0.0.0'], /--host must be a loopback address/],
    [['--delay-scale', 'fast'], /--delay-scale takes a number/],
    [['--bogus'], /unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    it(`sandbox up ${args.join(' ')}`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'r53m-bad-'));
      const r = await runCli(['sandbox', 'up', '--dir', dir, ...args], { timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(existsSync(join(dir, 'sandbox.json'))).toBe(false);
      rmSync(dir, { recursive: true, force: true });
    });
  }
});

describe('sandbox run (what npm start runs, then back)', () => {
  it('--parking --rollback-after: migrates the default estate with a parking VPC and rolls it back; the summary counts 0 wrong answers per VPC both ways, no keeper gap', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-run-'));
    try {
      const r = await runCli(['sandbox', 'run', '--parking', '--rollback-after', '--dir', dir], { timeoutMs: 240_000 });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/Detected path A/);
      expect(r.stdout).toMatch(/Step 7 leaves no VPC without its answer: the parking VPC vpc-\w+ holds the zones/);
      for (let step = 1; step <= 7; step++) expect(r.stdout).toContain(`step ${step}: `);
      expect(r.stdout).toMatch(/Migration complete \(from step 1\): .* DNS probes \(0 not ok\),/);
      expect(r.stdout).toMatch(/Backup of Z\w+: /);
      expect(r.stdout).toMatch(/Rollback complete \(from undo step 7\): the estate is back to path A, as the run first found it; .* DNS probes \(0 not ok\),/);
      expect(r.stdout).toMatch(/Zone Z\w+ was re-created from its backup as Z\w+/);
      const perVpc = [...r.stdout.matchAll(/^ {2}(vpc-\w+) \((.+)\): forward (\d+), rollback (\d+)$/gm)];
      expect(perVpc.map((m) => m[2])).toEqual(['shared-services', 'spoke-1', 'spoke-2']);
      expect(perVpc.every((m) => m[3] === '0' && m[4] === '0'), r.stdout).toBe(true);
      expect(existsSync(join(dir, 'run', 'sandbox-direct.state.json'))).toBe(true);
      expect(existsSync(join(dir, 'sandbox.json'))).toBe(false); // the sandbox stopped
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
