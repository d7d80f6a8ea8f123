// A store's writes run one after another, in call order, and closing waits for them before the
// lock goes: the same for the file store and the S3 store.
import { StateStoreClosedError } from './store.js';

export class SerialWrites {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    /** The state the store holds, for the closed-store error. */
    private readonly name: string,
    private readonly releaseLock: () => Promise<void>,
  ) {}

  /** Throws StateStoreClosedError once the store is closed. */
  checkOpen(): void {
    if (this.closed) throw new StateStoreClosedError(this.name);
  }

  /** Every write asked for so far has ended (well or not). */
  async idle(): Promise<void> {
    await this.queue.catch(() => undefined);
  }

  /** Runs `work` after the writes before it, whatever became of them; its own outcome is the caller's. */
  enqueue(work: () => Promise<void>): Promise<void> {
    if (this.closed) return Promise.reject(new StateStoreClosedError(this.name));
    const next = this.queue.catch(() => undefined).then(work);
    this.queue = next;
    return next;
  }

  /** Waits for the writes, then releases the lock. Safe to call more than once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.idle();
    await this.releaseLock();
  }
}
