// The action executor's re-check before a repeat (what `resume` relies on after a kill), against
// a sandbox over HTTP: an action found already done is not sent again.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsAccess } from '../../src/aws/access.js';
import { executeAction } from '../../src/aws/execute.js';
import { observe } from '../../src/aws/observe.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import type { Action } from '../../src/aws/actions.js';
import { planRun } from '../../src/steps/plan-run.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

let sb: Sandbox;
let dir: string;
let plan: Plan;
let access: AwsAccess;
const savedEnv = { ...process.env };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-execute-'));
  // path B: the spokes of the second account reach the zones only through the Profile, so
  // step 1 authorizes, associates and deauthorizes each of them.
  sb = await startSandbox({ scenario: 'via-profile', vpcs: 3, endpoints: 1, accounts: 2, seed: 'execute', region: 'us-east-1', delayScale: 0.01, dir, host: '127.0.0.1', port: 0 });
  Object.assign(process.env, { AWS_CONFIG_FILE: sb.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile, AWS_ENDPOINT_URL: sb.info.endpointUrl });
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_ACCESS_KEY_ID;
  delete process.env.AWS_SECRET_ACCESS_KEY;
  plan = (await loadPlan(sb.info.planFile)).plan;
  access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
});

afterAll(async () => {
  access?.destroy();
  process.env = savedEnv;
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

const opts = (checkFirst: boolean) => ({ backupDir: dir, verifiedBackup: () => false, checkFirst });
const mutations = () => sb.server.twin.log.filter((e) => e.mutating).length;

describe('re-checked before a repeat', () => {
  it('an authorization whose VPC is already associated (and the authorization since deleted) counts as done: nothing is sent', async () => {
    const run = planRun(await observe(plan, access), plan);
    if (!run.ok) throw new Error(run.problems.join('\n'));
    const step1 = run.steps.find((s) => s.number === 1)!.batches.flat().map((b) => b.action);
    const authorize = step1.find((a): a is Extract<Action, { kind: 'authorize-vpc' }> => a.kind === 'authorize-vpc')!;
    expect(authorize, 'path B step 1 authorizes a cross-account VPC').toBeDefined();
    const triple = step1.filter((a) => 'vpcId' in a && a.vpcId === authorize.vpcId && 'zoneId' in a && a.zoneId === authorize.zoneId);
    expect(triple.map((a) => a.kind)).toEqual(['authorize-vpc', 'associate-vpc', 'deauthorize-vpc']);

    // The first run did all three, then died before it could journal the last reply.
    for (const a of triple) expect((await executeAction(access, a, opts(false))).status).toBe('applied');

    const before = mutations();
    for (const a of triple) expect((await executeAction(access, a, opts(true))).status, a.kind).toBe('already-done');
    expect(mutations(), 'no write reached the twin').toBe(before);
  });

  it('an authorization not yet made is still made when checked first', async () => {
    const run = planRun(await observe(plan, access), plan);
    if (!run.ok) throw new Error(run.problems.join('\n'));
    const authorize = run.steps.find((s) => s.number === 1)!.batches.flat().map((b) => b.action).find((a) => a.kind === 'authorize-vpc');
    expect(authorize, 'another VPC still to authorize').toBeDefined();
    const before = mutations();
    expect((await executeAction(access, authorize!, opts(true))).status).toBe('applied');
    expect(mutations()).toBe(before + 1);
  });
});
