// Route 53 changes of a batch asked about while the batch is still being sent. A wave of step 6
// sends hundreds of disassociations at DisassociateVPCFromHostedZone's rate, and each needs one
// GetChange to be seen INSYNC. GetChange draws only from the account-wide bucket, which has room
// beside the disassociations: asked while sending, the wave's changes are nearly all known INSYNC
// when its last one goes out, instead of all of them being asked after it (a wave of 500 spent
// about half as long again polling).
import type { AwsAccess } from '../aws/access.js';
import { changeStatus } from '../aws/execute.js';

export interface MadeChange {
  account: string;
  changeId: string;
}

export interface SettlerDeps {
  access: AwsAccess;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  pollIntervalMs: number;
}

export class ChangeSettler {
  private readonly queue: MadeChange[] = [];
  private readonly settled = new Set<string>();
  private readonly controller = new AbortController();
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly deps: SettlerDeps,
    signal: AbortSignal,
  ) {
    const stop = () => this.controller.abort(signal.reason);
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
    this.loop = this.run().finally(() => signal.removeEventListener('abort', stop));
  }

  /** Changes found INSYNC so far. */
  get settledCount(): number {
    return this.settled.size;
  }

  /** A change the batch just made (in the order they were made). */
  add(change: MadeChange): void {
    this.queue.push(change);
    this.wake?.();
  }

  /**
   * Stops asking and gives the changes not yet known INSYNC, in the order they were made: the
   * converge gate polls those. Never throws: a failed GetChange only leaves its change to the gate.
   */
  async finish(all: readonly MadeChange[]): Promise<MadeChange[]> {
    this.controller.abort(new Error('batch sent'));
    this.wake?.();
    await this.loop;
    return all.filter((c) => !this.settled.has(`${c.account}|${c.changeId}`));
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    try {
      while (!signal.aborted) {
        const c = this.queue[0];
        if (!c) {
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
          continue;
        }
        // Oldest first, as the converge gate asks: a change still PENDING means the ones after it
        // are younger and most likely pending too, so wait a poll before asking again.
        if ((await changeStatus(this.deps.access, c.account, c.changeId, signal)) === 'PENDING') {
          await this.deps.sleep(this.deps.pollIntervalMs, signal);
          continue;
        }
        this.settled.add(`${c.account}|${c.changeId}`);
        this.queue.shift();
      }
    } catch {
      // Aborted (the batch is sent, or the run stops), or GetChange failed: the gate asks again.
    }
  }
}
