// What every monitor does with a result, however it was probed: count it, keep the pair's health,
// log it as an NDJSON line and hand it to the subscribers (the gates).
import { HealthBook, toLogLine, type PairHealth, type PairResult } from './health.js';
import type { LineSink } from './ndjson-log.js';

export class ResultHub {
  readonly book = new HealthBook();
  private readonly listeners = new Set<(r: PairResult) => void>();
  /** Results published. */
  results = 0;

  constructor(private readonly sink?: LineSink) {}

  subscribe(listener: (r: PairResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  health(pair: { vpcId: string; name: string }): PairHealth | undefined {
    return this.book.get(pair);
  }

  protected publish(result: PairResult): void {
    this.results++;
    this.book.record(result);
    this.sink?.append(toLogLine(result));
    for (const listener of this.listeners) {
      try {
        listener(result);
      } catch {
        // A subscriber's bug must not stop the probes everyone else relies on.
      }
    }
  }
}
