#!/usr/bin/env node
// Probe benchmark (npm run bench:probes; it builds first). Not a test: it prints figures.
//   1. Sustained probes/second: the monitor at interval 0 over every (VPC, name) pair of a
//      300-VPC × 10-name direct sandbox on loopback, logging every result to NDJSON.
//   2. Break-to-detection: the monitor at a normal interval, a DNS fault (SERVFAIL) injected for one
//      VPC through the twin's fault route, the time from the break to the first non-ok result and
//      to the halt gate's verdict, from the NDJSON timestamps.
// Options: --seconds 10 --concurrency 256 --vpcs 300 --endpoints 8 --interval-ms 1000
//          --twin child|in-process (child: the sandbox runs in its own node process, as in real use,
//          so the figure is the prober's; in-process: one process does both sides).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awaitGate, buildTargets, Monitor, NdjsonLog, Prober } from '../dist/probes/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '256' },
    vpcs: { type: 'string', default: '300' },
    endpoints: { type: 'string', default: '8' },
    'interval-ms': { type: 'string', default: '1000' },
    twin: { type: 'string', default: 'child' },
  },
});
const seconds = Number(o.seconds);
const concurrency = Number(o.concurrency);
const intervalMs = Number(o['interval-ms']);
const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-'));

async function startTwin() {
  if (o.twin === 'in-process') {
    const { startSandbox } = await import('../dist/twin/sandbox.js');
    const sb = await startSandbox({
      scenario: 'direct', vpcs: Number(o.vpcs), endpoints: Number(o.endpoints), accounts: 1, seed: 'bench',
      region: 'us-east-1', delayScale: 0.01, dir, host: '127.0.0.1', port: 0, rateLimits: 'off',
    });
    return { info: sb.info, close: () => sb.close() };
  }
  const child = spawn(process.execPath, [join(root, 'bin/r53migrate.js'), 'sandbox', 'up', '--dir', dir, '--vpcs', o.vpcs, '--endpoints', o.endpoints,
    '--seed', 'bench', '--delay-scale', '0.01', '--no-rate-limits'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const file = join(dir, 'sandbox.json');
  for (let i = 0; i < 600 && !existsSync(file); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(file)) throw new Error('sandbox did not start within 30 s');
  const info = JSON.parse(readFileSync(file, 'utf8'));
  return {
    info,
    close: () => new Promise((r) => { child.once('exit', r); child.kill('SIGINT'); }),
  };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

async function throughput(targets) {
  const logPath = join(dir, 'throughput.probes.ndjson');
  const log = NdjsonLog.open(logPath);
  const prober = new Prober({ timeoutMs: 2000, retries: 1 });
  const monitor = new Monitor({ targets, intervalMs: 0, jitterMs: 0, concurrency, prober, log });
  const classes = {};
  const latencies = [];
  let counting = false;
  monitor.subscribe((r) => {
    if (!counting) return;
    classes[r.class] = (classes[r.class] ?? 0) + 1;
    latencies.push(r.latencyMs);
  });
  monitor.start();
  await new Promise((r) => setTimeout(r, 1000)); // warm-up (JIT, socket buffers)
  counting = true;
  const n0 = monitor.results;
  const t0 = performance.now();
  const cpuA = process.cpuUsage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const n1 = monitor.results;
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpuA);
  counting = false;
  await monitor.stop();
  await prober.close();
  log.close();
  const rate = ((n1 - n0) / (t1 - t0)) * 1000;
  latencies.sort((a, b) => a - b);
  return {
    rate, results: n1 - n0, seconds: (t1 - t0) / 1000, classes, strays: prober.stats.strays, resends: prober.stats.resends,
    p50: pct(latencies, 50), p99: pct(latencies, 99), cpuPct: ((cpu.user + cpu.system) / 1000 / (t1 - t0)) * 100,
    logLines: readFileSync(logPath, 'utf8').split('\n').length - 1,
  };
}

async function detection(info, targets) {
  const logPath = join(dir, 'detection.probes.ndjson');
  const log = NdjsonLog.open(logPath);
  const prober = new Prober({ timeoutMs: 500, retries: 1 });
  const monitor = new Monitor({ targets, intervalMs, jitterMs: intervalMs / 10, concurrency, prober, log });
  const pairs = targets.map((t) => ({ vpcId: t.vpcId, name: t.name }));
  const victim = info.vpcs[Math.floor(info.vpcs.length / 2)].id;
  monitor.start();
  const start = Date.now();
  const healthy = await awaitGate(monitor, { pass: { pairs, consecutiveOk: 2, sinceMs: start }, deadlineMs: start + 60_000 });
  if (healthy.verdict !== 'pass') throw new Error(`estate never healthy: ${healthy.reason}`);
  // Break at a random point inside an interval, as a real step would.
  await new Promise((r) => setTimeout(r, Math.random() * intervalMs));
  const breakMs = Date.now();
  const res = await fetch(`${info.endpointUrl}/_twin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'dns', vpcId: victim, servfail: true }) });
  if (!res.ok) throw new Error(`fault route: HTTP ${res.status} ${await res.text()}`);
  const verdict = await awaitGate(monitor, { halt: { pairs, consecutiveNonOk: 1, sinceMs: breakMs }, deadlineMs: breakMs + 20 * intervalMs });
  await monitor.stop();
  await prober.close();
  log.close();
  const lines = readFileSync(logPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
  const firstNonOk = lines.find((l) => l.class !== 'ok' && l.epochMs >= breakMs);
  return { victim, verdict, breakMs, firstNonOkMs: firstNonOk ? firstNonOk.epochMs - breakMs : NaN, verdictMs: verdict.atMs - breakMs };
}

const twin = await startTwin();
try {
  const targets = buildTargets(twin.info.vpcs, twin.info.names);
  console.log(`sandbox: ${twin.info.vpcs.length} VPCs × ${twin.info.names.length} names = ${targets.length} pairs; twin ${o.twin}; node ${process.version}`);
  const t = await throughput(targets);
  console.log(`throughput: ${Math.round(t.rate)} probes/s sustained over ${t.seconds.toFixed(1)} s (${t.results} results, concurrency ${concurrency})`);
  console.log(`  classes ${JSON.stringify(t.classes)}, strays ${t.strays}, resends ${t.resends}, latency p50 ${t.p50.toFixed(2)} ms p99 ${t.p99.toFixed(2)} ms, prober process CPU ${t.cpuPct.toFixed(0)}%`);
  console.log(`  NDJSON lines written: ${t.logLines}; target ≥ 5000 probes/s: ${t.rate >= 5000 ? 'met' : 'NOT met'}`);
  const d = await detection(twin.info, targets);
  console.log(`break-to-detection (interval ${intervalMs} ms, SERVFAIL injected for ${d.victim}): first non-ok result +${d.firstNonOkMs} ms, halt verdict +${d.verdictMs} ms (${(d.verdictMs / intervalMs).toFixed(2)} intervals)`);
  console.log(`  ${d.verdict.verdict}: ${d.verdict.reason.slice(0, 300)}${d.verdict.reason.length > 300 ? '…' : ''}`);
} finally {
  await twin.close();
  rmSync(dir, { recursive: true, force: true });
}
