// Least privilege end to end (issue 13): the policies `r53migrate iam-policy` prints, attached to
// the sandbox's accounts (the twin enforces them and answers the IAM policy simulator), are enough
// for a whole run and a rollback, and nothing in them is spare: without any one statement, apply
// is refused by the pre-flight check before a single change reaches the twin. Without the
// simulator statement the run can't check, says so, and a missing permission stops it where it
// is first needed — once, not retried — and resume finishes once it is added.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccountPolicy, PolicyDocument } from '../../src/aws/iam-policy.js';
import { estatePool, type Estate } from '../support/estate.js';

const pool = estatePool(4);
const SMALL = ['--vpcs', '3', '--endpoints', '2', '--accounts', '3'];
const out = (r: { stdout: string; stderr: string }) => `${r.stdout}\n${r.stderr}`;

type Policies = { accounts: Record<string, AccountPolicy> };

/** `r53migrate iam-policy PLAN --json ...` for the estate's plan. */
async function generated(e: Estate, ...flags: string[]): Promise<Policies> {
  const r = await e.cli(['iam-policy', e.info.planFile, '--json', ...flags]);
  expect(r.code, out(r)).toBe(0);
  return JSON.parse(r.stdout) as Policies;
}

/** Attaches the policies to the twin's accounts (what --iam-policies does at start), replacing any. */
async function attach(e: Estate, p: Policies): Promise<void> {
  const body = Object.fromEntries(Object.values(p.accounts).map((a) => [a.accountId!, a.policy]));
  const res = await fetch(`${e.info.endpointUrl}/_twin/iam`, { method: 'PUT', body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
}

function without(p: Policies, account: string, sids: string[]): Policies {
  const copy = structuredClone(p);
  const doc = copy.accounts[account]!.policy as PolicyDocument;
  doc.Statement = doc.Statement.filter((s) => !sids.includes(s.Sid));
  return copy;
}

/** Mutations the twin carried out since request number `from`. */
async function appliedSince(e: Estate, from: number) {
  return (await e.requests()).slice(from).filter((r) => r.mutating && r.outcome === 'ok');
}

describe.concurrent('least-privilege IAM policies, enforced by the twin', () => {
  it('path A: apply succeeds with exactly the generated policies; rollback is refused with them (naming what it lacks) and succeeds with the --rollback ones', async () => {
    await pool(['--scenario', 'direct', ...SMALL, '--parking'], async (e) => {
      await attach(e, await generated(e, '--path', 'A'));
      // --rate-share: this invocation sends at 95 % of AWS's documented rates (the plan says nothing: 80 %).
      const applied = await e.cli(['apply', e.info.planFile, '--yes', '--rate-share', '0.95'], 600_000);
      expect(applied.code, out(applied)).toBe(0);
      expect(applied.stdout).toMatch(/Migration complete \(from step 1\): .* API calls \(at 95 % of AWS's documented request rates\)/);
      // Nothing was refused on the way: the policies held everything the run asked for.
      const log = await e.requests();
      expect(log.filter((r) => r.mutating && r.outcome !== 'ok')).toEqual([]);

      // The forward policies don't re-create zones: the rollback's pre-flight says so, and changes nothing.
      const before = log.length;
      const refused = await e.cli(['rollback', e.info.planFile, '--yes']);
      expect(refused.code, out(refused)).toBe(2);
      expect(refused.stderr).toMatch(/is not allowed route53:CreateHostedZone on \* \(route53:VPCs=VPCId=vpc-\w+,VPCRegion=us-east-1\)/);
      expect(refused.stderr).toMatch(/`r53migrate iam-policy \S+ --path A --rollback` prints each account's policy/);
      expect(await appliedSince(e, before)).toEqual([]);

      await attach(e, await generated(e, '--path', 'A', '--rollback'));
      const back = await e.cli(['rollback', e.info.planFile, '--yes'], 600_000);
      expect(back.code, out(back)).toBe(0);
      expect(back.stdout).toMatch(/Rollback complete/);
    });
  }, 900_000);

  it('path B: apply succeeds on a sandbox started with `sandbox up --iam-policies FILE` (the file iam-policy --json prints); plan shows the check', async () => {
    const args = ['--scenario', 'via-profile', ...SMALL];
    // The same seed gives the same ids: the policies of a first start's plan fit the second start.
    const dir = mkdtempSync(join(tmpdir(), 'r53m-iam-'));
    const file = join(dir, 'policies.json');
    await pool(args, async (first) => writeFileSync(file, JSON.stringify(await generated(first, '--path', 'B'))));
    await pool([...args, '--iam-policies', file], async (e) => {
      expect(e.info.iamPolicyAccounts?.length).toBe(3);
      const plan = await e.cli(['plan', e.info.planFile]);
      expect(plan.code, out(plan)).toBe(0);
      expect(plan.stdout).toMatch(/^Permissions \(IAM policy simulator\): shared-services \(\d{12}\) as arn:aws:iam::\d{12}:user\/twin: \d+ requests allowed; spokes-1 .*; spokes-2 .*\.$/m);
      const applied = await e.cli(['apply', e.info.planFile, '--yes'], 600_000);
      expect(applied.code, out(applied)).toBe(0);
      expect(applied.stdout).toMatch(/Migration complete \(from step 1\)/);
      expect((await e.requests()).filter((r) => r.mutating && r.outcome !== 'ok')).toEqual([]);
      // The cross-account zone associations went through the owner's authorization.
      expect((await e.requests()).filter((r) => r.operation === 'CreateVPCAssociationAuthorization' && r.outcome === 'ok').length).toBeGreaterThan(0);
    });
    rmSync(dir, { recursive: true, force: true });
  }, 900_000);

  it('probes through SSM: apply succeeds with the generated policies (SendCommand on the document and the named instances only)', async () => {
    await pool(['--scenario', 'via-profile', '--vpcs', '3', '--endpoints', '1', '--accounts', '2', '--probes', 'ssm'], async (e) => {
      const p = await generated(e, '--path', 'B');
      const send = Object.values(p.accounts).flatMap((a) => a.policy.Statement.filter((s) => s.Action.includes('ssm:SendCommand')));
      expect(send.flatMap((s) => s.Resource).filter((r) => r.includes(':instance/')).sort()).toEqual(e.info.instances.map((i) => `arn:aws:ec2:us-east-1:${i.accountId}:instance/${i.id}`).sort());
      await attach(e, p);
      const applied = await e.cli(['apply', e.info.planFile, '--yes'], 600_000);
      expect(applied.code, out(applied)).toBe(0);
      expect(applied.stdout).toMatch(/Migration complete \(from step 1\)/);
      expect((await e.requests()).filter((r) => r.outcome === 'denied' && r.service === 'ssm')).toEqual([]);
    });
  }, 900_000);

  // Every statement but the pre-flight's own: removed, apply must stop in the pre-flight (exit 2,
  // naming that statement) before any change. Statements are split over two estates per path.
  const SIMULATOR = 'CheckOwnPermissionsBeforeRunning';
  it.each([
    ['A', 0, 'direct'],
    ['A', 1, 'direct'],
    ['B', 0, 'via-profile'],
    ['B', 1, 'via-profile'],
  ] as const)('path %s, every other statement from #%i: without any one statement of the generated policies, apply is refused before any change, naming it', async (path, half, scenario) => {
    await pool(['--scenario', scenario, ...SMALL], async (e) => {
      const full = await generated(e, '--path', path);
      const statements = Object.entries(full.accounts).flatMap(([account, a]) => a.policy.Statement.filter((s) => s.Sid !== SIMULATOR).map((s) => [account, s.Sid] as const));
      const mine = statements.filter((_, i) => i % 2 === half);
      expect(mine.length).toBeGreaterThan(4);
      for (const [account, sid] of mine) {
        await attach(e, without(full, account, [sid]));
        const before = (await e.requests()).length;
        const r = await e.cli(['apply', e.info.planFile, '--yes'], 120_000);
        expect(r.code, `${account} without ${sid}:\n${out(r)}`).toBe(2);
        expect(r.stderr, `${account} without ${sid}`).toMatch(new RegExp(`account ${account} \\(\\d{12}\\) is not allowed \\S+ on .*\\[statement ${sid}\\]`));
        expect(r.stderr).toMatch(/nothing was changed/);
        expect(await appliedSince(e, before), `${account} without ${sid}`).toEqual([]);
      }
      // And with all of them the estate is as it was: the plan still starts at step 1.
      await attach(e, full);
      const plan = await e.cli(['plan', e.info.planFile]);
      expect(plan.stdout).toMatch(/step 1 is next/);
    });
  }, 900_000);

  it('without iam:SimulatePrincipalPolicy the run warns it could not check, and a missing ec2:ModifyVpcEndpoint stops it at step 3 (exit 1) after one attempt; resume finishes once it is added', async () => {
    await pool(['--scenario', 'direct', ...SMALL], async (e) => {
      const full = await generated(e, '--path', 'A');
      const owner = Object.entries(full.accounts).find(([, a]) => a.policy.Statement.some((s) => s.Action.includes('ec2:ModifyVpcEndpoint')))![0];
      let cut = full;
      for (const account of Object.keys(full.accounts)) cut = without(cut, account, [SIMULATOR]);
      await attach(e, without(cut, owner, ['SetPrivateDnsOfPlanEndpoints']));

      const r = await e.cli(['apply', e.info.planFile, '--yes'], 600_000);
      expect(r.code, out(r)).toBe(1);
      for (const account of Object.keys(full.accounts)) {
        expect(r.stdout).toMatch(new RegExp(`^warning: the permissions of account ${account} \\(\\d{12}\\) were not checked: it is not allowed iam:SimulatePrincipalPolicy`, 'm'));
      }
      expect(r.stdout).toMatch(new RegExp(`FAILED: Step 3 enable-private-dns \\(act\\) failed for enable Private DNS on vpce-\\w+ \\[ec2:ModifyVpcEndpoint as ${owner}\\]: account ${owner} \\(\\d{12}\\) is not allowed ec2:ModifyVpcEndpoint on vpce-\\w+: add it`));
      expect(r.stdout).toMatch(/r53migrate resume/);
      // One request per endpoint reached the twin, refused; the run's log agrees: one attempt, no retry.
      const modify = (await e.requests()).filter((x) => x.operation === 'ModifyVpcEndpoint');
      expect(modify.length).toBeGreaterThan(0);
      expect(new Set(modify.map((x) => x.body ?? x.path)).size).toBe(modify.length);
      expect(modify.every((x) => x.outcome !== 'ok' && x.errorCode === 'UnauthorizedOperation')).toBe(true);
      const logFile = join(e.dir, '.r53migrate', 'sandbox-direct.log');
      const lines = readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
      const calls = lines.filter((l) => l.msg === 'aws call' && l.operation === 'ModifyVpcEndpoint');
      expect(calls.length).toBe(modify.length);
      expect(calls.every((l) => l.attempts === 1 && l.outcome === 'access-denied')).toBe(true);
      expect(lines.filter((l) => l.msg === 'aws retry' && l.operation === 'ModifyVpcEndpoint')).toEqual([]);

      await attach(e, full);
      const resumed = await e.cli(['resume', e.info.planFile], 600_000);
      expect(resumed.code, out(resumed)).toBe(0);
      expect(resumed.stdout).toMatch(/Migration complete \(from step 3\): .* API calls \(at 80 % of AWS's documented request rates\)/);
    });
  }, 900_000);
});
