// Plan files: a valid plan loads with a stable hash; every problem is reported at once with file,
// line and field, before any AWS call.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPlan, parsePlanText, PlanError, MAX_PLAN_BYTES } from '../../src/plan/load.js';
import { planJsonSchema, planVpcs } from '../../src/plan/schema.js';

const GOOD = `# a plan
name: prod-cutover
region: us-east-1
accounts:
  shared:
    accountId: "111122223333"
    profile: shared-admin
  spokes:
    assumeRole:
      roleArn: arn:aws:iam::444455556666:role/r53migrate
      sourceProfile: shared-admin
profile: { id: rp-0a1b2c3d4e5f6789, account: shared }
sharedServicesVpc: { id: vpc-0a1b2c3d4e5f67890, account: shared }
spokes:
  - { id: vpc-1a1b2c3d4e5f67890, account: spokes }
  - { id: vpc-2a1b2c3d4e5f67890, account: spokes }
endpoints:
  - id: vpce-0a1b2c3d4e5f67890
    zones: [Z0123456789ABCDEFGHIJ]
probes:
  resolvers:
    vpc-0a1b2c3d4e5f67890: 127.0.0.1:5301
`;

function problems(text: string) {
  try {
    parsePlanText(text, 'plan.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return (e as PlanError).problems;
  }
  throw new Error('expected the plan to be refused');
}

describe('plan files', () => {
  it('a valid plan loads with defaults filled and the keeper last', () => {
    const { plan, hash } = parsePlanText(GOOD, 'plan.yaml');
    expect(plan.probes.okStreak).toBe(3);
    expect(plan.accounts.spokes!.assumeRole!.sessionName).toBe('r53migrate');
    expect(planVpcs(plan).map((v) => v.role)).toEqual(['shared', 'spoke', 'keeper']);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    // comments and key order don't change what was reviewed
    expect(parsePlanText(GOOD.replace('# a plan', '# reviewed by ops'), 'x').hash).toBe(hash);
  });

  it('a plan keeps the hash it had before budgets.rateShare existed, until it sets one', () => {
    // The hash 0.x gave GOOD (commit 96a65a6): a plan reviewed then, or a run started then, still matches.
    const { plan, hash } = parsePlanText(GOOD, 'plan.yaml');
    expect(plan.budgets.rateShare).toBe(0.8);
    expect(hash).toBe('ff180f2b428b5896e7317e170fb37fd75f00d1b3268742eee2c607f4a9f08a98');
    expect(parsePlanText(`${GOOD}\nbudgets: { rateShare: 0.8 }\n`, 'plan.yaml').hash).toBe(hash);
    const whole = parsePlanText(`${GOOD}\nbudgets: { rateShare: 0.95 }\n`, 'plan.yaml');
    expect(whole.plan.budgets.rateShare).toBe(0.95);
    expect(whole.hash).not.toBe(hash);
  });

  it('the same plan as JSON loads to the same plan and hash', () => {
    const { plan, hash } = parsePlanText(GOOD, 'a.yaml');
    expect(parsePlanText(JSON.stringify(plan), 'a.json').hash).toBe(hash);
  });

  it('reports every problem at once, each with line and field', () => {
    const bad = GOOD.replace('vpc-1a1b2c3d4e5f67890', 'vpc-XYZ').replace('region: us-east-1', 'region: mars').replace('account: spokes }\n  - ', 'account: nobody }\n  - ');
    const ps = problems(bad);
    const byField = Object.fromEntries(ps.map((p) => [p.field, p]));
    expect(byField['region']).toMatchObject({ line: 3, message: expect.stringMatching(/AWS region/) });
    expect(byField['spokes[0].id']).toMatchObject({ line: 15, message: expect.stringMatching(/VPC id \(like vpc-/) });
    expect(byField['spokes[0].account']).toMatchObject({ message: 'no account named "nobody" under accounts (have: shared, spokes)' });
  });

  it('unknown fields are refused by name (a typo is not silently ignored)', () => {
    const ps = problems(GOOD.replace('region: us-east-1', 'region: us-east-1\nregoin: us-west-2'));
    expect(ps).toEqual([
      expect.objectContaining({ field: 'regoin', line: 4, message: expect.stringMatching(/^unknown field "regoin"; expected one of: name, region, accounts/) }),
    ]);
  });

  it('a VPC listed twice, an endpoint listed twice, a zone under two endpoints', () => {
    const dup = GOOD.replace('vpc-2a1b2c3d4e5f67890', 'vpc-1a1b2c3d4e5f67890').replace(
      '    zones: [Z0123456789ABCDEFGHIJ]\n',
      '    zones: [Z0123456789ABCDEFGHIJ]\n  - id: vpce-0a1b2c3d4e5f67890\n    zones: [Z0123456789ABCDEFGHIJ]\n',
    );
    const msgs = problems(dup).map((p) => `${p.field}: ${p.message}`);
    expect(msgs).toContain('spokes[1].id: vpc-1a1b2c3d4e5f67890 is listed twice (also at spokes[0])');
    expect(msgs).toContain('endpoints[1].id: vpce-0a1b2c3d4e5f67890 is listed twice (also at endpoints[0])');
    expect(msgs).toContain('endpoints[1].zones[0]: zone Z0123456789ABCDEFGHIJ is already listed for vpce-0a1b2c3d4e5f67890');
  });

  it('profile and assumeRole together are refused with the way out', () => {
    const ps = problems(GOOD.replace('    profile: shared-admin\n', '    profile: shared-admin\n    assumeRole: { roleArn: "arn:aws:iam::111122223333:role/x" }\n'));
    expect(ps[0]!.message).toMatch(/either profile or assumeRole/);
  });

  it('a key given twice is an error, not a silent override', () => {
    expect(problems(GOOD + 'name: other\n')[0]!.message).toMatch(/not valid YAML\/JSON: Map keys must be unique/);
  });

  it('a YAML alias bomb is refused, not expanded', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 9; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`);
    expect(problems(bomb.join('\n'))[0]!.message).toMatch(/cannot be read|alias/i);
  });

  it('not a mapping at the top', () => {
    expect(problems('- 1\n- 2\n')[0]!.message).toMatch(/expected a mapping/);
  });

  it('files: missing, binary, too large — each a PlanError naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-plan-'));
    await expect(loadPlan(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml.*no such file/s);
    writeFileSync(join(dir, 'bin.yaml'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    await expect(loadPlan(join(dir, 'bin.yaml'))).rejects.toThrow(/binary/);
    writeFileSync(join(dir, 'big.yaml'), 'a'.repeat(MAX_PLAN_BYTES + 1));
    await expect(loadPlan(join(dir, 'big.yaml'))).rejects.toThrow(/at most 1048576 bytes/);
    await expect(loadPlan(dir)).rejects.toThrow(/is not a file/);
  });

  it('exports a JSON Schema that editors can use', () => {
    const schema = planJsonSchema() as { type: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.type).toBe('object');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'region', 'accounts', 'profile', 'sharedServicesVpc', 'spokes', 'endpoints']));
  });
});
