// The window controls' decisions at a safe point (machines/window-control.ts) and the timing
// model they rest on (steps/timing.ts), on worlds from the twin's scenarios: deterministic, so
// every branch — a step that fits, one that doesn't, a wave of step 6 that doesn't, through-step,
// approvals — is checked without a clock.
import { describe, expect, it } from 'vitest';
import { simulate, type Action } from '../../src/aws/actions.js';
import type { World } from '../../src/aws/world.js';
import { parseWindowEnd } from '../../src/cli/run.js';
import { UsageError } from '../../src/cli/errors.js';
import { inChains } from '../../src/machines/actors.js';
import { remainingBatches, windowBoundary, windowRefusal, type Approval, type RunControl } from '../../src/machines/window-control.js';
import type { Plan } from '../../src/plan/schema.js';
import { assess } from '../../src/steps/assess.js';
import { walkStep } from '../../src/steps/guard.js';
import { STEPS } from '../../src/steps/index.js';
import { ROLLBACK_STEPS } from '../../src/steps/rollback.js';
import { estimateStep, EXPECTED_DELAYS, timingModel } from '../../src/steps/timing.js';
import { BASE_DELAYS } from '../../src/twin/world.js';
import { observedFromTwin, twinEstate } from '../support/world.js';

const T0 = Date.UTC(2026, 11, 3, 2, 0, 0);

function beforeStep6() {
  const { twin, plan } = twinEstate({ scenario: 'direct', vpcs: 6, endpoints: 1, accounts: 2 });
  (plan as { waves: Plan['waves'] }).waves = 'one-at-a-time';
  let world: World = observedFromTwin(twin, plan);
  const { ctx } = assess(world, plan) as Extract<ReturnType<typeof assess>, { ok: true }>;
  for (const step of STEPS.slice(0, 5)) world = walkStep(world, step, ctx);
  return { plan, world, ctx, step6: STEPS[5]! };
}

function boundary(o: { plan: Plan; ctx: Parameters<typeof walkStep>[2]; control: RunControl; now?: number; approvals?: Approval[] }) {
  const started: { step: number; estimateMs: number }[] = [];
  const recorded: number[] = [];
  const events: string[] = [];
  const decide = windowBoundary({
    plan: o.plan,
    ctx: o.ctx,
    direction: 'forward',
    steps: STEPS,
    control: o.control,
    model: timingModel(o.plan, {}),
    gates: true,
    wallNow: () => o.now ?? T0,
    approvals: () => o.approvals ?? [],
    recordApproval: async (step) => void recorded.push(step),
    stepStarted: async (step, estimateMs) => void started.push({ step, estimateMs }),
    progress: (e) => events.push(e.type),
  });
  return { decide, started, recorded, events };
}

const at = (world: World, actions: Action[], step = STEPS[5]!, firstBatch = true) => ({ step, stepIndex: STEPS.indexOf(step), firstBatch, world, actions, signal: new AbortController().signal });

describe('the window guard', () => {
  it('starts step 6 when its whole estimate ends before the window, and records the estimate it started with', async () => {
    const { plan, world, ctx, step6 } = beforeStep6();
    const batches = remainingBatches(world, step6, ctx);
    expect(batches.length).toBe(4); // four spokes, one at a time (the keeper stays for step 7)
    const estimate = estimateStep(plan, 6, batches, timingModel(plan, {})).totalMs;
    const b = boundary({ plan, ctx, control: { windowEnd: T0 + estimate + 1 } });
    expect(await b.decide(at(world, batches[0]!))).toBeUndefined();
    expect(b.started).toEqual([{ step: 6, estimateMs: estimate }]);
    expect(b.events).toContain('estimate');
  });

  it('stops before step 6 when the window ends inside its estimate, naming the step, its estimate and the time left', async () => {
    const { plan, world, ctx, step6 } = beforeStep6();
    const batches = remainingBatches(world, step6, ctx);
    const estimate = estimateStep(plan, 6, batches, timingModel(plan, {})).totalMs;
    const b = boundary({ plan, ctx, control: { windowEnd: T0 + estimate - 1000 } });
    const stop = await b.decide(at(world, batches[0]!));
    expect(stop?.kind).toBe('window-end');
    expect(stop?.reason).toMatch(/^the window ends at 2026-12-03T02:\d\d:\d\dZ, \d+ s from now; step 6 needs ~\d+ s \(estimate\): stopped before it, with every VPC resolving$/);
    expect(b.started).toEqual([]);
  });

  it('checks again before each wave of step 6: a wave whose rest of the step no longer fits stops between waves (a safe point)', async () => {
    const { plan, world, ctx, step6 } = beforeStep6();
    const batches = remainingBatches(world, step6, ctx);
    const afterWave1 = simulate(world, batches[0]!);
    const rest = estimateStep(plan, 6, batches.slice(1), timingModel(plan, {})).totalMs;
    const fits = boundary({ plan, ctx, control: { windowEnd: T0 + rest + 1 } });
    expect(await fits.decide(at(afterWave1, batches[1]!, step6, false))).toBeUndefined();
    const late = boundary({ plan, ctx, control: { windowEnd: T0 + rest - 1 } });
    const stop = await late.decide(at(afterWave1, batches[1]!, step6, false));
    expect(stop?.kind).toBe('window-end');
    expect(stop?.reason).toMatch(/step 6's wave 2 of 4 and the rest of the step needs/);
    // Other steps are checked at their start only: their batches are not safe points to plan around.
    const step1 = STEPS[0]!;
    expect(await late.decide({ ...at(world, [], step1, false) })).toBeUndefined();
  });

  it("a rollback's undo step 6 moves the spokes back in waves: it is checked before each wave too, and named as the undo step", async () => {
    const { plan, world: before6, ctx: fwd, step6 } = beforeStep6();
    const after6 = walkStep(before6, step6, fwd);
    const { ctx } = assess(after6, plan, { path: 'A', then: 'roll back' }) as Extract<ReturnType<typeof assess>, { ok: true }>;
    const undo6 = ROLLBACK_STEPS.find((s) => s.number === 6)!;
    const batches = remainingBatches(after6, undo6, ctx);
    expect(batches.length).toBeGreaterThan(1);
    const afterWave = simulate(after6, batches[0]!);
    const rest = estimateStep(plan, 6, batches.slice(1), timingModel(plan, {})).totalMs;
    const decide = windowBoundary({
      plan,
      ctx,
      direction: 'rollback',
      steps: ROLLBACK_STEPS,
      control: { windowEnd: T0 + rest - 1 },
      model: timingModel(plan, {}),
      gates: true,
      wallNow: () => T0,
      approvals: () => [],
      recordApproval: async () => undefined,
      stepStarted: async () => undefined,
      progress: () => undefined,
    });
    const stop = await decide({ step: undo6, stepIndex: ROLLBACK_STEPS.indexOf(undo6), firstBatch: false, world: afterWave, actions: batches[1]!, signal: new AbortController().signal });
    expect(stop?.kind).toBe('window-end');
    expect(stop?.reason).toMatch(/undo step 6's wave \d of 4 and the rest of the step needs/);
  });

  it('--through-step N stops at the first batch of a later step, never inside step N', async () => {
    const { plan, world, ctx, step6 } = beforeStep6();
    const batches = remainingBatches(world, step6, ctx);
    expect((await boundary({ plan, ctx, control: { throughStep: 5 } }).decide(at(world, batches[0]!)))?.kind).toBe('through-step');
    expect(await boundary({ plan, ctx, control: { throughStep: 6 } }).decide(at(world, batches[0]!))).toBeUndefined();
    expect(await boundary({ plan, ctx, control: { throughStep: 5 } }).decide(at(world, batches[1]!, step6, false))).toBeUndefined();
  });

  it('--approve-each-step: without a prompt the step waits; an approval recorded lets it start; a yes at the prompt is recorded, a no stops', async () => {
    const { plan, world, ctx, step6 } = beforeStep6();
    const batches = remainingBatches(world, step6, ctx);
    const waiting = boundary({ plan, ctx, control: { approveEachStep: true } });
    const stop = await waiting.decide(at(world, batches[0]!));
    expect(stop).toEqual({ kind: 'approval', reason: 'step 6 waits for an approval (--approve-each-step): r53migrate resume --approve-step 6 lets exactly it start' });
    expect(waiting.events).toContain('approval');
    const approved = boundary({ plan, ctx, control: { approveEachStep: true }, approvals: [{ step: 6, direction: 'forward', by: 'ops@host', at: new Date(T0).toISOString() }] });
    expect(await approved.decide(at(world, batches[0]!))).toBeUndefined();
    // An approval of the rollback's undo step 6 is not one of step 6.
    const otherWay = boundary({ plan, ctx, control: { approveEachStep: true }, approvals: [{ step: 6, direction: 'rollback', by: 'ops@host', at: new Date(T0).toISOString() }] });
    expect((await otherWay.decide(at(world, batches[0]!)))?.kind).toBe('approval');
    const yes = boundary({ plan, ctx, control: { approveEachStep: true, ask: async () => true } });
    expect(await yes.decide(at(world, batches[0]!))).toBeUndefined();
    expect(yes.recorded).toEqual([6]);
    const no = boundary({ plan, ctx, control: { approveEachStep: true, ask: async () => false } });
    expect(await no.decide(at(world, batches[0]!))).toEqual({ kind: 'approval', reason: 'step 6 was not approved at the prompt' });
    expect(no.recorded).toEqual([]);
  });

  it('windowRefusal: a window already over says so', () => {
    expect(windowRefusal('step 3', 10_000, T0 - 5_000, T0)).toMatch(/the window ends at 2026-12-03T01:59:55Z, already; step 3 needs ~10 s/);
    expect(windowRefusal('step 3', 10_000, T0 + 10_000, T0)).toBeUndefined();
  });
});

describe('--window-end', () => {
  const now = new Date(2026, 11, 3, 22, 30, 0).getTime(); // local time
  it('HH:MM is local time today, or tomorrow once past', () => {
    expect(parseWindowEnd('23:15', now)).toBe(new Date(2026, 11, 3, 23, 15, 0).getTime());
    expect(parseWindowEnd('06:00', now)).toBe(new Date(2026, 11, 4, 6, 0, 0).getTime());
  });
  it('ISO 8601 with an offset or Z is that instant', () => {
    expect(parseWindowEnd('2027-01-05T06:00:00Z', now)).toBe(Date.UTC(2027, 0, 5, 6));
    expect(parseWindowEnd('2027-01-05T06:00+01:00', now)).toBe(Date.UTC(2027, 0, 5, 5));
  });
  it('a time past, a time of day out of range, or anything else → a usage error (exit 2)', () => {
    expect(() => parseWindowEnd('2020-01-01T00:00:00Z', now)).toThrow(/is in the past/);
    expect(() => parseWindowEnd('25:00', now)).toThrow(/not a time of day/);
    expect(() => parseWindowEnd('6am', now)).toThrow(UsageError);
  });
});

describe('the timing model', () => {
  it("the twin's AWS-like propagation delays are the ones the estimates expect", () => {
    for (const [k, v] of Object.entries(EXPECTED_DELAYS)) expect(BASE_DELAYS[k as keyof typeof BASE_DELAYS], k).toBe(v);
  });

  it('a few changes are delay-bound: one wait of the longest delay, seen at the first poll after it, then the gate', () => {
    const { plan, world, ctx } = beforeStep6();
    const model = { ...timingModel(plan, {}), pollIntervalMs: 1000, probeIntervalMs: 1000, okStreak: 3 };
    const [batch] = remainingBatches(world, STEPS[5]!, ctx);
    const e = estimateStep(plan, 6, [batch!], model);
    expect(e.waits).toBe(1);
    // INSYNC after 4 s: the poll at 4.x s sees it (the call's round trip first).
    expect(e.parts.convergeMs).toBeGreaterThanOrEqual(EXPECTED_DELAYS.changeInsyncMs);
    expect(e.parts.convergeMs).toBeLessThanOrEqual(EXPECTED_DELAYS.changeInsyncMs + model.pollIntervalMs + 2 * model.callMs);
    expect(e.gateMs).toBe(2500);
  });

  it("many changes are rate-bound: DisassociateVPCFromHostedZone's bucket (AWS 5/s less the headroom) sets the pace", () => {
    const { plan, world, ctx } = beforeStep6();
    const [batch] = remainingBatches(world, STEPS[5]!, ctx);
    const one = batch![0]!;
    const many = Array.from({ length: 200 }, (_, i) => ({ ...one, id: `${one.id}-${i}` }));
    const e = estimateStep(plan, 6, [many], timingModel(plan, {}));
    expect(e.slowest).toMatchObject({ bucket: 'route53:DisassociateVPCFromHostedZone', perSecond: 4, calls: 200 });
    // (200 − burst 8) ÷ 4/s = 48 s at least.
    expect(e.parts.actMs).toBeGreaterThanOrEqual(48_000);
    expect(e.parts.actMs).toBeLessThan(60_000);
  });

  it('budgets.rateShare of 0.95 (a window where nothing else calls Route 53) paces the same step at 4.75/s', () => {
    const { plan, world, ctx } = beforeStep6();
    const [batch] = remainingBatches(world, STEPS[5]!, ctx);
    const many = Array.from({ length: 200 }, (_, i) => ({ ...batch![0]!, id: `${batch![0]!.id}-${i}` }));
    const more = { ...plan, budgets: { ...plan.budgets, rateShare: 0.95 } };
    const e = estimateStep(more, 6, [many], timingModel(more, {}));
    expect(e.slowest).toMatchObject({ bucket: 'route53:DisassociateVPCFromHostedZone', perSecond: 4.75, calls: 200 });
    // (200 − burst 9) ÷ 4.75/s = 40.2 s at least, against 48 s at the default share.
    expect(e.parts.actMs).toBeGreaterThanOrEqual(40_000);
    expect(e.parts.actMs).toBeLessThan(48_000);
  });

  it('R53M_DELAY_SCALE scales the expected delays (the sandbox rehearses at --delay-scale)', () => {
    const { plan } = beforeStep6();
    expect(timingModel(plan, { R53M_DELAY_SCALE: '0.05' }).delays.changeInsyncMs).toBe(EXPECTED_DELAYS.changeInsyncMs * 0.05);
    expect(() => timingModel(plan, { R53M_DELAY_SCALE: 'fast' })).toThrow(/R53M_DELAY_SCALE must be a positive number/);
  });
});

describe('a stop on request inside a batch', () => {
  it('the chains under way finish, no other starts', async () => {
    const ran: string[] = [];
    let stop = false;
    await inChains(
      [['a1', 'a2', 'a3'], ['b1', 'b2'], ['c1'], ['d1']],
      2,
      async (item) => {
        ran.push(item);
        if (item === 'b1') stop = true;
        await new Promise((r) => setTimeout(r, 1));
      },
      () => stop,
    );
    // a and b were under way (two at a time) when the stop came: both finish; c and d never start.
    expect(ran.sort()).toEqual(['a1', 'a2', 'a3', 'b1', 'b2']);
  });
});
