// The operator's controls over a run in a change window, decided at the run's safe points (a
// step about to send its first change, or step 6 its next wave; every gate before it passed):
// stop after step N (--through-step), wait for a person's go (--approve-each-step), never start
// what the window's end does not leave time for (--window-end). Estimates come from the timing
// model (steps/timing.ts), the same numbers `plan` prints.
import { describeAction, type Action } from '../aws/actions.js';
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { walkStep } from '../steps/guard.js';
import { spokeWaves, waveOf } from '../steps/waves.js';
import { estimateStep, formatDuration, type TimingModel } from '../steps/timing.js';
import type { Expectation, Step, StepContext } from '../steps/types.js';
import type { Boundary, ProgressEvent } from './actors.js';
import type { Direction, StopRequest } from './run-machine.js';

export interface RunControl {
  /** Stop once step N's gates passed, before step N+1 sends anything. */
  throughStep?: number;
  /** Epoch ms (wall clock): no step, and no wave of step 6, starts unless its estimate ends before it. */
  windowEnd?: number;
  /** Every step waits for an approval (recorded in the state file). */
  approveEachStep?: boolean;
  /** On a terminal: show the step and ask. Absent: stop at the boundary, for resume --approve-step. */
  ask?(request: ApprovalRequest): Promise<boolean>;
}

export interface ApprovalRequest {
  step: number;
  title: string;
  direction: Direction;
}

export interface Approval {
  step: number;
  direction: Direction;
  by: string;
  at: string;
}

export interface WindowDeps {
  plan: Plan;
  ctx: StepContext;
  direction: Direction;
  steps: readonly Step[];
  control: RunControl;
  model: TimingModel;
  /** Whether the plan's batches have DNS gates (a resolver or SSM probes). */
  gates: boolean;
  wallNow(): number;
  /** Approvals so far (this state file's run). */
  approvals(): Approval[];
  recordApproval(step: number): Promise<void>;
  /** A step started (its first change is about to go out): its estimate, for estimate against actual. */
  stepStarted(step: number, estimateMs: number): Promise<void>;
  progress(e: ProgressEvent): void;
}

const clock = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** The batches a step still has to send from `world` (the first is the one just planned), and the world once they are sent. */
export function walkRemaining(world: World, step: Step, ctx: StepContext): { batches: Action[][]; after: World } {
  const batches: Action[][] = [];
  const after = walkStep(world, step, ctx, ({ actions }) => batches.push(actions));
  return { batches, after };
}

/** The batches a step still has to send from `world`. */
export const remainingBatches = (world: World, step: Step, ctx: StepContext): Action[][] => walkRemaining(world, step, ctx).batches;

/** How long the rest of the run takes from `world` at step index `from` (the steps after it walked on the world carried forward). */
export function restOfRunMs(plan: Plan, world: World, steps: readonly Step[], from: number, ctx: StepContext, model: TimingModel, gates: boolean): number {
  let w = world;
  let total = 0;
  for (const step of steps.slice(from)) {
    const { batches, after } = walkRemaining(w, step, ctx);
    w = after;
    if (batches.length) total += estimateStep(plan, step.number, batches, model, { gates }).totalMs;
  }
  return total;
}

/** Why a step ("step 6", "undo step 3") cannot start before the window ends, or undefined when it can. */
export function windowRefusal(step: string, estimateMs: number, windowEnd: number, now: number, wave?: { index: number; of: number }): string | undefined {
  const left = windowEnd - now;
  if (estimateMs <= left) return undefined;
  const what = wave ? `${step}'s wave ${wave.index} of ${wave.of} and the rest of the step` : step;
  return `the window ends at ${clock(windowEnd)}, ${left > 0 ? `${formatDuration(left)} from now` : 'already'}; ${what} needs ~${formatDuration(estimateMs)} (estimate): stopped before it, with every VPC resolving`;
}

/** The safe-point decision, as the run machine's actors call it (RunDeps.boundary). */
export function windowBoundary(d: WindowDeps): (b: Boundary) => Promise<StopRequest | undefined> {
  return async (b) => {
    const number = b.step.number;
    const forward = d.direction === 'forward';
    if (b.firstBatch && forward && d.control.throughStep !== undefined && number > d.control.throughStep) {
      return { kind: 'through-step', reason: `--through-step ${d.control.throughStep}: step ${d.control.throughStep}'s gates passed; stopped before step ${number} sends anything` };
    }
    const { batches, after } = walkRemaining(b.world, b.step, d.ctx);
    const estimateMs = estimateStep(d.plan, number, batches, d.model, { gates: d.gates }).totalMs;
    // Step 6 and its undo move the spokes in waves: between two waves is a safe point too.
    const waves = number === 6;
    const name = `${forward ? '' : 'undo '}step ${number}`;
    const windowCheck = (): StopRequest | undefined => {
      if (d.control.windowEnd === undefined || (!b.firstBatch && !waves)) return undefined;
      const moving = b.actions.find((a) => 'vpcId' in a);
      const index = waves && !b.firstBatch && moving && 'vpcId' in moving ? waveOf(d.plan, moving.vpcId) : undefined;
      const reason = windowRefusal(name, estimateMs, d.control.windowEnd, d.wallNow(), index ? { index, of: spokeWaves(d.plan).length } : undefined);
      return reason ? { kind: 'window-end', reason } : undefined;
    };
    const early = windowCheck();
    if (early) return early;
    if (b.firstBatch && d.control.approveEachStep && !d.approvals().some((a) => a.step === number && a.direction === d.direction)) {
      d.progress({ type: 'approval', direction: d.direction, step: number, title: b.step.title, changes: batches.flat().map(describeFor), after: b.step.expect(after, d.ctx) as Expectation[] });
      if (!d.control.ask) {
        return { kind: 'approval', reason: `step ${number} waits for an approval (--approve-each-step): r53migrate resume --approve-step ${number} lets exactly it start` };
      }
      if (!(await d.control.ask({ step: number, title: b.step.title, direction: d.direction }))) return { kind: 'approval', reason: `step ${number} was not approved at the prompt` };
      await d.recordApproval(number);
      // A person took their time: the window may have closed meanwhile.
      const late = windowCheck();
      if (late) return late;
    }
    if (b.firstBatch) {
      await d.stepStarted(number, estimateMs);
      const index = d.steps.findIndex((s) => s === b.step);
      const rest = estimateMs + restOfRunMs(d.plan, after, d.steps, index + 1, d.ctx, d.model, d.gates);
      d.progress({ type: 'estimate', step: number, stepMs: estimateMs, runEndsAt: d.wallNow() + rest, ...(d.control.windowEnd !== undefined ? { windowEndsAt: d.control.windowEnd } : {}) });
    }
    return undefined;
  };
}

function describeFor(a: Action): string {
  return `[${a.account}] ${describeAction(a)}`;
}
