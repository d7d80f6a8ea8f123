// `r53migrate graph` as a user runs it (the built CLI, a child process): the machine without a
// plan, a plan's dry run against a sandbox estate (read-only, as `plan`), and the mistakes a user
// makes, each refused with exit 2 and a message that says what to fix.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startEstate, type Estate } from '../support/estate.js';
import { readMermaid } from '../support/mermaid.js';

const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('graph without a plan: the run machine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-graph-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the forward machine as a Mermaid state diagram, each step titled', async () => {
    const r = await runCli(['graph']);
    expect(r.code, r.stderr).toBe(0);
    const read = await readMermaid(r.stdout);
    expect(read.type).toBe('stateDiagram');
    expect(read.nodes.filter((n) => !n.parent).map((n) => n.id)).toEqual(['start', 'step1', 'step2', 'step3', 'step4', 'step5', 'step6', 'step7', 'done', 'halted', 'failed', 'stopped']);
    expect(read.nodes.find((n) => n.id === 'step3')?.label).toBe('Step 3 — Enable Private DNS on the endpoints');
    expect(read.edges).toContainEqual({ from: 'step7', to: 'done', label: 'step-done (plan)' });
  });

  it('--rollback prints the undo machine, undo 7 first', async () => {
    const r = await runCli(['graph', '--rollback']);
    expect(r.code, r.stderr).toBe(0);
    const read = await readMermaid(r.stdout);
    expect(read.edges).toContainEqual({ from: 'start', to: 'undo7', label: 'undo 7 next' });
    expect(read.edges).toContainEqual({ from: 'undo1', to: 'done', label: 'step-done (plan)' });
  });

  it('--out FILE.md writes a ```mermaid block (GitHub draws it); any other name gets the bare diagram', async () => {
    const md = join(dir, 'machine.md');
    const r = await runCli(['graph', '--out', md]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Wrote .*machine\.md: GitHub draws it as a diagram/);
    const text = readFileSync(md, 'utf8');
    expect(text).toMatch(/^```mermaid\nstateDiagram-v2\n[\s\S]*\n```\n$/);
    const bare = join(dir, 'machine.mmd');
    expect((await runCli(['graph', '--out', bare])).code).toBe(0);
    expect(readFileSync(bare, 'utf8')).toBe(text.replace(/^```mermaid\n/, '').replace(/```\n$/, ''));
  });

  it('--help says what it prints and how to view it', async () => {
    const r = await runCli(['graph', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/mermaid\.live/);
    expect(r.stdout).toMatch(/```mermaid block/);
    expect(r.stdout).toMatch(/--rollback/);
  });

  it('a plan file that does not exist: exit 2, naming it, no stack trace', async () => {
    const r = await runCli(['graph', join(dir, 'no-such-plan.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no-such-plan\.yaml.*cannot read the plan: no such file/);
    noStack(r.stderr);
    expect(r.stdout).toBe('');
  });

  it('--out into a folder that does not exist: exit 2, naming the option and the file', async () => {
    const r = await runCli(['graph', '--out', join(dir, 'missing', 'machine.md')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*missing\/machine\.md: can't write it \(ENOENT\)/);
    noStack(r.stderr);
  });
});

describe('graph PLAN: the dry run of a sandbox estate as a flowchart', () => {
  let e: Estate;
  beforeAll(async () => {
    // 6 VPCs, no parking VPC: 4 spokes move in step 6 (waves 1, 2, 1), the keeper stays.
    e = await startEstate(['--scenario', 'direct', '--vpcs', '6', '--endpoints', '2', '--accounts', '2']);
  });
  afterAll(async () => e?.close());

  it("draws every step, every batch with its calls and every wave of the plan's own dry run, and changes nothing", async () => {
    const before = (await e.requests()).length;
    const [graph, plan] = [await e.cli(['graph', e.info.planFile]), await e.cli(['plan', e.info.planFile, '--json'])];
    expect(graph.code, graph.stderr).toBe(0);
    expect(plan.code, plan.stderr).toBe(0);
    const run = JSON.parse(plan.stdout) as { steps: { number: number; batches: { call?: unknown }[][] }[] };
    const read = await readMermaid(graph.stdout);
    expect(read.type).toMatch(/^flowchart/);
    const batchNodes = read.nodes.filter((n) => /_b\d+$/.test(n.id));
    expect(batchNodes.map((n) => n.id)).toEqual(run.steps.flatMap((s) => s.batches.map((_, i) => `step${s.number}_b${i + 1}`)));
    for (const s of run.steps) {
      s.batches.forEach((b, i) => {
        const calls = b.filter((a) => a.call).length;
        expect(read.nodes.find((n) => n.id === `step${s.number}_b${i + 1}`)?.label).toMatch(new RegExp(`, ${calls} calls?<br>`));
      });
    }
    expect(read.nodes.filter((n) => n.id.startsWith('step6_b')).map((n) => /^wave \d of \d, \d VPCs?/.exec(n.label)?.[0])).toEqual(['wave 1 of 3, 1 VPC', 'wave 2 of 3, 2 VPCs', 'wave 3 of 3, 1 VPC']);
    // one path, in run order
    expect(read.edges[0]).toMatchObject({ from: 'start', to: 'step1' });
    expect(read.edges.at(-1)).toMatchObject({ to: 'complete' });
    expect(read.edges.length).toBe(read.nodes.length - 1);
    const mutations = (await e.requests()).slice(before).filter((r) => r.mutating);
    expect(mutations).toEqual([]);
  });

  it('an estate `plan` refuses: exit 2, its reasons on stderr, no diagram', async () => {
    // A spoke left out of the plan still depends on the zone: plan and apply refuse such a plan.
    const partial = e.planVariant('graph-partial', (p) => {
      const left = p.spokes.pop() as { id: string };
      delete p.probes.resolvers[left.id];
    });
    const r = await e.cli(['graph', partial]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/can't be migrated as it is[\s\S]*not in the plan/);
    expect(r.stdout).toBe('');
    noStack(r.stderr);
  });

  it('--rollback with a plan is refused, pointing at the rollback dry run', async () => {
    const r = await e.cli(['graph', e.info.planFile, '--rollback']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/r53migrate rollback .* --dry-run/);
    noStack(r.stderr);
  });
});
