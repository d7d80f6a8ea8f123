// Live progress: one plain line per event (a log a person can follow, and CI can keep); on a
// terminal the "waiting for ..." line is redrawn in place instead of repeated.
import type { ProgressEvent } from '../machines/actors.js';
import type { CliIo } from './io.js';
import type { Plan } from '../plan/schema.js';
import { formatDuration } from '../steps/timing.js';
import { resolutionSummary } from './render-plan.js';

/** "06:42:10" in local time: when something is expected, as an operator in the window reads it. */
const clock = (ms: number) => new Date(ms).toTimeString().slice(0, 8);

export function progressPrinter(io: CliIo, plan: Plan): (e: ProgressEvent) => void {
  const tty = Boolean(io.stdout.isTTY);
  let waitingShown = false;
  // (-1: prepare is step 0, and announces itself like the others.)
  let currentStep = -1;
  const line = (s: string) => {
    if (tty && waitingShown) io.stdout.write('\r\x1b[2K');
    waitingShown = false;
    io.stdout.write(s + '\n');
  };
  // A step's heading waits for the step's first event: a run that stops at the safe point before
  // the step (through-step, an approval, the window) does not announce a step it never starts.
  let heading: string | undefined;
  return (e) => {
    if (e.type === 'step') {
      // Each batch re-plans its step; the heading is printed once.
      if (e.step !== currentStep) {
        if (heading) line(`${heading} — nothing to do`);
        heading = `step ${e.step}: ${e.title}`;
      }
      currentStep = e.step;
      return;
    }
    if (e.type === 'action' && e.status === 'start') return;
    if (heading) line(heading);
    heading = undefined;
    switch (e.type) {
      case 'action':
        line(`  ${e.status === 'applied' ? 'done   ' : e.status === 'already-done' ? 'already' : e.status === 'interrupted' ? 'stopped' : 'FAILED '} ${e.description}${e.error ? `: ${e.error}` : ''}`);
        break;
      case 'waiting': {
        const counts = new Map<string, number>();
        for (const x of e.inFlight) counts.set(x.status, (counts.get(x.status) ?? 0) + 1);
        const text = `  waiting: ${[...counts].map(([s, n]) => `${n} ${s}`).join(', ')}`;
        if (tty) {
          io.stdout.write(`\r\x1b[2K${text}`);
          waitingShown = true;
        } else line(text);
        break;
      }
      case 'dns':
        line(`  ${e.cause === 'probe' ? 'probes' : 'dns'} ${e.verdict}: ${e.reason}`);
        break;
      case 'gate':
        line(`  dns gate: waiting for ${e.okStreak} ok round${e.okStreak === 1 ? '' : 's'} in a row on ${e.pairs} pair${e.pairs === 1 ? '' : 's'}`);
        break;
      case 'estimate':
        line(
          `  estimate: ~${formatDuration(e.stepMs)} for step ${e.step}; expected end of the run ~${clock(e.runEndsAt)}${e.windowEndsAt !== undefined ? ` (window ends ${clock(e.windowEndsAt)})` : ''}`,
        );
        break;
      case 'approval':
        line(`${e.direction === 'rollback' ? 'Undo step' : 'Step'} ${e.step} (${e.title}) will make ${e.changes.length} change${e.changes.length === 1 ? '' : 's'}:`);
        for (const c of e.changes.slice(0, 20)) line(`    ${c}`);
        if (e.changes.length > 20) line(`    ... and ${e.changes.length - 20} more (r53migrate plan lists them all)`);
        line('  then every VPC resolves through:');
        for (const l of resolutionSummary(plan, e.after)) line(`    ${l}`);
        break;
    }
  };
}
