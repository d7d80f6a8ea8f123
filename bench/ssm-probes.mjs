#!/usr/bin/env node
// npm run bench:ssm-probes — DNS probes through SSM Run Command at scale, on the twin (which runs
// the real probe program, probe/r53m-probe.sh, as a local process per instance, at most 16 at
// once: on a 2-core box that, not the API, is most of a round's time). Figures, not assertions:
//   1. Rounds over every VPC (one probe instance each, found by discovery as `apply` does):
//      API calls per round by operation, seconds per round.
//   2. Break-to-halt: SERVFAIL injected for one VPC's resolver, the time and rounds until the halt
//      gate names it (failStreak answers in a row).
// Options: --vpcs 300 --endpoints 2 --accounts 3 --rounds 3 --queries 3
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AwsAccess } from '../dist/aws/access.js';
import { observe } from '../dist/aws/observe.js';
import { findProbeInstances } from '../dist/aws/probe-instances.js';
import { SsmRunCommand } from '../dist/aws/ssm-run-command.js';
import { loadPlan } from '../dist/plan/load.js';
import { awaitGate, probeNameFor } from '../dist/probes/index.js';
import { SsmMonitor } from '../dist/probes/ssm-monitor.js';
import { startSandbox } from '../dist/twin/sandbox.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const { values: o } = parseArgs({
  options: {
    vpcs: { type: 'string', default: '300' },
    endpoints: { type: 'string', default: '2' },
    accounts: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    queries: { type: 'string', default: '3' },
  },
});
const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-ssm-'));
const sb = await startSandbox({ scenario: 'direct', vpcs: Number(o.vpcs), endpoints: Number(o.endpoints), accounts: Number(o.accounts), seed: 'bench', region: 'us-east-1', delayScale: 0.05, dir, host: '127.0.0.1', port: 0, probes: 'ssm' });
process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
const twinLog = sb.server.twin.log;
const byOperation = (from) => {
  const out = {};
  for (const c of twinLog.slice(from)) if (c.service === 'ssm' || c.operation === 'DescribeInstances') out[c.operation] = (out[c.operation] ?? 0) + 1;
  return out;
};

try {
  const { plan } = await loadPlan(sb.info.planFile);
  const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
  const world = await observe(plan, access);
  let mark = twinLog.length;
  const t0 = performance.now();
  const found = await findProbeInstances(plan, access);
  console.log(`discovery of ${found.instances.length} probe instances (${found.problems.length} VPCs without one): ${Math.round(performance.now() - t0)} ms, calls ${JSON.stringify(byOperation(mark))}`);

  const names = plan.endpoints.flatMap((e) => world.endpoints[e.id]?.privateDnsNames.map((name) => ({ name, ips: world.endpoints[e.id].eniIps })) ?? []);
  const targets = found.instances.flatMap((i) => names.map((n) => ({ vpcId: i.vpcId, name: n.name, probeName: probeNameFor(n.name), expected: n.ips })));
  const stats = [];
  const monitor = new SsmMonitor({
    channel: new SsmRunCommand(access, plan.region, plan.accounts),
    instances: found.instances,
    targets,
    resolver: '169.254.169.253',
    queriesPerRound: Number(o.queries),
    intervalMs: plan.probes.intervalMs,
    queryTimeoutMs: plan.probes.timeoutMs,
    roundTimeoutMs: 300_000,
    deliveryTimeoutSeconds: 30,
    onRound: (s) => stats.push({ ...s, calls: { ...s.calls } }),
  });
  console.log(`${found.instances.length} VPCs × ${names.length} names = ${targets.length} pairs; ${o.queries} queries per name per round; node ${process.version}`);
  mark = twinLog.length;
  for (let i = 0; i < Number(o.rounds); i++) await monitor.round(new AbortController().signal);
  for (const s of stats) console.log(`round ${s.round}: ${(s.elapsedMs / 1000).toFixed(1)} s, API calls ${JSON.stringify(s.calls)}, probe errors ${s.probeErrors}`);
  const classes = {};
  for (const h of monitor.book.all()) classes[h.lastClass] = (classes[h.lastClass] ?? 0) + 1;
  console.log(`  pairs by last class: ${JSON.stringify(classes)}; all SSM calls in these rounds: ${JSON.stringify(byOperation(mark))}`);

  // Break-to-halt, with the monitor running as in a run.
  const victim = found.instances[Math.floor(found.instances.length / 2)].vpcId;
  const pairs = targets.map((t) => ({ vpcId: t.vpcId, name: t.name }));
  stats.length = 0;
  monitor.start();
  await new Promise((r) => setTimeout(r, Math.random() * 2000));
  const breakMs = Date.now();
  const roundsBefore = monitor.rounds;
  sb.server.twin.faults.add({ kind: 'dns', vpcId: victim, servfail: true });
  const verdict = await awaitGate(monitor, { halt: { pairs, consecutiveNonOk: plan.probes.failStreak, sinceMs: breakMs }, deadlineMs: breakMs + 20 * 60_000 });
  const haltMs = Date.now() - breakMs;
  const rounds = monitor.rounds - roundsBefore + 1; // the round under way at the halt counts
  await monitor.stop();
  console.log(`break-to-halt (SERVFAIL for ${victim}, failStreak ${plan.probes.failStreak}): ${verdict.verdict} after ${(haltMs / 1000).toFixed(1)} s, in round ${rounds} after the break`);
  console.log(`  ${verdict.reason.slice(0, 240)}${verdict.reason.length > 240 ? '…' : ''}`);
  access.destroy();
} finally {
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
}
