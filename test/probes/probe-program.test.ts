// The in-VPC probe script, run for real (sh, dash, bash) against scripted DNS servers on
// 127.0.0.1, in each of its modes; its output read back with parseProbeOutput and judged with
// classify(), as r53migrate will do with what SSM Run Command returns.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, type ProbeClass } from '../../src/probes/classify.js';
import { probeCommands, PROBE_SCRIPT_PATH } from '../../src/probes/probe-program.js';
import { parseProbeOutput, type ParsedProbeOutput } from '../../src/probes/probe-output.js';
import { hasTool, referee } from '../support/referees.js';
import { a, aaaa, cname, RCODE, reply, startBadServer, type BadServer } from './bad-dns-server.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ENDPOINT_IPS = ['10.0.1.5', '10.0.2.5'];
const BIG = Array.from({ length: 40 }, (_, i) => `10.9.0.${i + 1}`);

/** What each name does on the scripted server, and the class r53migrate must see. */
const CASES: Record<string, { expected: string[]; class: ProbeClass; addresses?: string[] }> = {
  'vpce.lambda.example': { expected: ENDPOINT_IPS, class: 'ok', addresses: ENDPOINT_IPS },
  'public.example': { expected: ENDPOINT_IPS, class: 'public', addresses: ['198.51.100.7'] },
  'missing.example': { expected: ENDPOINT_IPS, class: 'nxdomain' },
  'broken.example': { expected: ENDPOINT_IPS, class: 'servfail' },
  'silent.example': { expected: ENDPOINT_IPS, class: 'timeout' },
  'big.example': { expected: BIG, class: 'ok', addresses: BIG },
  'alias.example': { expected: ['10.0.3.7'], class: 'ok', addresses: ['10.0.3.7'] },
  'nodata.example': { expected: ENDPOINT_IPS, class: 'error' },
};
const NAMES = Object.keys(CASES);

let server: BadServer;
let work: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'r53m-probe-prog-'));
  server = await startBadServer((q, transport) => {
    const { name, type } = q.questions![0]!;
    const key = name.toLowerCase();
    if (type === 'AAAA') return key === 'v6.example' ? [{ send: reply(q, { answers: [aaaa(name, 'fd00:0:0::5')] }) }] : [{ send: reply(q) }];
    switch (key) {
      case 'vpce.lambda.example':
        return [{ send: reply(q, { answers: ENDPOINT_IPS.map((ip) => a(name, ip)) }) }];
      case 'public.example':
        return [{ send: reply(q, { answers: [a(name, '198.51.100.7')] }) }];
      case 'missing.example':
        return [{ send: reply(q, { rcode: RCODE.NXDOMAIN }) }];
      case 'broken.example':
        return [{ send: reply(q, { rcode: RCODE.SERVFAIL }) }];
      case 'silent.example':
        return [];
      case 'big.example':
        // UDP: truncated, with a few records that must not be taken for the answer.
        return transport === 'udp'
          ? [{ send: reply(q, { tc: true, answers: BIG.slice(0, 2).map((ip) => a(name, ip)) }) }]
          : [{ send: reply(q, { answers: BIG.map((ip) => a(name, ip)) }), splitAt: [1, 30] }];
      case 'alias.example':
        return [{ send: reply(q, { answers: [cname(name, 'Hop.Example'), cname('hop.example', 'final.example'), a('final.example', '10.0.3.7')] }) }];
      default:
        return [{ send: reply(q) }]; // NOERROR, no records (NODATA)
    }
  });
});
afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv with exactly this environment; killed after 20 s so a hang fails instead of stalling. */
function run(argv: string[], env: Record<string, string>, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env, cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function probeEnv(extra: Record<string, string>, path = process.env.PATH ?? '/usr/bin:/bin'): Record<string, string> {
  return {
    PATH: path,
    HOME: process.env.HOME ?? '/tmp',
    R53M_RESOLVER: server.host,
    R53M_PORT: String(server.port),
    R53M_COUNT: '1',
    R53M_INTERVAL_MS: '20',
    ...extra,
  };
}

/** As the SSM agent does: the commands joined into one file, run by sh. */
async function runCommands(commands: string[], env: Record<string, string>, shell: string[] = ['sh']): Promise<Run> {
  const file = join(mkdtempSync(join(work, 'cmd-')), '_script.sh');
  writeFileSync(file, `${commands.join('\n')}\n`);
  return run([...shell, file], env);
}

/** A PATH of symlinks to just these tools (so dig, or everything, can be hidden). */
function pathWith(tools: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'bin-'));
  for (const [name, target] of Object.entries(tools)) symlinkSync(target, join(dir, name));
  return dir;
}

function which(tool: string): string {
  const hit = (process.env.PATH ?? '').split(':').map((d) => join(d, tool)).find((p) => existsSync(p));
  if (!hit) throw new Error(`${tool} not on PATH`);
  return hit;
}

let pythonExecutable = '';
function realPython(): string {
  if (!pythonExecutable) throw new Error('python3 executable not found');
  return pythonExecutable;
}

/** Parses, failing with the parser's reason and the raw output when it is not ok. */
function parse(r: Run, names: readonly string[]): ParsedProbeOutput {
  const parsed = parseProbeOutput(r.stdout, names);
  if (!parsed.ok) throw new Error(`${parsed.reason}\n--- stdout:\n${r.stdout}--- stderr:\n${r.stderr}`);
  return parsed;
}

function classesOf(parsed: ParsedProbeOutput, names: readonly string[] = NAMES): Record<string, ProbeClass[]> {
  if (!parsed.ok) throw new Error(parsed.reason);
  const out: Record<string, ProbeClass[]> = {};
  for (const ans of parsed.answers) (out[ans.name] ??= []).push(classify(ans.reply, CASES[ans.name]?.expected ?? ENDPOINT_IPS).class);
  expect(Object.keys(out).sort()).toEqual([...names].sort());
  return out;
}

/** The whole case table through one run's output: every name, every pass, the right class. */
function expectCaseTable(parsed: ParsedProbeOutput, count: number): void {
  const classes = classesOf(parsed);
  for (const name of NAMES) expect({ name, classes: classes[name] }).toEqual({ name, classes: Array(count).fill(CASES[name]!.class) });
  if (!parsed.ok) return;
  for (const ans of parsed.answers) {
    const want = CASES[ans.name]!.addresses;
    if (want && ans.reply.outcome === 'reply') expect(ans.reply.addresses).toEqual([...want].sort());
  }
}

describe('the script file', () => {
  it('is found through PROBE_SCRIPT_PATH, small, and shipped in the package', () => {
    expect(PROBE_SCRIPT_PATH).toBe(join(ROOT, 'probe/r53m-probe.sh'));
    expect(statSync(PROBE_SCRIPT_PATH).size).toBeLessThan(6_500);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files?: string[] };
    if (pkg.files) expect(pkg.files.some((f) => /^\.?\/?probe\/?/.test(f))).toBe(true);
  });
});

describe('probeCommands', () => {
  it('assigns the plan values (single-quoted), then the script line by line, unchanged', () => {
    const cmds = probeCommands({ names: ['vpce.lambda.example', 'alias.example.'], count: 2, intervalMs: 250, timeoutMs: 500, resolver: '10.0.0.2', port: 5353, qtype: 'AAAA' });
    expect(cmds.slice(0, 7)).toEqual([
      "R53M_NAMES='vpce.lambda.example alias.example.'",
      "R53M_COUNT='2'",
      "R53M_INTERVAL_MS='250'",
      "R53M_TIMEOUT_MS='500'",
      "R53M_QTYPE='AAAA'",
      ': "${R53M_RESOLVER:=10.0.0.2}"',
      ': "${R53M_PORT:=5353}"',
    ]);
    expect(`${cmds.slice(7).join('\n')}\n`).toBe(readFileSync(PROBE_SCRIPT_PATH, 'utf8'));
    // Defaults: 3 passes, 1 s apart, 1 s timeout, A; no resolver line (the script's 169.254.169.253).
    expect(probeCommands({ names: ['x.example'] }).slice(0, 5)).toEqual([
      "R53M_NAMES='x.example'",
      "R53M_COUNT='3'",
      "R53M_INTERVAL_MS='1000'",
      "R53M_TIMEOUT_MS='1000'",
      "R53M_QTYPE='A'",
    ]);
  });

  it('refuses anything that is not a plain DNS name or a sane number, naming it', () => {
    const bad: [Parameters<typeof probeCommands>[0], RegExp][] = [
      [{ names: [] }, /at least one name/],
      [{ names: ['ok.example', "x';reboot;'"] }, /probe name "x';reboot;'" is not a DNS name/],
      [{ names: ['$(id).example'] }, /not a DNS name/],
      [{ names: ['*.s3.us-east-1.amazonaws.com'] }, /no wildcards/],
      [{ names: ['a b.example'] }, /not a DNS name/],
      [{ names: ['a..example'] }, /not a DNS name/],
      [{ names: ['-bad.example'] }, /not a DNS name/],
      [{ names: [`${'x'.repeat(64)}.example`] }, /not a DNS name/],
      [{ names: ['x.example\nreboot'] }, /not a DNS name/],
      [{ names: ['x.example'], resolver: '10.0.0.2}"; reboot; "' }, /resolver must be an IP address/],
      [{ names: ['x.example'], resolver: 'fe80::1%eth0' }, /resolver must be an IP address/],
      [{ names: ['x.example'], resolver: 'dns.example' }, /resolver must be an IP address/],
      [{ names: ['x.example'], port: 70_000 }, /port must be a whole number from 1 to 65535/],
      [{ names: ['x.example'], count: 0 }, /count must be a whole number/],
      [{ names: ['x.example'], intervalMs: 1.5 }, /intervalMs must be a whole number/],
      [{ names: ['x.example'], timeoutMs: Number.NaN }, /timeoutMs must be a whole number/],
      [{ names: ['x.example'], qtype: 'TXT' as 'A' }, /qtype must be A or AAAA/],
    ];
    for (const [opts, msg] of bad) expect(() => probeCommands(opts)).toThrow(msg);
    expect(() => probeCommands({ names: ['_dmarc.x-y.example', 'R53MIGRATE-PROBE.S3.us-east-1.amazonaws.com.'] })).not.toThrow();
  });
});

describe('the script, dig mode', () => {
  const dig = referee('dig', 'in-VPC probe script (dig mode)');

  it.runIf(dig)('every case gives the right class; one query at a time; TC retried over TCP', async () => {
    const commands = probeCommands({ names: NAMES, count: 2, intervalMs: 50, timeoutMs: 1000, resolver: '10.0.0.2', port: 53 });
    const before = server.received.length;
    // The environment's resolver wins over the plan's (how the twin points the script at loopback).
    const r = await runCommands(commands, probeEnv({ R53M_MODE: '' }));
    expect(r.code).toBe(0);
    const parsed = parse(r, NAMES);
    expect(parsed).toMatchObject({ ok: true, mode: 'dig', degraded: false, resolver: `127.0.0.1:${server.port}`, complete: true });
    expectCaseTable(parsed, 2);
    if (parsed.ok) {
      expect(parsed.answers.map((x) => x.name)).toEqual([...NAMES, ...NAMES]);
      expect(Math.abs(parsed.startedEpochMs - Date.now())).toBeLessThan(60_000);
      // The second pass starts after the first ended plus the interval.
      const second = parsed.answers[NAMES.length]!;
      const firstEnd = parsed.answers[NAMES.length - 1]!;
      expect(second.offsetMs).toBeGreaterThanOrEqual(firstEnd.offsetMs + 50);
      const silent = parsed.answers.find((x) => x.name === 'silent.example')!;
      expect(silent.latencyMs).toBeGreaterThanOrEqual(900); // dig's +time is whole seconds
    }
    const got = server.received.slice(before);
    expect(got.filter((q) => q.transport === 'tcp' && q.name === 'big.example')).toHaveLength(2);
    expect(got.filter((q) => q.transport === 'udp')).toHaveLength(NAMES.length * 2);
    expect(server.maxOutstanding).toBeLessThanOrEqual(1);
    expect(r.stdout.length).toBeLessThan(2_500);
  });

  it.runIf(dig)('without the plan resolver line the begin line names the environment resolver; AAAA works', async () => {
    const r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'v6.example vpce.lambda.example', R53M_QTYPE: 'AAAA', R53M_MODE: 'dig' }));
    expect(r.code).toBe(0);
    const parsed = parse(r, ['v6.example', 'vpce.lambda.example']);
    expect(parsed).toMatchObject({ ok: true, complete: true, resolver: `127.0.0.1:${server.port}` });
    if (parsed.ok) {
      expect(parsed.answers.map((x) => x.reply)).toMatchObject([
        { outcome: 'reply', rcode: 'NOERROR', addresses: ['fd00::5'] },
        { outcome: 'reply', rcode: 'NOERROR', addresses: [], chainError: 'no addresses (NODATA)' },
      ]);
    }
  });

  it.runIf(dig)("a ~/.digrc on the instance (say +short) does not change dig's output", async () => {
    const home = mkdtempSync(join(work, 'home-'));
    writeFileSync(join(home, '.digrc'), '+short +tcp\n');
    const r = await run(['sh', PROBE_SCRIPT_PATH], { ...probeEnv({ R53M_NAMES: 'vpce.lambda.example', R53M_MODE: 'dig' }), HOME: home });
    const parsed = parse(r, ['vpce.lambda.example']);
    expect(parsed.ok && parsed.answers[0]!.reply).toMatchObject({ rcode: 'NOERROR', addresses: ENDPOINT_IPS });
  });

  it.runIf(dig)('a resolver that refuses connections is ERROR (with dig\'s reason on stderr), not TIMEOUT', async () => {
    const r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'vpce.lambda.example', R53M_PORT: '1', R53M_MODE: 'dig' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^0 \d+ ERROR \d+ -$/m);
    expect(r.stderr).toMatch(/r53m-probe: vpce\.lambda\.example: .*refused/);
    const parsed = parse(r, ['vpce.lambda.example']);
    expect(parsed.ok && classify(parsed.answers[0]!.reply, ENDPOINT_IPS).class).toBe('error');
  });
});

describe('the script, python3 mode', () => {
  const py = referee('python3', 'in-VPC probe script (python3 mode)');

  beforeAll(async () => {
    if (!py) return;
    const r = await run(['python3', '-c', 'import os, sys; print(os.path.realpath(sys.executable))'], { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' });
    pythonExecutable = r.stdout.trim();
  });

  it.runIf(py)('with dig hidden it picks python3 by itself, and every case gives the right class', async () => {
    const path = pathWith({ sh: which('sh'), date: which('date'), sleep: which('sleep'), python3: realPython() });
    const r = await run([join(path, 'sh'), PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: NAMES.join(' '), R53M_COUNT: '2', R53M_TIMEOUT_MS: '300' }, path));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const parsed = parse(r, NAMES);
    expect(parsed).toMatchObject({ ok: true, mode: 'python3', degraded: false, complete: true });
    expectCaseTable(parsed, 2);
    if (parsed.ok) {
      const silent = parsed.answers.find((x) => x.name === 'silent.example')!;
      expect(silent.latencyMs).toBeGreaterThanOrEqual(280);
      expect(silent.latencyMs).toBeLessThan(1_000);
    }
    expect(server.maxOutstanding).toBeLessThanOrEqual(1);
  });

  it.runIf(py)('AAAA, a trailing dot, and a connection refused (ERROR, reason on stderr)', async () => {
    const path = pathWith({ sh: which('sh'), date: which('date'), sleep: which('sleep'), python3: realPython() });
    let r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'V6.Example. vpce.lambda.example', R53M_QTYPE: 'AAAA', R53M_MODE: 'python3' }, path));
    let parsed = parse(r, ['V6.Example.', 'vpce.lambda.example']);
    expect(parsed.ok && parsed.answers.map((x) => x.reply)).toMatchObject([
      { outcome: 'reply', rcode: 'NOERROR', addresses: ['fd00::5'], chain: ['v6.example'] },
      { outcome: 'reply', rcode: 'NOERROR', addresses: [], chainError: 'no addresses (NODATA)' },
    ]);
    r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'vpce.lambda.example', R53M_PORT: '1', R53M_MODE: 'python3' }, path));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^r53m-probe: vpce\.lambda\.example: .*refused/i);
    parsed = parse(r, ['vpce.lambda.example']);
    expect(parsed.ok && parsed.answers[0]!.reply.outcome).toBe('error');
  });
});

describe('the script, python3 mode, under old interpreters (3.6: the oldest supported; 3.9: AL2023\'s /usr/bin/python3)', () => {
  // Found through pyenv when installed; elsewhere these are skipped with a message.
  const root = process.env.PYENV_ROOT ?? join(process.env.HOME ?? '/root', '.pyenv');
  const found = (minor: string): string | undefined => {
    const dir = join(root, 'versions');
    const v = existsSync(dir) ? readdirSync(dir).find((x) => x.startsWith(`${minor}.`)) : undefined;
    const exe = v && join(dir, v, 'bin', 'python3');
    return exe && existsSync(exe) ? exe : undefined;
  };
  for (const minor of ['3.6', '3.9']) {
    const exe = found(minor);
    if (!exe) process.stderr.write(`SKIP: no Python ${minor} under ${root}/versions: the python3-mode check under ${minor} is skipped\n`);
    it.runIf(exe !== undefined)(`Python ${minor}: every case gives the right class`, async () => {
      const path = pathWith({ sh: which('sh'), date: which('date'), sleep: which('sleep'), python3: exe! });
      const r = await run([join(path, 'sh'), PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: NAMES.join(' '), R53M_TIMEOUT_MS: '300' }, path));
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const parsed = parse(r, NAMES);
      expect(parsed).toMatchObject({ mode: 'python3', complete: true });
      expectCaseTable(parsed, 1);
    });
  }
});

describe('the script under each POSIX shell', () => {
  const shells = ['dash', 'bash'].filter((s) => hasTool(s));
  const tool = hasTool('dig') ? 'dig' : 'python3';

  it.runIf(shells.length > 0 && hasTool(tool))(`dash and bash (as sh on Amazon Linux) give the same answers (${tool} mode)`, async () => {
    const names = ['vpce.lambda.example', 'alias.example', 'missing.example', 'big.example'];
    const seen: string[] = [];
    for (const shell of shells) {
      const argv = shell === 'bash' ? ['bash', '--posix'] : [shell];
      const r = await runCommands(probeCommands({ names, count: 1, timeoutMs: 500 }), probeEnv({ R53M_MODE: tool }), argv);
      expect({ shell, code: r.code, stderr: r.stderr }).toEqual({ shell, code: 0, stderr: '' });
      const parsed = parse(r, names);
      expect(parsed.ok && parsed.complete).toBe(true);
      seen.push(JSON.stringify(classesOf(parsed, names)));
      if (parsed.ok) expect(parsed.resolver).toBe(`127.0.0.1:${server.port}`);
    }
    expect(new Set(seen).size).toBe(1);
    expect(JSON.parse(seen[0]!)).toEqual({ 'vpce.lambda.example': ['ok'], 'alias.example': ['ok'], 'missing.example': ['nxdomain'], 'big.example': ['ok'] });
  });
});

describe('the script, getent mode (system resolver: only localhost can be checked here)', () => {
  it.runIf(hasTool('getent'))('localhost resolves through the system resolver; the begin line says so', async () => {
    const r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'localhost', R53M_MODE: 'getent', R53M_COUNT: '2' }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^R53M1 begin mode=getent resolver=system t=\d{13}\n0 \d+ \? \d+ 127\.0\.0\.1\n0 \d+ \? \d+ 127\.0\.0\.1\nR53M1 end n=2\n$/);
    const parsed = parse(r, ['localhost']);
    expect(parsed).toMatchObject({ ok: true, mode: 'getent', degraded: true, resolver: 'system', complete: true });
    expect(parsed.ok && classify(parsed.answers[0]!.reply, ['127.0.0.1']).class).toBe('ok');
  });

  it.runIf(hasTool('getent'))('AAAA does not report IPv4-mapped addresses as answers', async () => {
    const r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'localhost', R53M_MODE: 'getent', R53M_QTYPE: 'AAAA' }));
    expect(r.stdout).not.toMatch(/::ffff:/);
  });
});

describe('the script refuses to run, with a one-line reason and exit 2', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ['no names', { R53M_NAMES: '' }, /R53M_NAMES is empty/],
    ['a name with shell characters', { R53M_NAMES: 'ok.example $(reboot)' }, /bad name in R53M_NAMES: \$\(reboot\)/],
    ['a wildcard', { R53M_NAMES: '*.example' }, /bad name in R53M_NAMES: \*\.example/],
    ['a bad count', { R53M_NAMES: 'x.example', R53M_COUNT: '0' }, /at least 1/],
    ['a bad number', { R53M_NAMES: 'x.example', R53M_TIMEOUT_MS: '1s' }, /not a whole number: 1s/],
    ['a bad qtype', { R53M_NAMES: 'x.example', R53M_QTYPE: 'TXT' }, /R53M_QTYPE must be A or AAAA/],
    ['a resolver that is not an address', { R53M_NAMES: 'x.example', R53M_RESOLVER: 'dns;reboot' }, /must be an IP address/],
    ['an unknown mode', { R53M_NAMES: 'x.example', R53M_MODE: 'nslookup' }, /R53M_MODE must be dig, python3 or getent/],
  ];
  for (const [what, env, msg] of cases) {
    it(what, async () => {
      const r = await run(['sh', PROBE_SCRIPT_PATH], probeEnv(env));
      expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
      expect(r.stderr).toMatch(msg);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }

  it('no dig, python3 or getent on the instance', async () => {
    const path = pathWith({ sh: which('sh'), date: which('date') });
    const r = await run([join(path, 'sh'), PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'x.example' }, path));
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'r53m-probe: none of dig, python3, getent found\n' });
    const forced = await run([join(path, 'sh'), PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'x.example', R53M_MODE: 'dig' }, path));
    expect(forced).toEqual({ code: 2, stdout: '', stderr: 'r53m-probe: R53M_MODE=dig: dig (or awk) not found\n' });
  });
});

describe('a date without %3N (milliseconds)', () => {
  it.runIf(hasTool('getent'))('falls back to whole seconds × 1000 and still gives parseable output', async () => {
    const path = pathWith({ sh: which('sh'), sleep: which('sleep'), getent: which('getent') });
    const fake = join(path, 'date');
    // Like a date that prints %N's unsupported directive literally.
    writeFileSync(fake, `#!${which('sh')}\ncase "$1" in *%3N*) echo "$(${which('date')} +%s)%3N";; *) exec ${which('date')} "$@";; esac\n`);
    chmodSync(fake, 0o755);
    const r = await run([join(path, 'sh'), PROBE_SCRIPT_PATH], probeEnv({ R53M_NAMES: 'localhost', R53M_MODE: 'getent' }, path));
    expect(r.code).toBe(0);
    const parsed = parse(r, ['localhost']);
    expect(parsed).toMatchObject({ ok: true, complete: true });
    if (parsed.ok) expect(parsed.startedEpochMs % 1000).toBe(0);
  });
});
