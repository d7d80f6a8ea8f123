// The one xstate machine that runs a migration, generated from the step list (so `graph` draws
// exactly what runs). Per step, a loop of batches: re-observe and plan → act → converge gate
// (control plane settled) → DNS gate (every pair that must resolve does) → back to plan, until
// the step has nothing left to do. Context is JSON; every effect is a named actor provided by the
// runner (tests swap them with machine.provide); every invoke has an explicit id; deadlines are
// absolute times in context (after-timers are not restored from a snapshot).
import { assign, fromPromise, setup } from 'xstate';
import type { Action } from '../aws/actions.js';
import { STEPS } from '../steps/index.js';
import { ROLLBACK_STEPS } from '../steps/rollback.js';
import type { Step } from '../steps/types.js';

/** Bumped whenever states, context or actor contracts change: a snapshot from another version is refused. */
export const MACHINE_DEFINITION_VERSION = 'run-machine/1';

export type Direction = 'forward' | 'rollback';

/** The steps a run walks, in order: the seven, or their undos from 7 down to 1 (same machine). */
export const STEPS_OF: Record<Direction, readonly Step[]> = { forward: STEPS, rollback: ROLLBACK_STEPS };
/** What the machine's step states are called: step1..step7, or undo7..undo1. */
const STATE_PREFIX: Record<Direction, string> = { forward: 'step', rollback: 'undo' };

export interface Halt {
  step: number;
  /** probes: the DNS gate halted because its probes did not run (nothing is known about DNS). */
  phase: 'plan' | 'act' | 'converge' | 'dns' | 'probes';
  reason: string;
  /** For DNS halts: the pairs and what they answered. */
  pairs?: { vpcId: string; name: string; class: string; answers: string[]; consecutive: number }[];
  at: number;
}

/** Why a run stops at a safe point on the operator's request (see runner.ts, boundaries). */
export interface StopRequest {
  kind: 'through-step' | 'approval' | 'window-end' | 'signal';
  reason: string;
}

export interface RunContext {
  stepIndex: number;
  batch: number;
  actions: Action[];
  /** Route 53 changes made by the current batch: the converge gate waits for INSYNC. */
  changes: { account: string; changeId: string }[];
  batchEndedAt?: number;
  convergeDeadline?: number;
  dnsDeadline?: number;
  halt?: Halt;
  /** Stopped on request at the safe point before the step (its plan phase: nothing of it sent since its last gates). */
  stop?: StopRequest & { step: number; at: number };
  failure?: { step: number; phase: string; message: string; code?: string };
  budgets: { stepTimeoutMs: number; dnsGateTimeoutMs: number };
  counters: { batches: number; applied: number; alreadyDone: number };
}

export interface RunInput {
  /** Index in the direction's step list of the step to start at (its length: nothing left). */
  startIndex: number;
  budgets: RunContext['budgets'];
}

export type PlanOutput =
  | { kind: 'act'; actions: Action[]; at: number }
  | { kind: 'step-done'; at: number }
  | { kind: 'halt'; reason: string; at: number }
  | { kind: 'stop'; stop: StopRequest; at: number };
export interface ActOutput {
  changes: { account: string; changeId: string }[];
  applied: number;
  alreadyDone: number;
  at: number;
}
export type ConvergeOutput = { ok: true; at: number } | { ok: false; reason: string; at: number; pairs?: NonNullable<Halt['pairs']> };
export interface DnsGateOutput {
  verdict: 'pass' | 'halt' | 'timeout';
  /** For a halt: wrong answers, or probes that did not run. */
  cause?: 'dns' | 'probe';
  reason: string;
  pairs: NonNullable<Halt['pairs']>;
  at: number;
}

export interface PlanInput {
  stepIndex: number;
}
export interface ActInput {
  stepIndex: number;
  batch: number;
  actions: Action[];
}
export interface ConvergeInput {
  stepIndex: number;
  changes: RunContext['changes'];
  /** The batch the changes came from (what must settle decides what the gate reads). */
  actions?: Action[];
  deadlineMs: number;
}
export interface DnsGateInput {
  stepIndex: number;
  /** The batch just made: its VPCs come first in the gate (a wave's spokes are the likeliest to break). */
  actions?: Action[];
  sinceMs: number;
  deadlineMs: number;
}

const notProvided = (name: string) =>
  fromPromise<never, unknown>(async () => {
    throw new Error(`actor ${name} was not provided`);
  });

const outputOf = <T>(event: object): T => (event as { output: T }).output;

/** The error an actor threw, as JSON for the context. */
function failureOf(error: unknown, step: number, phase: string): RunContext['failure'] {
  const e = error as { message?: string; code?: string; awsCode?: string };
  return { step, phase, message: e?.message ?? String(error), ...(e?.code || e?.awsCode ? { code: e.code ?? e.awsCode } : {}) };
}

export function buildRunMachine(direction: Direction = 'forward') {
  const steps = STEPS_OF[direction];
  const key = (s: Step) => `${STATE_PREFIX[direction]}${s.number}`;
  const stepStates: Record<string, object> = {};
  steps.forEach((step, index) => {
    const next = index + 1 < steps.length ? `#run.${key(steps[index + 1]!)}` : '#run.done';
    // Descriptions are for people and for `graph` (they label its states and edges); xstate ignores them.
    stepStates[key(step)] = {
      description: direction === 'forward' ? `Step ${step.number} — ${step.title}` : step.title,
      initial: 'plan',
      entry: assign({ stepIndex: index, batch: 0 }),
      states: {
        plan: {
          description: 'plan — observe, plan a batch',
          tags: ['observe'],
          invoke: {
            id: `step${step.number}.plan`,
            src: 'observeAndPlan',
            input: () => ({ stepIndex: index }),
            onDone: [
              { description: 'step-done', guard: ({ event }: { event: { output: PlanOutput } }) => event.output.kind === 'step-done', target: next },
              {
                description: 'halt',
                guard: ({ event }: { event: { output: PlanOutput } }) => event.output.kind === 'halt',
                target: '#run.halted',
                actions: assign({
                  halt: ({ event }: { event: { output: PlanOutput } }) => ({ step: step.number, phase: 'plan' as const, reason: (event.output as { reason: string }).reason, at: event.output.at }),
                }),
              },
              {
                description: 'stop',
                guard: ({ event }: { event: { output: PlanOutput } }) => event.output.kind === 'stop',
                target: '#run.stopped',
                actions: assign({
                  stop: ({ event }: { event: { output: PlanOutput } }) => ({ ...(event.output as { stop: StopRequest }).stop, step: step.number, at: event.output.at }),
                }),
              },
              { description: 'act', target: 'act', actions: assign({ actions: ({ event }: { event: { output: PlanOutput } }) => (event.output as { actions: Action[] }).actions }) },
            ],
            onError: { description: 'error', target: '#run.failed', actions: assign({ failure: ({ event }: { event: { error: unknown } }) => failureOf(event.error, step.number, 'plan') }) },
          },
        },
        act: {
          description: 'act — send the batch',
          tags: ['mutate'],
          entry: assign({ batch: ({ context }: { context: RunContext }) => context.batch + 1 }),
          invoke: {
            id: `step${step.number}.act`,
            src: 'act',
            input: ({ context }: { context: RunContext }) => ({ stepIndex: index, batch: context.batch, actions: context.actions }),
            onDone: {
              description: 'sent',
              target: 'converge',
              actions: assign(({ context, event }: { context: RunContext; event: object }) => {
                const out = outputOf<ActOutput>(event);
                return {
                  changes: out.changes,
                  convergeDeadline: out.at + context.budgets.stepTimeoutMs,
                  counters: {
                    batches: context.counters.batches + 1,
                    applied: context.counters.applied + out.applied,
                    alreadyDone: context.counters.alreadyDone + out.alreadyDone,
                  },
                };
              }),
            },
            onError: { description: 'error', target: '#run.failed', actions: assign({ failure: ({ event }: { event: { error: unknown } }) => failureOf(event.error, step.number, 'act') }) },
          },
        },
        converge: {
          description: 'converge — AWS settles',
          tags: ['wait'],
          invoke: {
            id: `step${step.number}.converge`,
            src: 'converge',
            input: ({ context }: { context: RunContext }) => ({ stepIndex: index, changes: context.changes, actions: context.actions, deadlineMs: context.convergeDeadline! }),
            onDone: [
              {
                description: 'settled',
                guard: ({ event }: { event: { output: ConvergeOutput } }) => event.output.ok,
                target: 'dns',
                actions: assign(({ context, event }: { context: RunContext; event: object }) => ({
                  batchEndedAt: outputOf<ConvergeOutput>(event).at,
                  dnsDeadline: outputOf<ConvergeOutput>(event).at + context.budgets.dnsGateTimeoutMs,
                })),
              },
              {
                description: 'halt',
                target: '#run.halted',
                actions: assign({
                  halt: ({ event }: { event: { output: ConvergeOutput } }) => {
                    const out = event.output as Extract<ConvergeOutput, { ok: false }>;
                    return { step: step.number, phase: 'converge' as const, reason: out.reason, at: out.at, ...(out.pairs ? { pairs: out.pairs } : {}) };
                  },
                }),
              },
            ],
            onError: { description: 'error', target: '#run.failed', actions: assign({ failure: ({ event }: { event: { error: unknown } }) => failureOf(event.error, step.number, 'converge') }) },
          },
        },
        dns: {
          description: 'dns — every VPC resolves',
          tags: ['wait'],
          invoke: {
            id: `step${step.number}.dns`,
            src: 'dnsGate',
            input: ({ context }: { context: RunContext }) => ({ stepIndex: index, actions: context.actions, sinceMs: context.batchEndedAt!, deadlineMs: context.dnsDeadline! }),
            onDone: [
              { description: 'pass', guard: ({ event }: { event: { output: DnsGateOutput } }) => event.output.verdict === 'pass', target: 'plan' },
              {
                description: 'halt',
                target: '#run.halted',
                actions: assign({
                  halt: ({ event }: { event: { output: DnsGateOutput } }) => ({
                    step: step.number,
                    phase: event.output.cause === 'probe' ? ('probes' as const) : ('dns' as const),
                    reason: event.output.reason,
                    pairs: event.output.pairs,
                    at: event.output.at,
                  }),
                }),
              },
            ],
            onError: { description: 'error', target: '#run.failed', actions: assign({ failure: ({ event }: { event: { error: unknown } }) => failureOf(event.error, step.number, 'dns') }) },
          },
        },
      },
    };
  });

  return setup({
    types: {} as { context: RunContext; input: RunInput },
    actors: {
      observeAndPlan: notProvided('observeAndPlan') as unknown as ReturnType<typeof fromPromise<PlanOutput, PlanInput>>,
      act: notProvided('act') as unknown as ReturnType<typeof fromPromise<ActOutput, ActInput>>,
      converge: notProvided('converge') as unknown as ReturnType<typeof fromPromise<ConvergeOutput, ConvergeInput>>,
      dnsGate: notProvided('dnsGate') as unknown as ReturnType<typeof fromPromise<DnsGateOutput, DnsGateInput>>,
    },
  }).createMachine({
    id: 'run',
    context: ({ input }) => ({
      stepIndex: Math.max(0, input.startIndex),
      batch: 0,
      actions: [],
      changes: [],
      budgets: input.budgets,
      counters: { batches: 0, applied: 0, alreadyDone: 0 },
    }),
    initial: 'start',
    states: {
      // Jumps to the step the assessment says is next (a fresh run, or a part-way estate).
      start: {
        description: 'start — go to the step the estate is at',
        always: [
          ...steps.map((s, i) => ({ description: `${direction === 'forward' ? 'step' : 'undo'} ${s.number} next`, guard: ({ context }: { context: RunContext }) => context.stepIndex === i, target: key(s) })),
          { description: 'nothing left', target: 'done' },
        ],
      },
      ...stepStates,
      done: { type: 'final', description: 'done (exit 0)' },
      halted: { type: 'final', description: 'halted by a gate (exit 3)' },
      failed: { type: 'final', description: 'failed (exit 1)' },
      stopped: { type: 'final', description: 'stopped at a safe point (exit 5)' },
    } as never,
  });
}

export type RunMachine = ReturnType<typeof buildRunMachine>;
