// `r53migrate iam-policy PLAN`: the built CLI on a plan file, no AWS (pure without --discover).
// The --json shape is a contract: `sandbox up --iam-policies FILE` reads exactly it.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

const PLAN = fileURLToPath(new URL('../fixtures/bad/base-plan.yaml', import.meta.url));
// No credentials and no endpoint: the command must not need AWS.
const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' };

describe('r53migrate iam-policy', () => {
  it('--json prints {"accounts": {name: {accountId, policy}}} and nothing else', async () => {
    const r = await runCli(['iam-policy', PLAN, '--json', '--path', 'A'], { env });
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { accounts: Record<string, { accountId: string | null; policy: { Version: string; Statement: { Sid: string }[] } }> };
    expect(Object.keys(out)).toEqual(['accounts']);
    expect(Object.keys(out.accounts)).toEqual(['shared-services', 'spokes-1']);
    for (const [name, a] of Object.entries(out.accounts)) {
      expect(Object.keys(a).sort(), name).toEqual(['accountId', 'policy']);
      expect(a.accountId).toMatch(/^\d{12}$/);
      expect(Object.keys(a.policy)).toEqual(['Version', 'Statement']);
      expect(a.policy.Version).toBe('2012-10-17');
      expect(a.policy.Statement.length).toBeGreaterThan(2);
    }
    expect(out.accounts['shared-services']!.policy.Statement.map((s) => s.Sid)).toContain('DisassociatePlanVpcsFromZones');
  });

  it('text: per account a heading and the policy JSON, ready to paste; says which owners it assumed', async () => {
    const r = await runCli(['iam-policy', PLAN], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^IAM policies for plan sandbox-direct \(us-east-1\), one per account: paths A and B \(--path narrows\), run only \(--rollback adds rollback and restore-zone\)\./);
    expect(r.stdout).toMatch(/creates no role and attaches nothing/);
    expect(r.stdout).toMatch(/zones ZHW3S6GDR91XB3B9CFMGI, ZNWLCJVB6V5356L1JM2FT: taken to be owned by shared-services \(the Profile's account\)/);
    const headings = [...r.stdout.matchAll(/^== Account (\S+) \((\d{12})\): (\d+) statements for \d+ kinds of request, [\d,]+ characters ==$/gm)].map((m) => m[1]);
    expect(headings).toEqual(['shared-services', 'spokes-1']);
    // The JSON under each heading parses on its own.
    const blocks = r.stdout.split(/^== Account .*==$/m).slice(1);
    for (const b of blocks) expect(JSON.parse(b).Version).toBe('2012-10-17');
  });

  it('--rollback adds the statements of rollback and restore-zone', async () => {
    const fwd = JSON.parse((await runCli(['iam-policy', PLAN, '--json', '--path', 'A'], { env })).stdout);
    const back = JSON.parse((await runCli(['iam-policy', PLAN, '--json', '--path', 'A', '--rollback'], { env })).stdout);
    const actions = (o: { accounts: Record<string, { policy: { Statement: { Action: string[] }[] } }> }) => new Set(Object.values(o.accounts).flatMap((a) => a.policy.Statement.flatMap((s) => s.Action)));
    expect(actions(fwd).has('route53:CreateHostedZone')).toBe(false);
    expect(actions(back).has('route53:CreateHostedZone')).toBe(true);
  });

  it('refuses a path that is neither A nor B (exit 2)', async () => {
    const r = await runCli(['iam-policy', PLAN, '--path', 'C'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--path takes A \(zones associated with the VPCs directly\) or B \(zones on the Profile\), not "C"/);
  });

  it('is listed in the program\'s help', async () => {
    const r = await runCli(['--help'], { env });
    expect(r.stdout).toMatch(/r53migrate iam-policy plan\.yaml\s+the least-privilege IAM policy each account needs/);
  });
});
