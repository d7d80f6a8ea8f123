// `r53migrate probe PLAN` against a sandbox estate (the twin's API and its per-VPC resolvers on
// loopback): the command runs in-process with the sandbox's AWS config in process.env, and, once
// main.ts registers it, as the real CLI in a child process.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { probeCommand } from '../../src/cli/probe.js';
import { CLEAR_SCREEN } from '../../src/cli/render-probe.js';
import { UsageError } from '../../src/cli/errors.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';
import { runCli, startCli } from '../support/cli.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  constructor(
    readonly isTTY: boolean,
    private readonly onText?: (all: string) => void,
  ) {
    super();
  }
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    this.onText?.(this.text);
    cb();
  }
}

/** Runs the command in-process; user errors map to exit 2 as runMain maps them. */
async function probe(args: string[], opts: { tty?: boolean; interrupted?: Promise<string>; onStdout?: (all: string) => void } = {}): Promise<Run> {
  const stdout = new Capture(opts.tty ?? false, opts.onStdout);
  const stderr = new Capture(false);
  let code = 0;
  const cmd = probeCommand({ stdout, stderr, env: process.env, ...(opts.interrupted ? { interrupted: opts.interrupted } : {}) }, (c) => (code = c)).exitOverride();
  try {
    await cmd.parseAsync(args, { from: 'user' });
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    stderr.text += e.message;
    code = e.exitCode;
  }
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** An interrupt that fires as soon as stdout holds `n` occurrences of `marker`. */
function interruptAfter(n: number, marker: RegExp): { interrupted: Promise<string>; onStdout: (all: string) => void } {
  let fire!: (s: string) => void;
  const interrupted = new Promise<string>((r) => (fire = r));
  return { interrupted, onStdout: (all) => (all.match(new RegExp(marker.source, 'gm')) ?? []).length >= n && fire('SIGINT') };
}

const SUMMARY = /^\d+ pairs, \d+ ok, \d+ not ok/;
const tableRows = (text: string) => text.split('\n').filter((l) => /^vpc-/.test(l));
const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWrap').length;
/** Node drops a closed socket's handle a moment after close(): poll, bounded. */
async function settledUdpHandles(want: number): Promise<number> {
  for (let i = 0; i < 100 && udpHandles() !== want; i++) await new Promise((r) => setTimeout(r, 20));
  return udpHandles();
}

let dir: string;
let sb: Sandbox;
let planFile: string;
let savedEnv: NodeJS.ProcessEnv;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'r53m-probe-cli-'));
  sb = await startSandbox({
    scenario: 'direct',
    vpcs: 3,
    endpoints: 2, // lambda, and s3 with its wildcard name: 3 names
    accounts: 2,
    seed: 'probe-cli',
    region: 'us-east-1',
    delayScale: 0.01,
    dir: join(dir, 'sandbox'),
    host: '127.0.0.1',
    port: 0,
    rateLimits: 'off',
  });
  planFile = sb.info.planFile;
  env = {
    AWS_CONFIG_FILE: sb.info.awsConfigFile,
    AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile,
    AWS_ENDPOINT_URL: sb.info.endpointUrl,
    AWS_REGION: sb.info.region,
  };
  savedEnv = { ...process.env };
  Object.assign(process.env, env);
  for (const k of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[k];
});

afterAll(async () => {
  for (const k of Object.keys(process.env)) if (!(k in savedEnv)) delete process.env[k];
  Object.assign(process.env, savedEnv);
  await sb?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The sandbox's plan with an edit, written next to it. */
function editedPlan(edit: (plan: Record<string, any>) => void): string {
  const plan = parse(readFileSync(planFile, 'utf8')) as Record<string, any>;
  edit(plan);
  const file = join(dir, `plan-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, stringify(plan));
  return file;
}

describe('probe PLAN (one round)', () => {
  it('every pair ok on a fresh estate: a row per VPC × name, the summary, exit 0', async () => {
    const r = await probe([planFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = tableRows(r.stdout);
    expect(rows).toHaveLength(sb.info.vpcs.length * sb.info.names.length);
    for (const vpc of sb.info.vpcs) {
      for (const n of sb.info.names) {
        const line = rows.find((l) => l.startsWith(vpc.id) && l.includes(`  ${n.name}  `));
        expect(line, `${vpc.id} ${n.name}`).toBeDefined();
        expect(line).toMatch(/\s+ok\s+/);
        expect(line).toContain([...n.ips].sort().join(','));
      }
    }
    const [shared, spoke, keeper] = sb.info.vpcs;
    expect(rows.filter((l) => l.startsWith(`${shared!.id} (shared)`))).toHaveLength(3);
    expect(rows.filter((l) => l.startsWith(`${spoke!.id} (spoke)`))).toHaveLength(3);
    expect(rows.filter((l) => l.startsWith(`${keeper!.id} (keeper)`))).toHaveLength(3);
    // Sorted by VPC id, then name.
    const keys = rows.map((l) => l.split(/\s+/).filter((c) => !c.startsWith('(')).slice(0, 2).join(' '));
    expect(keys).toEqual([...keys].sort());
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('9 pairs, 9 ok, 0 not ok');
  });

  it('a VPC taken off the zones falls through to public DNS: its rows say public, exit 3', async () => {
    const spoke = sb.info.vpcs[1]!.id;
    const saved = sb.world.zones.map((z) => z.vpcs);
    for (const z of sb.world.zones) z.vpcs = z.vpcs.filter((v) => v.vpcId !== spoke);
    try {
      const r = await probe([planFile]);
      expect(r.code).toBe(3);
      const rows = tableRows(r.stdout);
      expect(rows.filter((l) => l.startsWith(spoke)).map((l) => l.split(/\s{2,}/)[2])).toEqual(['public', 'public', 'public']);
      expect(rows.filter((l) => !l.startsWith(spoke)).every((l) => l.split(/\s{2,}/)[2] === 'ok')).toBe(true);
      expect(r.stdout).toContain("not the endpoint's");
      expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('9 pairs, 6 ok, 3 not ok (3 public)');
    } finally {
      sb.world.zones.forEach((z, i) => (z.vpcs = saved[i]!));
    }
  });

  it("a resolver that answers SERVFAIL: that VPC's rows say servfail, exit 3", async () => {
    const keeper = sb.info.vpcs[2]!.id;
    const fault = sb.server.twin.faults.add({ kind: 'dns', vpcId: keeper, servfail: true });
    try {
      const r = await probe([planFile]);
      expect(r.code).toBe(3);
      const classes = tableRows(r.stdout).map((l) => [l.split(' ')[0], l.split(/\s{2,}/)[2]]);
      expect(classes.filter(([v]) => v === keeper).map(([, c]) => c)).toEqual(['servfail', 'servfail', 'servfail']);
      expect(classes.filter(([v]) => v !== keeper).every(([, c]) => c === 'ok')).toBe(true);
    } finally {
      sb.server.twin.faults.clear(fault.id);
    }
  });

  it('--json: an array of results with the documented fields, and no table', async () => {
    const r = await probe([planFile, '--json']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(SUMMARY);
    const results = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(results).toHaveLength(9);
    for (const x of results) {
      expect(Object.keys(x)).toEqual(expect.arrayContaining(['vpcId', 'name', 'probeName', 'class', 'answers', 'expected', 'latencyMs', 'rcode', 'reason']));
      const n = sb.info.names.find((m) => m.name === x.name)!;
      expect(x).toMatchObject({ class: 'ok', probeName: n.probeName, rcode: 'NOERROR', reason: null, expected: [...n.ips].sort(), answers: [...n.ips].sort() });
      expect(typeof x.latencyMs).toBe('number');
    }
    expect(results.some((x) => x.name === '*.s3.us-east-1.amazonaws.com' && x.probeName === 'r53migrate-probe.s3.us-east-1.amazonaws.com')).toBe(true);
  });

  it('probes.expect overrides the discovered ENI IPs: answers outside the pinned set are not ok', async () => {
    const lambda = sb.info.names.find((n) => n.name.startsWith('lambda.'))!;
    const file = editedPlan((p) => (p.probes.expect = { [lambda.endpointId]: ['10.99.99.99'] }));
    const r = await probe([file, '--json']);
    expect(r.code).toBe(3);
    const results = JSON.parse(r.stdout) as { name: string; class: string; expected: string[] }[];
    for (const x of results.filter((y) => y.name === lambda.name)) expect(x).toMatchObject({ class: 'public', expected: ['10.99.99.99'] });
    expect(results.filter((y) => y.name !== lambda.name).every((y) => y.class === 'ok')).toBe(true);
  });

  it('a VPC without a resolver is named on stderr and left out', async () => {
    const spoke = sb.info.vpcs[1]!.id;
    const file = editedPlan((p) => delete p.probes.resolvers[spoke]);
    const r = await probe([file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`no resolver under probes.resolvers and no probe instance under probes.ssm for ${spoke}: not probed`);
    expect(tableRows(r.stdout)).toHaveLength(6);
    expect(r.stdout).not.toContain(spoke);
  });

  it('a resolver given as a host name, or a plan that does not load, is bad input (exit 2)', async () => {
    const vpc = sb.info.vpcs[0]!.id;
    const named = await probe([editedPlan((p) => (p.probes.resolvers[vpc] = 'localhost:53'))]);
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('must use an IP address');
    const broken = await probe([editedPlan((p) => (p.spokes = []))]);
    expect(broken.code).toBe(2);
    expect(broken.stdout).toBe('');
  });
});

describe('probe PLAN --watch', () => {
  it('without a terminal: one table per round, each after a timestamp line; Ctrl-C ends it with exit 0 and closes the prober', async () => {
    const before = udpHandles();
    const stop = interruptAfter(2, SUMMARY);
    const r = await probe([planFile, '--watch', '--interval', '100'], stop);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\x1b');
    const stamps = r.stdout.split('\n').filter((l) => /^--- \d{4}-\d\d-\d\dT[\d:.]+Z round \d+ ---$/.test(l));
    expect(stamps.map((l) => l.split(' ')[3])).toEqual(['1', '2']);
    expect(r.stdout.split('\n').filter((l) => SUMMARY.test(l))).toEqual(['9 pairs, 9 ok, 0 not ok', '9 pairs, 9 ok, 0 not ok']);
    expect(tableRows(r.stdout)).toHaveLength(18);
    // The prober's socket is gone (the sandbox's resolvers are the only UDP sockets left).
    expect(before).toBeGreaterThan(0); // the sandbox's resolvers: proof the count sees UDP sockets
    expect(await settledUdpHandles(before)).toBe(before);
  });

  it('on a terminal: each round redraws the table in place (clear screen, home)', async () => {
    const stop = interruptAfter(2, SUMMARY);
    const r = await probe([planFile, '--watch', '--interval', '100'], { tty: true, ...stop });
    expect(r.code).toBe(0);
    const frames = r.stdout.split(CLEAR_SCREEN);
    expect(frames[0]).toBe('');
    expect(frames.slice(1).map((f) => f.split('\n')[0]!.match(/round (\d+)/)?.[1])).toEqual(['1', '2']);
    for (const f of frames.slice(1)) expect(tableRows(f)).toHaveLength(9);
  });

  it('the rounds follow the estate: a fault injected between rounds shows in the next one', async () => {
    const keeper = sb.info.vpcs[2]!.id;
    let faultId: string | undefined;
    let fire!: (s: string) => void;
    const interrupted = new Promise<string>((res) => (fire = res));
    const r = await probe([planFile, '--watch', '--json', '--interval', '100'], {
      interrupted,
      onStdout: (all) => {
        const lines = all.split('\n').filter(Boolean).length;
        if (lines === 1 && !faultId) faultId = sb.server.twin.faults.add({ kind: 'dns', vpcId: keeper, servfail: true }).id;
        if (lines >= 2) fire('SIGINT');
      },
    });
    sb.server.twin.faults.clear(faultId);
    expect(r.code).toBe(0);
    const rounds = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { round: number; ok: number; notOk: number; results: { vpcId: string; class: string }[] });
    expect(rounds.map((x) => [x.round, x.ok, x.notOk])).toEqual([
      [1, 9, 0],
      [2, 6, 3],
    ]);
    expect(rounds[1]!.results.filter((x) => x.vpcId === keeper).map((x) => x.class)).toEqual(['servfail', 'servfail', 'servfail']);
  });

  it('--interval must be whole milliseconds of at least 100', async () => {
    const cmd = probeCommand({ stdout: new Capture(false), stderr: new Capture(false), env: process.env }, () => undefined)
      .exitOverride()
      .configureOutput({ writeErr: () => undefined });
    await expect(cmd.parseAsync([planFile, '--watch', '--interval', '5'], { from: 'user' })).rejects.toMatchObject({ code: 'commander.invalidArgument' });
  });
});


describe('r53migrate probe as a child process', () => {
  it('one round: exit 0 and the table; --help documents the exit codes', async () => {
    const r = await runCli(['probe', planFile], { env });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(tableRows(r.stdout)).toHaveLength(9);
    const help = await runCli(['probe', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('3 some pair is not ok');
  });

  it('exit 3 when a pair is not ok', async () => {
    const fault = sb.server.twin.faults.add({ kind: 'dns', vpcId: sb.info.vpcs[0]!.id, servfail: true });
    try {
      const r = await runCli(['probe', planFile], { env });
      expect(r.code).toBe(3);
    } finally {
      sb.server.twin.faults.clear(fault.id);
    }
  });

  it('--watch: SIGINT after two rounds, and the process exits 0 by itself (nothing left open)', async () => {
    const child = startCli(['probe', planFile, '--watch', '--interval', '100'], { env });
    for (let i = 0; i < 400 && child.stdout().split('\n').filter((l) => SUMMARY.test(l)).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
    expect(child.stdout().split('\n').filter((l) => SUMMARY.test(l)).length).toBeGreaterThanOrEqual(2);
    const exit = await child.stop('SIGINT');
    expect(exit).toEqual({ code: 0, signal: null });
  });
});
