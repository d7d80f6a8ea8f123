// npm run bench:estimate — how close `plan`'s estimate of a whole run comes to the run itself, on
// the twin at AWS-like delays (delay scale 1, no time compression) with AWS's documented rate
// limits. The issue's bar: the estimate within ±25 % of the actual, for both paths at 3 and 20
// VPCs. Figures, not assertions.
//
// For each path (the sandbox's scenario: direct, via-profile) and each size (VPCs, parking VPC
// added), one estate after another so that no run competes with another for the CPU:
//  1. a sandbox in a temp dir on loopback, 3 endpoints and 3 accounts, delay scale 1, AWS rates;
//  2. `r53migrate plan <plan> --json` as a child process with the sandbox's environment and
//     R53M_DELAY_SCALE=1: the estimate is its `estimate.totalMs` (discovery and preflight, then
//     every step) and `estimate.steps[].ms`;
//  3. `r53migrate apply <plan> --yes --state <tmp>/run.state.json`, same environment: the actual is
//     its wall time from spawn to exit (node's start-up included; the estimate counts ~1 s for it);
//  4. per step, the actual is from the step's first progress event in the run's log
//     (<state>.log, NDJSON: {time, event: {type: 'step', step}}) to the state file's timings
//     endedAt. The log's event comes before the step's first observation, which the estimate
//     counts in the step and timings.startedAt (taken after it) leaves out; without a log,
//     startedAt. "start" (spawn → step 1's start) is set against estimate.startMs.
// ratio = actual ÷ estimate; within ±25 % means 0.75 ≤ ratio ≤ 1.25.
//
// Usage: node bench/estimate.mjs [--sizes 3,20] [--paths direct,via-profile] [--keep]
//        (env: BENCH_SIZES, BENCH_PATHS; --keep leaves each estate's temp dir, state and log behind)
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../dist/twin/sandbox.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENDPOINTS = 3;
const ACCOUNTS = 3;
const SEED = 'bench';
const REGION = 'us-east-1';
const DELAY_SCALE = 1;

const argv = process.argv.slice(2);
const opt = (name, env, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : (process.env[env] ?? dflt);
};
const sizes = String(opt('sizes', 'BENCH_SIZES', '3,20')).split(',').map(Number).filter((n) => n > 0);
const paths = String(opt('paths', 'BENCH_PATHS', 'direct,via-profile')).split(',');
const keep = argv.includes('--keep');

function runChild(args, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['bin/r53migrate.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err, startedAt, wallMs: performance.now() - t0 }));
  });
}

/** The environment a sandbox's CLI runs with (as test/support/estate.ts sets it). */
const sandboxEnv = (info) => ({
  ...process.env,
  AWS_CONFIG_FILE: info.awsConfigFile,
  AWS_SHARED_CREDENTIALS_FILE: info.awsCredentialsFile,
  AWS_ENDPOINT_URL: info.endpointUrl,
  AWS_REGION: info.region,
  R53M_DELAY_SCALE: String(DELAY_SCALE),
  AWS_PROFILE: '',
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
});

/** When each step began, by the run's log: its first {type: 'step'} progress event (ms). */
function stepStarts(logPath) {
  const out = new Map();
  let text = '';
  try {
    text = readFileSync(logPath, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    if (!line.includes('"type":"step"')) continue;
    const { time, event } = JSON.parse(line);
    if (event?.type === 'step' && !out.has(event.step)) out.set(event.step, time);
  }
  return out;
}

async function estate(scenario, vpcs) {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-estimate-'));
  const sb = await startSandbox({ scenario, vpcs, endpoints: ENDPOINTS, accounts: ACCOUNTS, seed: SEED, region: REGION, delayScale: DELAY_SCALE, dir: join(dir, 'sandbox'), host: '127.0.0.1', port: 0, parking: true });
  const row = { scenario, vpcs, dir, ok: false };
  try {
    const env = sandboxEnv(sb.info);
    const plan = await runChild(['plan', sb.info.planFile, '--json'], env);
    if (plan.code !== 0) return { ...row, why: `plan exited ${plan.code}`, output: plan.out + plan.err };
    const { estimate } = JSON.parse(plan.out);
    if (!estimate) return { ...row, why: 'plan --json has no estimate', output: plan.out };
    const statePath = join(dir, 'run.state.json');
    const apply = await runChild(['apply', sb.info.planFile, '--yes', '--state', statePath], env);
    const state = (() => {
      try {
        return JSON.parse(readFileSync(statePath, 'utf8'));
      } catch {
        return { timings: [] };
      }
    })();
    const timings = (state.timings ?? []).filter((t) => t.direction === 'forward');
    const began = stepStarts(join(dir, 'run.log'));
    const startOf = (t) => began.get(t.step) ?? Date.parse(t.startedAt);
    const steps = [
      { step: 'start', estimateMs: estimate.startMs, actualMs: timings.length ? startOf(timings[0]) - apply.startedAt : NaN },
      ...estimate.steps.map((e) => {
        const t = timings.find((x) => x.step === e.step);
        return { step: e.step, estimateMs: e.ms, recordedMs: t?.estimateMs, actualMs: t?.endedAt ? Date.parse(t.endedAt) - startOf(t) : NaN, madeOf: e.madeOf };
      }),
    ];
    const summary = apply.out.trim().split('\n').find((l) => l.startsWith('Steps, estimate against actual'));
    const ok = apply.code === 0;
    return { ...row, ok, why: ok ? undefined : `apply exited ${apply.code}`, output: ok ? undefined : apply.out + apply.err, estimateMs: estimate.totalMs, actualMs: apply.wallMs, steps, summary };
  } finally {
    await sb.close();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

const s = (ms) => (Number.isFinite(ms) ? (ms / 1000).toFixed(1) : '—');
const ratio = (a, e) => (Number.isFinite(a) && e > 0 ? a / e : NaN);
const within = (r) => (Number.isFinite(r) ? (r >= 0.75 && r <= 1.25 ? 'yes' : 'no') : '—');
const pad = (cells, widths) => cells.map((c, i) => String(c).padStart(widths[i])).join('  ');

console.log(`bench:estimate — ${paths.join(', ')} × ${sizes.join(', ')} VPCs (+ parking), ${ENDPOINTS} endpoints, ${ACCOUNTS} accounts, delay scale ${DELAY_SCALE}, AWS rate limits`);
const rows = [];
for (const scenario of paths) {
  for (const vpcs of sizes) {
    process.stderr.write(`… ${scenario} ${vpcs} VPCs\n`);
    const r = await estate(scenario, vpcs);
    if (!r.ok) process.stderr.write(`${scenario} ${vpcs} VPCs failed: ${r.why}\n${(r.output ?? '').slice(-4000)}\n`);
    rows.push(r);
  }
}

const W = [12, 5, 13, 11, 6, 13];
console.log('\n' + pad(['path', 'VPCs', 'estimate (s)', 'actual (s)', 'ratio', 'within ±25%'], W));
for (const r of rows) {
  const q = ratio(r.actualMs, r.estimateMs);
  console.log(pad([r.scenario, r.vpcs, s(r.estimateMs), r.ok ? s(r.actualMs) : `FAILED`, Number.isFinite(q) && r.ok ? q.toFixed(2) : '—', r.ok ? within(q) : '—'], W));
}

for (const r of rows) {
  if (!r.steps) continue;
  console.log(`\n${r.scenario} ${r.vpcs} VPCs, per step (s): estimate → actual (ratio)${r.ok ? '' : ' [apply failed]'}`);
  for (const st of r.steps) {
    const q = ratio(st.actualMs, st.estimateMs);
    const recorded = st.recordedMs !== undefined && Math.abs(st.recordedMs - st.estimateMs) > 500 ? ` [run's own estimate ${s(st.recordedMs)}]` : '';
    console.log(`  ${String(st.step).padEnd(5)} ${s(st.estimateMs).padStart(6)} → ${s(st.actualMs).padStart(6)}  (${Number.isFinite(q) ? q.toFixed(2) : '—'}${Number.isFinite(q) && within(q) === 'no' ? ', off by > 25%' : ''})${recorded}${st.madeOf ? `  ${st.madeOf}` : ''}`);
  }
  if (r.summary) console.log(`  apply: ${r.summary}`);
  if (keep) console.log(`  kept: ${r.dir}`);
}

console.log('');
for (const r of rows) {
  const q = ratio(r.actualMs, r.estimateMs);
  console.log(`estimate ${r.scenario} ${r.vpcs} VPCs: estimate ${s(r.estimateMs)} s, actual ${r.ok ? `${s(r.actualMs)} s` : `failed (${r.why})`}, ratio ${r.ok && Number.isFinite(q) ? q.toFixed(2) : '—'}`);
}
