// Runs prepare (steps/prepare.ts) against AWS: observe, refuse what can't work before anything
// changes, send the next batch (each call journaled before it goes out, re-checked first when a
// killed run may have sent it), and wait — within the step budget — until every account of the
// plan sees the Profile. Its undo, for a rollback, the same way.
import { apiCall, describeAction, type Action } from '../aws/actions.js';
import type { AwsAccess } from '../aws/access.js';
import { AwsError } from '../aws/errors.js';
import { executeAction } from '../aws/execute.js';
import { observePrepare } from '../aws/observe-prepare.js';
import type { Plan } from '../plan/schema.js';
import { prepareActions, prepareInFlight, prepareProblems, prepareUndo, type PrepareWorld } from '../steps/prepare.js';
import type { InFlight } from '../steps/types.js';
import type { JournalRecord, ProgressEvent } from './actors.js';

/** Prepare can't do what the plan asks in this estate or organization: exit 2, nothing (more) changed. */
export class PrepareRefusedError extends Error {
  readonly code = 'PREPARE_REFUSED';
  readonly exitCode = 2;
  constructor(
    readonly problems: string[],
    made = '',
  ) {
    super(`prepare can't go on (${made || 'nothing was changed'}):\n  - ${problems.join('\n  - ')}`);
    this.name = 'PrepareRefusedError';
  }
}

export interface PreparePhaseOptions {
  plan: Plan;
  access: AwsAccess;
  runId: string;
  journal(r: JournalRecord): Promise<void>;
  /** Whether this action's intent is in the journal (a killed run may have sent it). */
  journaled(actionId: string): boolean;
  stepTimeoutMs: number;
  pollIntervalMs: number;
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  signal?: AbortSignal;
  progress?(e: ProgressEvent): void;
  log?(line: string): void;
}

export type PhaseResult =
  | { outcome: 'done'; world: PrepareWorld; applied: number; alreadyDone: number; batches: number }
  | { outcome: 'halted'; reason: string; applied: number; alreadyDone: number; batches: number }
  | { outcome: 'failed'; message: string; code?: string; applied: number; alreadyDone: number; batches: number };

/** RAM's answers that mean "the organization's settings don't allow this share" (docs/aws-facts.md, RAM). */
const SHARE_REFUSALS = new Set(['OperationNotPermittedException', 'UnknownResourceException']);

async function send(o: PreparePhaseOptions, batch: Action[], index: number, counters: { applied: number; alreadyDone: number }): Promise<void> {
  await Promise.all(
    batch.map(async (action) => {
      const description = describeAction(action);
      const checkFirst = o.journaled(action.id);
      o.progress?.({ type: 'action', step: 0, batch: index, action, description, status: 'start' });
      await o.journal({ step: 0, batch: index, action, phase: 'intent' });
      try {
        const r = await executeAction(o.access, action, { signal: o.signal, backupDir: '', verifiedBackup: () => false, checkFirst });
        if (r.status === 'applied') counters.applied++;
        else counters.alreadyDone++;
        await o.journal({ step: 0, batch: index, action, phase: r.status, ...(r.requestId ? { requestId: r.requestId } : {}) });
        o.progress?.({ type: 'action', step: 0, batch: index, action, description, status: r.status });
      } catch (e) {
        const message = (e as Error).message;
        await o.journal({ step: 0, batch: index, action, phase: 'failed', error: message });
        o.progress?.({ type: 'action', step: 0, batch: index, action, description, status: 'failed', error: message });
        if ((action.kind === 'create-share' || action.kind === 'share-associate') && e instanceof AwsError && SHARE_REFUSALS.has(e.awsCode)) {
          throw new PrepareRefusedError(
            [
              `AWS RAM refused ${description} (${e.awsCode}: ${e.message}). Sharing with an organization or its units needs RAM sharing with AWS Organizations enabled ` +
                `(from the management account: aws ram enable-sharing-with-aws-organization); a share closed to external principals takes only accounts of the owner's organization. ` +
                `Share with accounts instead (profile.share.with: accounts), or fix the organization's settings, then run again`,
            ],
            action.kind === 'create-share' ? 'nothing was changed' : 'the Profile exists; nothing was shared',
          );
        }
        const call = apiCall(action);
        throw Object.assign(new Error(`prepare failed for ${description}${call ? ` [${call.service}:${call.operation} as ${action.account}]` : ''}: ${message}`, { cause: e }), {
          code: e instanceof AwsError ? e.awsCode : undefined,
        });
      }
    }),
  );
}

/**
 * One reconciling loop: `next` gives the batch to send for a world (empty: nothing to send),
 * `waiting` what still settles. Every batch is planned from a fresh observation; the whole
 * phase waits at most the step budget for the world to settle after its last batch.
 */
async function reconcile(o: PreparePhaseOptions, next: (pw: PrepareWorld) => Action[], waiting: (pw: PrepareWorld) => InFlight[], what: string, refuse = true): Promise<PhaseResult> {
  const counters = { applied: 0, alreadyDone: 0 };
  let batches = 0;
  let since = o.now();
  // A batch whose calls all succeed yet leave the world unchanged would come round again: a
  // bounded number of batches keeps that from spinning.
  for (let round = 0; round < 50; round++) {
    const pw = await observePrepare(o.plan, o.access, o.signal);
    const problems = refuse ? prepareProblems(pw, o.plan) : [];
    if (problems.length) throw new PrepareRefusedError(problems, counters.applied ? `${counters.applied} change(s) of prepare were made` : 'nothing was changed');
    const batch = next(pw);
    if (batch.length) {
      batches++;
      try {
        await send(o, batch, batches, counters);
      } catch (e) {
        if (e instanceof PrepareRefusedError || o.signal?.aborted) throw e;
        return { outcome: 'failed', message: (e as Error).message, ...((e as { code?: string }).code ? { code: (e as { code?: string }).code } : {}), ...counters, batches };
      }
      since = o.now();
      // What was just sent settles before the next look (AWS's reads may lag its writes a moment).
      await o.sleep(o.pollIntervalMs, o.signal);
      continue;
    }
    const pending = waiting(pw);
    if (!pending.length) return { outcome: 'done', world: pw, ...counters, batches };
    if (o.now() - since > o.stepTimeoutMs) {
      const list = pending.map((f) => `${f.what}: ${f.status}${f.advice ? ` (${f.advice})` : ''}`).join('; ');
      return { outcome: 'halted', reason: `${what} did not settle within ${Math.round(o.stepTimeoutMs / 1000)} s: ${list}. Nothing that resolves names was changed; find why (an invitation not accepted, RAM sharing turned off), then resume`, ...counters, batches };
    }
    o.progress?.({ type: 'waiting', step: 0, inFlight: pending });
    await o.sleep(o.pollIntervalMs, o.signal);
  }
  return { outcome: 'halted', reason: `${what} sent 50 batches and the estate still asks for more: another tool may be undoing them; find it, then resume`, ...counters, batches };
}

export function runPrepare(o: PreparePhaseOptions): Promise<PhaseResult> {
  return reconcile(
    o,
    (pw) => prepareActions(pw, o.plan, { runId: o.runId }),
    (pw) => prepareInFlight(pw, o.plan),
    'prepare',
  );
}

/** Takes back what prepare made (`added`: what this run's share-associate calls added, from its journal). */
export function undoPrepare(o: PreparePhaseOptions, added: { principals: string[]; resourceArns: string[] }): Promise<PhaseResult> {
  return reconcile(
    o,
    (pw) => prepareUndo(pw, o.plan, added)[0] ?? [],
    () => [],
    'undoing prepare',
    false,
  );
}
