// The dry run as a value: from an assessed World, every step with every API call it would make,
// in order, carrying the world forward as if each batch succeeded, with who resolves what through
// which source after each step. Renderers print it; nothing here does I/O.
import type { World } from '../aws/world.js';
import type { Plan } from '../plan/schema.js';
import { apiCall, describeAction, simulate, type Action, type ApiCall } from './actions.js';
import { assess } from './assess.js';
import { STEPS } from './index.js';
import type { Expectation, Path } from './types.js';

export interface PlannedAction {
  action: Action;
  call?: ApiCall;
  description: string;
}

export interface PlannedStep {
  number: number;
  id: string;
  title: string;
  why: string;
  status: 'done' | 'partly done' | 'to do';
  batches: PlannedAction[][];
  /** Who resolves what, through which source, once the step is complete. */
  after: Expectation[];
}

export type RunPlan =
  | { ok: true; path: Path; position: number; nothingToDo: boolean; steps: PlannedStep[]; warnings: string[]; mutatingCalls: number }
  | { ok: false; problems: string[]; warnings: string[] };

/** Batches per step are bounded: step 6 makes one per spoke, the others one or two. */
const MAX_BATCHES = 2000;

export function planRun(world: World, plan: Plan): RunPlan {
  const a = assess(world, plan);
  if (!a.ok) return a;
  let w = world;
  const steps: PlannedStep[] = [];
  let mutatingCalls = 0;
  for (const step of STEPS) {
    const batches: PlannedAction[][] = [];
    if (step.number >= a.position) {
      for (let i = 0; ; i++) {
        if (i >= MAX_BATCHES) throw new Error(`step ${step.number} ${step.id} did not converge in the dry run after ${MAX_BATCHES} batches (a bug)`);
        const actions = step.actions(w, a.ctx);
        if (!actions.length) break;
        batches.push(actions.map((act) => ({ action: act, call: apiCall(act), description: describeAction(act) })));
        mutatingCalls += actions.filter((act) => apiCall(act)).length;
        w = simulate(w, actions);
      }
    }
    const status = step.number < a.position ? 'done' : step.number === a.position && a.partial ? 'partly done' : batches.length ? 'to do' : 'done';
    steps.push({ number: step.number, id: step.id, title: step.title, why: step.why, status, batches, after: step.expect(w, a.ctx) });
  }
  return { ok: true, path: a.path, position: a.position, nothingToDo: a.position > STEPS.length, steps, warnings: a.warnings, mutatingCalls };
}
