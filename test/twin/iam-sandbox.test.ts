// Attaching IAM policies to a sandbox: the file `r53migrate iam-policy PLAN --json` prints
// ({"accounts": {"<plan account name>": {"accountId", "policy"}}}), matched to the sandbox's
// accounts by id or by name; SandboxOptions.iamPolicies in process, `sandbox up|run
// --iam-policies FILE` as a child process (exit 2 naming the file and the field when it does not
// parse or match).
import { GetHostedZoneCommand, ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { fromIni } from '@aws-sdk/credential-providers';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDocument } from '../../src/twin/iam.js';
import { IamPoliciesFileError, resolveIamPolicies } from '../../src/twin/iam-policies-file.js';
import { startSandbox, type Sandbox, type SandboxInfo } from '../../src/twin/sandbox.js';
import { buildScenario } from '../../src/twin/scenario.js';
import { runCli, startCli } from '../support/cli.js';

const READ_ONLY: PolicyDocument = { Version: '2012-10-17', Statement: [{ Sid: 'Reads', Effect: 'Allow', Action: ['route53:List*', 'ec2:Describe*'], Resource: '*' }] };
const SCENARIO = { scenario: 'direct' as const, vpcs: 3, endpoints: 1, accounts: 2, seed: 'iam-sandbox', region: 'us-east-1', delayScale: 0.01 };

describe('resolveIamPolicies: the generator file onto the sandbox accounts', () => {
  const accounts = buildScenario(SCENARIO).accounts;
  const [shared, spoke] = accounts;

  it('entries match by accountId when given, else by the plan account name', () => {
    const out = resolveIamPolicies(
      { accounts: { 'shared-services': { accountId: null, policy: READ_ONLY }, renamed: { accountId: spoke!.id, policy: READ_ONLY } }, generatedBy: 'r53migrate iam-policy' },
      accounts,
      'f.json',
    );
    expect(Object.keys(out).sort()).toEqual([shared!.id, spoke!.id].sort());
  });

  it('every entry that does not parse or match is named with the file and its field', () => {
    let err: IamPoliciesFileError | undefined;
    try {
      resolveIamPolicies(
        {
          accounts: {
            nobody: { accountId: null, policy: READ_ONLY },
            'spokes-1': { accountId: '123', policy: READ_ONLY },
            'shared-services': { policy: { Statement: [{ Effect: 'Allow', Action: 'route53:*' }] } },
          },
        },
        accounts,
        'policies.json',
      );
    } catch (e) {
      err = e as IamPoliciesFileError;
    }
    expect(err).toBeInstanceOf(IamPoliciesFileError);
    expect(err!.message).toMatch(/^policies\.json: /);
    expect(err!.problems).toEqual([
      expect.stringMatching(/^field accounts\.nobody: no sandbox account is named nobody and no accountId is given \(they are shared-services \(\d{12}\), spokes-1 \(\d{12}\)\)$/),
      'field accounts.spokes-1.accountId: expected a 12-digit account id or null, not "123"',
      'field accounts.shared-services.policy: Statement[0] needs Resource or NotResource',
    ]);
    expect(() => resolveIamPolicies({ policies: {} }, accounts, 'x.json')).toThrow(/^x\.json: field accounts: expected/);
  });
});

describe('a sandbox with IAM policies (in process)', () => {
  let dir: string;
  let sb: Sandbox;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-iam-sb-'));
    sb = await startSandbox({ ...SCENARIO, dir, host: '127.0.0.1', port: 0, runCommands: false, iamPolicies: { accounts: { 'spokes-1': { accountId: null, policy: READ_ONLY } } } });
  });
  afterAll(async () => {
    await sb?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sandbox.json lists the accounts with a policy; they are refused what it does not allow, through the written profiles', async () => {
    const info = JSON.parse(readFileSync(join(dir, 'sandbox.json'), 'utf8')) as SandboxInfo;
    const spoke = info.accounts.find((a) => a.name === 'spokes-1')!;
    expect(info.iamPolicyAccounts).toEqual([spoke.id]);
    const client = (profile: string) =>
      new Route53Client({
        endpoint: info.endpointUrl,
        region: info.region,
        maxAttempts: 1,
        credentials: fromIni({ profile, filepath: info.awsCredentialsFile, configFilepath: info.awsConfigFile, clientConfig: { endpoint: info.endpointUrl, region: info.region } }),
      });
    await expect(client(spoke.profile).send(new ListHostedZonesCommand({}))).resolves.toBeDefined();
    const zoneId = sb.world.zones[0]!.id;
    await expect(client(spoke.profile).send(new GetHostedZoneCommand({ Id: zoneId }))).rejects.toMatchObject({ name: 'AccessDenied' });
    // The role profile assumes arn:aws:iam::<spoke>:role/r53migrate: the same account policy applies.
    await expect(client(spoke.roleProfile).send(new GetHostedZoneCommand({ Id: zoneId }))).rejects.toMatchObject({
      name: 'AccessDenied',
      message: expect.stringMatching(new RegExp(`^User: arn:aws:sts::${spoke.id}:assumed-role/r53migrate/r53migrate-sandbox-`)),
    });
    // The shared-services account has none: everything is allowed.
    await expect(client(info.accounts[0]!.profile).send(new GetHostedZoneCommand({ Id: zoneId }))).resolves.toBeDefined();
  });
});

describe('r53migrate sandbox --iam-policies FILE (child process)', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'r53m-iam-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const flags = ['--vpcs', '3', '--accounts', '2', '--endpoints', '1', '--seed', 'iam-sandbox', '--delay-scale', '0.01'];

  it('a file that is not JSON, or does not match, exits 2 naming the file and the field; nothing starts', async () => {
    const notJson = join(dir, 'broken.json');
    writeFileSync(notJson, '{"accounts": ');
    const r1 = await runCli(['sandbox', 'up', '--dir', join(dir, 'sb1'), ...flags, '--iam-policies', notJson]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain(`--iam-policies ${notJson}: not valid JSON`);
    const wrong = join(dir, 'wrong.json');
    writeFileSync(wrong, JSON.stringify({ accounts: { 'spokes-9': { accountId: null, policy: READ_ONLY }, 'spokes-1': { accountId: null, policy: { Statement: [] } } } }));
    const r2 = await runCli(['sandbox', 'up', '--dir', join(dir, 'sb2'), ...flags, '--iam-policies', wrong]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain(`--iam-policies ${wrong}: field accounts.spokes-9: no sandbox account is named spokes-9`);
    expect(r2.stderr).toContain('field accounts.spokes-1.policy: Statement must hold at least one statement');
    const missing = await runCli(['sandbox', 'run', '--dir', join(dir, 'sb3'), ...flags, '--iam-policies', join(dir, 'nope.json')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--iam-policies ${join(dir, 'nope.json')}: cannot read it (ENOENT)`);
  });

  it('sandbox up with a policies file says so and attaches them', async () => {
    const file = join(dir, 'policies.json');
    writeFileSync(file, JSON.stringify({ accounts: { 'shared-services': { accountId: null, policy: READ_ONLY } } }));
    const sbDir = join(dir, 'up');
    const sb = startCli(['sandbox', 'up', '--dir', sbDir, ...flags, '--iam-policies', file]);
    try {
      const line = await sb.waitFor(/^sandbox ready/);
      expect(line).toContain('2 accounts, IAM policies on 1)');
      const info = JSON.parse(readFileSync(join(sbDir, 'sandbox.json'), 'utf8')) as SandboxInfo;
      const res = await fetch(`${info.endpointUrl}/_twin/iam`);
      expect(await res.json()).toEqual({ [info.accounts[0]!.id]: READ_ONLY });
    } finally {
      await sb.stop();
    }
  });

  it('sandbox run under an allow-all policy migrates as before and counts no denial', async () => {
    const file = join(dir, 'allow-all.json');
    const all: PolicyDocument = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    writeFileSync(file, JSON.stringify({ accounts: { 'shared-services': { accountId: null, policy: all }, 'spokes-1': { accountId: null, policy: all } } }));
    const r = await runCli(['sandbox', 'run', '--dir', join(dir, 'run'), ...flags, '--parking', '--iam-policies', file], { timeoutMs: 180_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('IAM policies on 2');
    expect(r.stdout).toMatch(/0 denied by IAM\)/);
  }, 200_000);
});
