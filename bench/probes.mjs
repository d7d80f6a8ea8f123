#!/usr/bin/env node
// Probe benchmark (npm run bench:probes; it builds first). Not a test: it prints figures.
//   1. Sustained probes/second: the monitor at interval 0 over every (VPC, name) pair of a
//      300-VPC × 10-name direct sandbox on loopback, logging every result to the probe log.
//   2. Break-to-detection: the monitor at a normal interval, a DNS fault (SERVFAIL) injected for one
//      VPC through the twin's fault route, the time from the break to the first non-ok result and
//      to the halt gate's verdict, from the probe log's timestamps.
//   0. Probe log size per hour: 300 VPCs × 10 names probed once a second for an hour, all ok but
//      for a few bursts of failures and one change of answers, simulated on a fake clock through
//      the compact log (format 2, as a run writes it) to a file; the same results' size as format 1
//      (a line per result) counted alongside; then the file read back. Takes seconds, no twin.
// Options: --seconds 10 --concurrency 256 --vpcs 300 --endpoints 8 --interval-ms 1000
//          --twin child|in-process (child: the sandbox runs in its own node process, as in real use,
//          so the figure is the prober's; in-process: one process does both sides).
//          --log-size-only (just 0), --log-vpcs 300 --log-names 10 --log-hours 1
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awaitGate, buildTargets, countByClass, EvidenceLog, Monitor, Prober, readEvidence, toLogLine } from '../dist/probes/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: o } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '256' },
    vpcs: { type: 'string', default: '300' },
    endpoints: { type: 'string', default: '8' },
    'interval-ms': { type: 'string', default: '1000' },
    twin: { type: 'string', default: 'child' },
    'log-size-only': { type: 'boolean', default: false },
    'log-vpcs': { type: 'string', default: '300' },
    'log-names': { type: 'string', default: '10' },
    'log-hours': { type: 'string', default: '1' },
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
  const log = EvidenceLog.open(logPath);
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
    logResults: countByClass(readEvidence(logPath)).total,
  };
}

async function detection(info, targets) {
  const logPath = join(dir, 'detection.probes.ndjson');
  const log = EvidenceLog.open(logPath);
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
  const after = [...readEvidence(logPath)].filter((r) => r.class !== 'ok' && r.fromMs >= breakMs);
  const firstNonOkMs = after.length ? Math.min(...after.map((r) => r.fromMs)) - breakMs : NaN;
  return { victim, verdict, breakMs, firstNonOkMs, verdictMs: verdict.atMs - breakMs };
}

/** A seeded generator: the same simulated hour every time. */
function seeded(seed) {
  return () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

function logSize() {
  const vpcCount = Number(o['log-vpcs']);
  const nameCount = Number(o['log-names']);
  const seconds = Math.round(Number(o['log-hours']) * 3600);
  const rand = seeded(7);
  const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
  const vpcs = Array.from({ length: vpcCount }, () => `vpc-${hex(17)}`);
  const services = ['lambda', 'sqs', 'sns', 'ssm', 'ec2', 'kms', 'secretsmanager', 'logs', 'sts', 'ecr.api', 'ecr.dkr', 'monitoring', 'events', 'elasticloadbalancing', 'states'];
  const names = Array.from({ length: nameCount }, (_, i) => {
    const name = i === 0 ? '*.s3.us-east-1.amazonaws.com' : `${services[(i - 1) % services.length]}${i > services.length ? i : ''}.us-east-1.amazonaws.com`;
    return { name, probeName: name.startsWith('*.') ? `r53migrate-probe.${name.slice(2)}` : name, ips: [`10.0.${i}.${10 + i}`, `10.1.${i}.${10 + i}`] };
  });
  // Failures as a real hour might have them: one VPC's zone lost for 30 s, five VPCs' resolvers
  // silent for 5 s, one VPC answered publicly for 2 minutes, a few lost datagrams; and at 50 min an
  // endpoint gains a subnet, so its name's answers change everywhere.
  const bursts = [
    { vpcs: [17], fromS: 600, toS: 630, cls: 'nxdomain' },
    { vpcs: [40, 41, 42, 43, 44], fromS: 1500, toS: 1505, cls: 'timeout' },
    { vpcs: [123], fromS: 2400, toS: 2520, cls: 'public' },
  ];
  const changedName = 1;
  const changeS = 3000;
  const T0 = Date.UTC(2026, 0, 1, 9, 0, 0) + 0.123456; // monotonicNow()'s epochs are fractional
  const path = join(dir, 'log-size.probes.ndjson');
  const started = performance.now();
  const log = EvidenceLog.open(path);
  // Format 1's size, exactly, without serialising 10.8 million lines (that alone takes longer than
  // the rest): a pair's ok lines differ only in their numbers (the ISO time is always 24
  // characters), so one is its pair's fixed part plus its numbers' digits, JSON writing a number as
  // String(n) does. One ok line in 997 is serialised too, to check the sum.
  const fixedParts = new Map();
  const okLineBytes = (line, key) => {
    const digits = String(line.epochMs).length + String(line.startedMs).length + String(line.latencyMs).length;
    let fixed = fixedParts.get(key);
    if (fixed === undefined) fixedParts.set(key, (fixed = Buffer.byteLength(JSON.stringify(line)) + 1 - digits));
    return fixed + digits;
  };
  let checked = 0;
  let miscounted = 0;
  let oldBytes = 0;
  let results = 0;
  let nonOk = 0;
  const pairs = vpcCount * nameCount;
  for (let s = 0; s < seconds; s++) {
    for (let v = 0; v < vpcCount; v++) {
      const burst = bursts.find((b) => b.vpcs.includes(v) && s >= b.fromS && s < b.toS);
      for (let n = 0; n < nameCount; n++) {
        const nm = names[n];
        const lost = rand() < 1e-5;
        const cls = burst ? burst.cls : lost ? 'timeout' : 'ok';
        const latencyMs = Math.round((0.2 + rand() * 2.5) * 1000) / 1000;
        // A round probes the pairs one after another over a fraction of the interval.
        const atMs = T0 + s * 1000 + ((v * nameCount + n) / pairs) * 400 + latencyMs;
        const ips = n === changedName && s >= changeS ? [...nm.ips, `10.2.${n}.${10 + n}`] : nm.ips;
        const result = {
          vpcId: vpcs[v], name: nm.name, probeName: nm.probeName, class: cls,
          answers: cls === 'ok' ? ips : cls === 'public' ? ['52.216.1.2'] : [],
          ...(cls === 'timeout' ? {} : { rcode: cls === 'nxdomain' ? 'NXDOMAIN' : 'NOERROR' }),
          ...(cls === 'ok' ? {} : { reason: cls === 'timeout' ? 'no reply after 2 attempt(s) over UDP' : cls === 'public' ? `answered 52.216.1.2, not the endpoint's ${ips.join(', ')}` : 'NXDOMAIN' }),
          latencyMs, startedMs: atMs - latencyMs, atMs,
        };
        const line = toLogLine(result);
        if (cls !== 'ok') oldBytes += Buffer.byteLength(JSON.stringify(line)) + 1;
        else {
          const bytes = okLineBytes(line, `${v}|${n}|${ips.length}`);
          oldBytes += bytes;
          if (results % 997 === 0) {
            checked++;
            if (bytes !== Buffer.byteLength(JSON.stringify(line)) + 1) miscounted++;
          }
        }
        log.append(line);
        results++;
        if (cls !== 'ok') nonOk++;
      }
    }
  }
  log.close();
  const writeS = (performance.now() - started) / 1000;
  const newBytes = statSync(path).size;
  const readStarted = performance.now();
  const read = countByClass(readEvidence(path));
  const readS = (performance.now() - readStarted) / 1000;
  const lines = readFileSync(path, 'utf8').split('\n').length - 1;
  rmSync(path);
  const perHour = (bytes) => bytes / (seconds / 3600);
  return { vpcCount, nameCount, seconds, results, nonOk, oldBytes, newBytes, lines, perHour, read, writeS, readS, runsWritten: log.runsWritten, checked, miscounted };
}

const mb = (bytes) => `${(bytes / 1e6).toFixed(1)} MB`;
const sz = logSize();
console.log(`probe log, simulated: ${sz.vpcCount} VPCs × ${sz.nameCount} names × 1 probe/s for ${(sz.seconds / 3600).toFixed(2)} h = ${sz.results} results (${sz.nonOk} not ok, in bursts)`);
console.log(`  format 1 (a line per result): ${sz.oldBytes} bytes, ${mb(sz.perHour(sz.oldBytes))} per hour, ${sz.results} lines (${sz.checked} lines' sizes checked against JSON.stringify: ${sz.miscounted} differ)`);
console.log(`  format 2 (ok results as runs of at most 60 s, non-ok in full): ${sz.newBytes} bytes, ${mb(sz.perHour(sz.newBytes))} per hour, ${sz.lines} lines (${sz.runsWritten} runs); goal < 50 MB per hour: ${sz.perHour(sz.newBytes) < 50e6 ? 'met' : 'NOT met'}`);
console.log(`  simulated and written in ${sz.writeS.toFixed(1)} s; read back in ${sz.readS.toFixed(1)} s: ${JSON.stringify(sz.read)}`);
if (o['log-size-only']) {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

const twin = await startTwin();
try {
  const targets = buildTargets(twin.info.vpcs, twin.info.names);
  console.log(`sandbox: ${twin.info.vpcs.length} VPCs × ${twin.info.names.length} names = ${targets.length} pairs; twin ${o.twin}; node ${process.version}`);
  const t = await throughput(targets);
  console.log(`throughput: ${Math.round(t.rate)} probes/s sustained over ${t.seconds.toFixed(1)} s (${t.results} results, concurrency ${concurrency})`);
  console.log(`  classes ${JSON.stringify(t.classes)}, strays ${t.strays}, resends ${t.resends}, latency p50 ${t.p50.toFixed(2)} ms p99 ${t.p99.toFixed(2)} ms, prober process CPU ${t.cpuPct.toFixed(0)}%`);
  console.log(`  probe log lines written: ${t.logLines} for ${t.logResults} results; target ≥ 5000 probes/s: ${t.rate >= 5000 ? 'met' : 'NOT met'}`);
  const d = await detection(twin.info, targets);
  console.log(`break-to-detection (interval ${intervalMs} ms, SERVFAIL injected for ${d.victim}): first non-ok result +${d.firstNonOkMs} ms, halt verdict +${d.verdictMs} ms (${(d.verdictMs / intervalMs).toFixed(2)} intervals)`);
  console.log(`  ${d.verdict.verdict}: ${d.verdict.reason.slice(0, 300)}${d.verdict.reason.length > 300 ? '…' : ''}`);
} finally {
  await twin.close();
  rmSync(dir, { recursive: true, force: true });
}
