// Live progress: one plain line per event (a log a person can follow, and CI can keep); on a
// terminal the "waiting for ..." line is redrawn in place instead of repeated.
import type { ProgressEvent } from '../machines/actors.js';
import type { CliIo } from './io.js';

export function progressPrinter(io: CliIo): (e: ProgressEvent) => void {
  const tty = Boolean(io.stdout.isTTY);
  let waitingShown = false;
  let currentStep = 0;
  const line = (s: string) => {
    if (tty && waitingShown) io.stdout.write('\r\x1b[2K');
    waitingShown = false;
    io.stdout.write(s + '\n');
  };
  return (e) => {
    switch (e.type) {
      case 'step':
        // Each batch re-plans its step; the heading is printed once.
        if (e.step !== currentStep) line(`step ${e.step}: ${e.title}`);
        currentStep = e.step;
        break;
      case 'action':
        if (e.status === 'start') return;
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
    }
  };
}
