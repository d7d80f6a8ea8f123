// The CLI's contract at its edges: bad input is exit 2 with a clear message and no AWS call;
// apply needs a confirmation it can check; a second run on the same state is exit 4.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startEstate, type Estate } from '../support/estate.js';

let e: Estate;
beforeAll(async () => {
  e = await startEstate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '1', '--accounts', '1']);
}, 120_000);
afterAll(async () => e?.close());

const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('bad input: exit 2, a message naming file, line and field, and no AWS request', () => {
  it('a plan with a wrong VPC id and an unknown field', async () => {
    const file = join(e.dir, 'bad.yaml');
    writeFileSync(file, 'name: bad\nregion: us-east-1\naccounts: { a: {} }\nprofile: { id: rp-0123456789abcdef, account: a }\nsharedServicesVpc: { id: vpc-XYZ, account: a }\nspokes: [{ id: vpc-0123456789abcdef0, account: a }]\nendpoints: [{ id: vpce-0123456789abcdef0, zones: [Z123] }]\nextra: 1\n');
    const before = (await e.requests()).length;
    const r = await e.cli(['plan', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${file}:5:`);
    expect(r.stderr).toMatch(/sharedServicesVpc\.id: expected a VPC id \(like vpc-/);
    expect(r.stderr).toMatch(/extra: unknown field "extra"/);
    noStack(r.stderr);
    expect((await e.requests()).length).toBe(before);
  });

  it('a plan file that does not exist', async () => {
    const r = await e.cli(['apply', join(e.dir, 'nope.yaml'), '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/nope\.yaml.*cannot read the plan: no such file/s);
    noStack(r.stderr);
  });

  it('apply without a terminal needs --yes or --plan-hash, and changes nothing', async () => {
    const before = (await e.requests()).filter((c) => c.mutating).length;
    const r = await e.cli(['apply', e.info.planFile]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/apply changes AWS: pass --yes, or --plan-hash [0-9a-f]{16}/);
    expect((await e.requests()).filter((c) => c.mutating).length).toBe(before);
  });

  it('apply with a stale --plan-hash is refused', async () => {
    const r = await e.cli(['apply', e.info.planFile, '--plan-hash', '0000000000000000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/the plan hash is [0-9a-f]{16} now, not 0000000000000000/);
  });

  it('schema prints the plan JSON Schema', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: 'object', properties: { spokes: { type: 'array' } } });
  });
});

describe('the lock', () => {
  it('a second run on the same state while the first is live: exit 4 naming the holder; the first then finishes', async () => {
    const state = join(e.dir, 'lock', 'run.state.json');
    await e.fault({ kind: 'hold', operation: 'AssociateProfile', phase: 'before', count: 1 });
    const first = e.start(['apply', e.info.planFile, '--yes', '--state', state]);
    await e.waitHeld(60_000);
    const second = await e.cli(['apply', e.info.planFile, '--yes', '--state', state]);
    expect(second.code).toBe(4);
    expect(second.stderr).toContain(String(first.child.pid));
    noStack(second.stderr);
    await e.release();
    const done = await first.exited;
    expect(done.code, first.stdout()).toBe(0);
  }, 300_000);
});
