// npm run bench:discovery — API calls and wall time of observe() for plans of 10, 100 and 300
// VPCs × 10 endpoints, against the twin with AWS's documented rate limits (and r53migrate's own
// budget under them), and the time of the dry run computed from that observation (every batch
// checked by the resolution model for every VPC × name). Figures, not assertions.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsAccess } from '../dist/aws/access.js';
import { observe } from '../dist/aws/observe.js';
import { loadPlan } from '../dist/plan/load.js';
import { planRun } from '../dist/steps/plan-run.js';
import { startSandbox } from '../dist/twin/sandbox.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const rows = [];
for (const scenario of ['direct', 'via-profile']) {
  for (const vpcs of [10, 100, 300]) {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-bench-'));
    const sb = await startSandbox({ scenario, vpcs, endpoints: 10, accounts: 3, seed: 'bench', region: 'us-east-1', delayScale: 0.01, dir, host: '127.0.0.1', port: 0 });
    process.env.AWS_CONFIG_FILE = sb.info.awsConfigFile;
    process.env.AWS_SHARED_CREDENTIALS_FILE = sb.info.awsCredentialsFile;
    process.env.AWS_ENDPOINT_URL = sb.info.endpointUrl;
    const { plan } = await loadPlan(sb.info.planFile);
    const access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    const before = sb.server.twin.log.length;
    const t0 = performance.now();
    const world = await observe(plan, access);
    const ms = performance.now() - t0;
    const t1 = performance.now();
    const run = planRun(world, plan);
    const planMs = performance.now() - t1;
    const calls = sb.server.twin.log.slice(before);
    const byService = {};
    for (const c of calls) byService[c.service] = (byService[c.service] ?? 0) + 1;
    rows.push({ scenario, vpcs, endpoints: 10, accounts: 3, apiCalls: calls.length, throttled: calls.filter((c) => c.outcome === 'throttled').length, ...byService, wallMs: Math.round(ms), dryRunMs: Math.round(planMs), batches: run.ok ? run.steps.reduce((n, s) => n + s.batches.length, 0) : 'refused' });
    access.destroy();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
console.table(rows);
