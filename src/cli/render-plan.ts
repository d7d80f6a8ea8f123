// Renders a RunPlan (it computes nothing): text for people, JSON for machines, and the hash that
// `apply --plan-hash` checks so what runs is what was reviewed.
import { createHash } from 'node:crypto';
import type { LoadedPlan } from '../plan/load.js';
import { planVpcs, type Plan } from '../plan/schema.js';
import type { PlannedAction, RunPlan } from '../steps/plan-run.js';
import { describeWaves, spokeWaves, waveOf } from '../steps/waves.js';
import type { VpcProbe } from '../steps/probe-setup.js';
import type { Expectation } from '../steps/types.js';
import { delayScale, describeEstimate, estimateRun, formatDuration } from '../steps/timing.js';

type OkPlan = Extract<RunPlan, { ok: true }>;

/** Hash of the plan file and of every call the run would make: changes if either changes. */
export function runPlanHash(loaded: LoadedPlan, run: OkPlan, direction: 'forward' | 'rollback' = 'forward'): string {
  const calls = run.steps.map((s) => s.batches.map((b) => b.map((a) => [a.action.account, a.call ?? a.action.kind])));
  // A rollback's hash can't pass for a forward run's, nor the other way round.
  return createHash('sha256').update(loaded.hash).update(direction === 'rollback' ? 'rollback' : '').update(JSON.stringify(calls)).digest('hex').slice(0, 16);
}

const VIA: Record<Expectation['via'], string> = {
  'zone-direct': 'its own zone association',
  'zone-via-profile': 'the zone through the Profile',
  'endpoint-own-vpc': "the endpoint's Private DNS in its own VPC",
  'endpoint-via-profile': 'the endpoint through the Profile',
  none: 'NOTHING (would not resolve)',
};

export function resolutionSummary(plan: Plan, after: Expectation[]): string[] {
  const roles = new Map(planVpcs(plan).map((v) => [v.id, v.role]));
  const byVpc = new Map<string, Set<string>>();
  const gaps = new Set<string>();
  for (const e of after) {
    byVpc.set(e.vpcId, (byVpc.get(e.vpcId) ?? new Set()).add(e.via));
    if (e.during === 'may-gap') gaps.add(e.vpcId);
  }
  // Group VPCs that resolve the same way, so 300 spokes are one line.
  const groups = new Map<string, string[]>();
  for (const [vpc, vias] of byVpc) {
    const key = `${roles.get(vpc)}|${[...vias].sort().join(',')}|${gaps.has(vpc)}`;
    groups.set(key, [...(groups.get(key) ?? []), vpc]);
  }
  return [...groups].map(([key, vpcs]) => {
    const [role, vias, gap] = key.split('|');
    const who = vpcs.length === 1 ? `${role} ${vpcs[0]}` : `${vpcs.length} ${role === 'spoke' ? 'spokes' : role} (${vpcs.slice(0, 3).join(', ')}${vpcs.length > 3 ? ', ...' : ''})`;
    const through = vias!.split(',').map((v) => VIA[v as Expectation['via']]).join(' / ');
    return `${who}: ${through}${gap === 'true' ? ' — may not resolve while its zone is emptied and deleted (seconds)' : ''}`;
  });
}

/** How each VPC's DNS gates are fed: a resolver address, or an instance inside it through SSM. */
function probeLines(probes: VpcProbe[]): string[] {
  if (!probes.length) return [];
  const how = { resolver: 'resolver', ssm: 'SSM on', none: '' } as const;
  return ['', 'DNS probes (what feeds every DNS gate):', ...probes.map((p) => `  ${p.vpcId} (${p.role}): ${p.via === 'none' ? p.detail : `${how[p.via]} ${p.detail}`}`)];
}

export function renderPlanText(loaded: LoadedPlan, run: RunPlan, probes: VpcProbe[] = [], direction: 'forward' | 'rollback' = 'forward'): string {
  const back = direction === 'rollback';
  const lines: string[] = [`r53migrate ${back ? 'rollback --dry-run' : 'plan'} ${loaded.plan.name} (${loaded.file})`];
  if (!run.ok) {
    lines.push('', back ? "The estate can't be rolled back as it is (nothing was changed):" : "The estate can't be migrated as it is (nothing was changed):", ...run.problems.map((p) => `  - ${p}`));
    if (run.warnings.length) lines.push('', 'Warnings:', ...run.warnings.map((w) => `  - ${w}`));
    lines.push(...probeLines(probes));
    return lines.join('\n') + '\n';
  }
  const pathName = run.path === 'A' ? 'A (zones associated directly with every VPC)' : 'B (zones served through the Profile)';
  lines.push(
    back
      ? `Back to path ${pathName}, as the run found the estate; ${run.nothingToDo ? 'the estate is there already: nothing to undo' : `undo step ${run.position} is next, then down to undo step 1`}.`
      : `Detected path ${pathName}; ${run.nothingToDo ? 'the migration is complete: nothing to do' : `${run.steps[0]?.number === 0 ? 'prepare (step 0), then ' : ''}step ${run.position} is next`}.`,
  );
  if (!back && !run.nothingToDo && run.position <= 6) lines.push(`Step 6 waves (plan waves: ${JSON.stringify(loaded.plan.waves)}): ${describeWaves(loaded.plan)}.`);
  if (!back && !run.nothingToDo && run.position <= 7) lines.push(keeperLine(loaded));
  if (run.warnings.length) lines.push('', 'Warnings:', ...run.warnings.map((w) => `  - ${w}`));
  lines.push(...probeLines(probes));
  const estimate = run.nothingToDo ? undefined : estimateRun(loaded.plan, run.steps);
  for (const s of run.steps) {
    lines.push('', back ? `${s.title} [${s.status === 'done' ? 'nothing to undo' : s.status}]` : `Step ${s.number} — ${s.title} [${s.status}]`, `  why: ${s.why}`);
    const e = estimate?.steps.find((x) => x.step === s.number);
    if (e) lines.push(`  estimate: ~${formatDuration(e.totalMs)} (${describeEstimate(e)})`);
    s.batches.forEach((batch, i) => {
      lines.push(`  batch ${i + 1}${s.number === 6 ? ` ${describeWave(loaded.plan, batch)}` : ''}:`);
      for (const a of batch) {
        const call = a.call ? `${a.call.service}:${a.call.operation} ${JSON.stringify(a.call.params)}` : 'local';
        lines.push(`    [${a.action.account}] ${a.description}`, `        ${call}`);
      }
    });
    if (s.after.length) lines.push('  then every VPC resolves through:', ...resolutionSummary(loaded.plan, s.after).map((l) => `    ${l}`));
  }
  if (!run.nothingToDo) {
    const hash = runPlanHash(loaded, run, direction);
    lines.push(
      '',
      `${run.mutatingCalls} API calls that change something, in ${run.steps.reduce((n, s) => n + s.batches.length, 0)} batches. ${back ? 'Rollback hash' : 'Plan hash'}: ${hash}`,
      `Estimated duration: ~${formatDuration(estimate!.totalMs)} (${formatDuration(estimate!.startMs)} of discovery and preflight, then ${estimate!.steps.map((e) => `step ${e.step} ~${formatDuration(e.totalMs)}`).join(', ')}), at the propagation delays r53migrate expects${delayScale() !== 1 ? ` × ${delayScale()} (R53M_DELAY_SCALE)` : ''} and ${Math.round(loaded.plan.budgets.rateShare * 100)} % of AWS's documented request rates (budgets.rateShare); AWS on a slow day takes longer.`,
      back ? `Roll back exactly this with: r53migrate rollback ${loaded.file} --plan-hash ${hash}` : `Apply exactly this with: r53migrate apply ${loaded.file} --plan-hash ${hash}`,
    );
    if (back && run.steps.some((st) => st.batches.some((b) => b.some((a) => a.action.kind === 'recreate-zone')))) {
      lines.push('Re-created zones get new ids (printed when made, and recorded in the state file; later runs of this plan use them).');
    }
  }
  return lines.join('\n') + '\n';
}

/** "(wave 2 of 4: vpc-a, vpc-b — probed before the next)": which spokes a step-6 batch moves. */
function describeWave(plan: Plan, batch: PlannedAction[]): string {
  const vpcs = [...new Set(batch.flatMap((a) => ('vpcId' in a.action ? [a.action.vpcId] : [])))];
  const n = vpcs.length ? waveOf(plan, vpcs[0]!) : undefined;
  const waves = spokeWaves(plan).length;
  return `(${n ? `wave ${n} of ${waves}` : 'wave'}, ${vpcs.length} VPC${vpcs.length === 1 ? '' : 's'}: ${vpcs.join(', ')} — probed before the next wave)`;
}

/** Which VPC is without its answer during step 7, or that none is. */
function keeperLine(loaded: LoadedPlan): string {
  const { plan } = loaded;
  if (plan.parkingVpc) return `Step 7 leaves no VPC without its answer: the parking VPC ${plan.parkingVpc.id} holds the zones while they are emptied and deleted.`;
  const keeper = plan.spokes[plan.spokes.length - 1]!.id;
  return (
    `Step 7 keeper window: ${keeper} (the last spoke) holds the zones to the end and has no answer for their names between emptying and deleting each zone ` +
    `(one Route 53 change reaching INSYNC: seconds; \`r53migrate sandbox run\` shows it). Name a parkingVpc in the plan to avoid it.`
  );
}

export function renderPlanJson(loaded: LoadedPlan, run: RunPlan, probes: VpcProbe[] = [], direction: 'forward' | 'rollback' = 'forward'): string {
  const out = run.ok
    ? { plan: { name: loaded.plan.name, file: loaded.file, hash: loaded.hash }, direction, planHash: run.nothingToDo ? undefined : runPlanHash(loaded, run, direction), ...run, probes, ...(run.nothingToDo ? {} : { estimate: estimateJson(loaded, run) }) }
    : { plan: { name: loaded.plan.name, file: loaded.file }, ...run, probes };
  return JSON.stringify(out, null, 2) + '\n';
}

/** The estimate in JSON: milliseconds, and the line that says what each step's is made of. */
function estimateJson(loaded: LoadedPlan, run: OkPlan) {
  const e = estimateRun(loaded.plan, run.steps);
  return { totalMs: Math.round(e.totalMs), startMs: Math.round(e.startMs), steps: e.steps.map((s) => ({ step: s.step, ms: Math.round(s.totalMs), batches: s.batches, calls: s.calls, madeOf: describeEstimate(s) })) };
}
