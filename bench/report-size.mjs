// npm run bench:report — the run report at scale: 300 VPCs × 10 names over a one-hour run, written
// through the real modules (the compact probe log as the monitors write it, the report model, the
// HTML), then, when Chromium is there, opened in it. Figures, not assertions: the bar is a
// file "under a few MB" that stays usable.
//
// The synthetic run: every pair probed once a second for an hour (ok runs of 60 s, as EvidenceLog
// folds them: 180,000 lines, 10.8 million results), with 20 pairs that fail for 30 s once (one
// SERVFAIL result a second), 1,300 journaled changes over seven steps, and a log of progress events.
//
// Usage: node bench/report-size.mjs [--vpcs 300] [--names 10] [--hours 1] [--keep]
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EvidenceLog } from '../dist/probes/evidence-log.js';
import { writeRunReport } from '../dist/report/write.js';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const VPCS = arg('vpcs', 300);
const NAMES = arg('names', 10);
const HOURS = arg('hours', 1);
const keep = process.argv.includes('--keep');

const dir = mkdtempSync(join(tmpdir(), 'r53m-report-bench-'));
const statePath = join(dir, 'run.state.json');
const probeLog = join(dir, 'run.probes.ndjson');
const start = Date.UTC(2026, 11, 3, 2, 0, 0);
const seconds = Math.round(HOURS * 3600);
const vpc = (i) => `vpc-${i.toString(16).padStart(17, '0')}`;
const name = (j) => `svc${j}.us-east-1.amazonaws.com`;

// 1. The probe log, through EvidenceLog as a run writes it.
let t0 = performance.now();
const evidence = EvidenceLog.open(probeLog);
const failing = new Map(Array.from({ length: 20 }, (_, k) => [`${vpc(k * 7 % VPCS)} ${name(k % NAMES)}`, 600 + k * 120]));
for (let s = 0; s < seconds; s++) {
  if (s % 10 === 0) await new Promise((r) => setImmediate(r)); // let the log write what it holds
  const epochMs = start + s * 1000;
  for (let i = 0; i < VPCS; i++) {
    for (let j = 0; j < NAMES; j++) {
      const from = failing.get(`${vpc(i)} ${name(j)}`);
      const bad = from !== undefined && s >= from && s < from + 30;
      evidence.append({
        time: new Date(epochMs).toISOString(), epochMs, startedMs: epochMs - 2, vpc: vpc(i), name: name(j),
        class: bad ? 'servfail' : 'ok', answers: bad ? [] : ['10.0.1.10', '10.0.5.10'], latencyMs: 1.5, rcode: bad ? 'SERVFAIL' : 'NOERROR',
        ...(bad ? { reason: 'SERVFAIL' } : {}),
      });
    }
  }
}
evidence.close();
const logMs = performance.now() - t0;

// 2. The state file, its journal and the run's log.
const stepMs = (seconds * 1000) / 7;
const journal = [];
const logLines = [JSON.stringify({ level: 30, time: start, msg: 'progress', event: { type: 'session', command: 'apply plan.yaml', mode: 'apply', direction: 'forward', by: 'ops@host' } })];
let seq = 0;
const timings = [];
for (let step = 1; step <= 7; step++) {
  const stepStart = start + (step - 1) * stepMs;
  timings.push({ step, direction: 'forward', estimateMs: Math.round(stepMs), startedAt: new Date(stepStart).toISOString(), endedAt: new Date(stepStart + stepMs).toISOString() });
  logLines.push(JSON.stringify({ level: 30, time: stepStart, msg: 'progress', event: { type: 'step', step, title: `step ${step}` } }));
  const changes = step === 6 ? VPCS * 3 : step === 1 ? VPCS + 20 : 20;
  for (let c = 0; c < changes; c++) {
    const at = new Date(stepStart + 1000 + c * 50).toISOString();
    const actionId = `${step}:change:${c}`;
    const batch = step === 6 ? 1 + Math.floor(Math.log2(1 + c / 10)) : 1;
    logLines.push(JSON.stringify({ level: 30, time: Date.parse(at), msg: 'progress', event: { type: 'action', step, batch, status: 'start', action: { id: actionId } } }));
    journal.push({ seq: ++seq, at, step, actionId, kind: 'k', account: `spokes-${c % 10}`, operation: 'DisassociateVPCFromHostedZone', target: `Z${c}`, params: {}, phase: 'intent' });
    journal.push({ seq: ++seq, at, step, actionId, kind: 'k', account: `spokes-${c % 10}`, operation: 'DisassociateVPCFromHostedZone', target: `Z${c}`, params: {}, phase: 'applied', requestId: `req-${seq}` });
  }
  logLines.push(JSON.stringify({ level: 30, time: stepStart + stepMs - 1000, msg: 'progress', event: { type: 'dns', step, verdict: 'pass', reason: 'all pairs ok' } }));
}
logLines.push(JSON.stringify({ level: 30, time: start + seconds * 1000, msg: 'progress', event: { type: 'outcome', outcome: 'done', direction: 'forward' } }));
writeFileSync(join(dir, 'run.log'), logLines.join('\n') + '\n');
writeFileSync(join(dir, 'run.journal.ndjson'), journal.map((j) => JSON.stringify(j)).join('\n') + '\n');
writeFileSync(
  statePath,
  JSON.stringify({
    schemaVersion: 3, toolVersion: '0.1.0', plan: { name: 'bench', file: join(dir, 'missing-plan.yaml'), hash: 'h'.repeat(64) }, definitionVersion: 'run-machine/1',
    createdAt: new Date(start).toISOString(), updatedAt: new Date(start + seconds * 1000).toISOString(), status: 'done', timings,
    probeLog, backups: [], stats: {}, journalLog: { file: 'run.journal.ndjson', entries: journal.length },
  }),
);

// 3. The report.
t0 = performance.now();
const { path, bytes, model } = await writeRunReport({ statePath, toolVersion: 'bench' });
const reportMs = performance.now() - t0;

const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;
console.log(`estate: ${VPCS} VPCs × ${NAMES} names, ${HOURS} h run, one probe per pair per second`);
console.log(`probe log (compact form): ${mb(statSync(probeLog).size)}, ${model.timeline.results.toLocaleString('en')} results, written in ${(logMs / 1000).toFixed(1)} s`);
console.log(`journal: ${journal.length} entries (${journal.length / 2} changes)`);
console.log(`report: ${mb(bytes)} (${model.timeline.rows.length} rows, ${model.timeline.rows.reduce((n, r) => n + r.strips.reduce((m, s) => m + s.segments.length, 0), 0)} segments), built in ${(reportMs / 1000).toFixed(1)} s`);

// 4. Opened in Chromium, when there is one: how long the page takes to draw its timeline.
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (chromium) {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = mkdtempSync(join(tmpdir(), 'r53m-chromium-'));
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true, userDataDir: profile, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    t0 = performance.now();
    await page.goto(`file://${path}`, { waitUntil: 'load', timeout: 120_000 });
    const loadMs = performance.now() - t0;
    const rows = await page.evaluate(() => document.querySelectorAll('.tl-row').length);
    t0 = performance.now();
    await page.click('#only-bad');
    const shown = await page.evaluate(() => document.getElementById('row-count').textContent);
    const filterMs = performance.now() - t0;
    console.log(`chromium: loaded and drew ${rows} rows in ${(loadMs / 1000).toFixed(1)} s; "only rows with any non-ok" → ${shown} in ${filterMs.toFixed(0)} ms; page errors: ${errors.length}`);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
  }
} else console.log('chromium: not found, page not timed (apt-get install chromium)');

if (keep) console.log(`kept: ${dir}`);
else rmSync(dir, { recursive: true, force: true });
