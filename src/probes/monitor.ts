// The continuous monitor: probes every (VPC, name) pair once per interval through a bounded pool,
// logs every result as an NDJSON line, keeps each pair's health in memory and publishes results to
// subscribers (the gates). stop() ends the loop, cancels probes in flight, flushes the log, and
// leaves no timer or socket behind.
import { setMaxListeners } from 'node:events';
import { classify } from './classify.js';
import type { PairHealth, PairResult } from './health.js';
import { ResultHub } from './result-hub.js';
import type { LineSink } from './ndjson-log.js';
import { Prober, type ProbeReply } from './prober.js';
import type { ProbeTarget, QueryType, ResolverAddress } from './targets.js';
import { systemTime, type Time } from './time.js';

/** What the monitor needs from a prober (the real one, or a scripted one in tests). */
export interface ProbeClient {
  query(server: ResolverAddress, name: string, qtype?: QueryType, opts?: { signal?: AbortSignal }): Promise<ProbeReply>;
  close?(): Promise<void>;
}

/** What a gate reads: a stream of results, and optionally the current health per pair. */
export interface ResultSource {
  subscribe(listener: (r: PairResult) => void): () => void;
  health?(pair: { vpcId: string; name: string }): PairHealth | undefined;
}

export interface MonitorOptions {
  targets: ProbeTarget[];
  /** A round of every pair starts this often (the next one starts at once when a round overruns). */
  intervalMs: number;
  /** Probes in flight at once; defaults to what lets a round of the targets fit its interval (monitorConcurrency). */
  concurrency?: number;
  /** Up to this much random extra wait before each round, so fleets of probers don't beat in step. */
  jitterMs?: number;
  /** Injected; defaults to a Prober the monitor creates and closes itself. */
  prober?: ProbeClient;
  /** Injected; defaults to Date.now/setTimeout. */
  time?: Time;
  random?: () => number;
  /** Where result lines go; flushed (not closed) at stop(). */
  log?: LineSink;
}

/** A probe's usual round trip to a VPC resolver (loopback twin, or a resolver a few ms away). */
const EXPECTED_LATENCY_MS = 16;
const MIN_CONCURRENCY = 64;
/** Beyond this, more in flight only queues in the one process (bench:probes: ~13,000 probes/s at 256). */
const MAX_CONCURRENCY = 256;

/**
 * Probes in flight so that a round of `targets` fits in half its interval at the usual latency:
 * 64 answer about 4,000 pairs a second, short of the 3,600 pairs of 300 VPCs × 12 names once the
 * process is busy with the run. Each resolver still sees only its own VPC's names per round.
 */
export function monitorConcurrency(targets: number, intervalMs: number): number {
  const needed = Math.ceil((targets * EXPECTED_LATENCY_MS) / Math.max(1, intervalMs / 2));
  return Math.min(MAX_CONCURRENCY, Math.max(MIN_CONCURRENCY, needed));
}

export class Monitor extends ResultHub implements ResultSource {
  private readonly prober: ProbeClient;
  private readonly ownsProber: boolean;
  private readonly time: Time;
  private readonly random: () => number;
  private readonly concurrency: number;
  private readonly jitterMs: number;
  private controller: AbortController | undefined;
  private loop: Promise<void> | undefined;
  /** Rounds completed. */
  rounds = 0;

  constructor(private readonly opts: MonitorOptions) {
    super(opts.log);
    if (!(opts.intervalMs >= 0)) throw new Error(`intervalMs must be >= 0 (got ${opts.intervalMs})`);
    this.prober = opts.prober ?? new Prober();
    this.ownsProber = opts.prober === undefined;
    this.time = opts.time ?? systemTime;
    this.random = opts.random ?? Math.random;
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? monitorConcurrency(opts.targets.length, opts.intervalMs)));
    this.jitterMs = Math.max(0, opts.jitterMs ?? opts.intervalMs / 10);
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) throw new Error('monitor already started');
    this.controller = new AbortController();
    // Every in-flight probe listens to this one signal.
    setMaxListeners(0, this.controller.signal);
    this.loop = this.run(this.controller.signal);
  }

  /** Ends the loop, cancels probes in flight (their results are dropped), flushes the log. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.controller!.abort(new Error('monitor stopped'));
    await this.loop;
    this.loop = undefined;
    this.opts.log?.flush();
    if (this.ownsProber) await this.prober.close?.();
  }

  private async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const roundStart = this.time.now();
      await this.round(signal);
      if (signal.aborted) break;
      this.rounds++;
      const waitMs = Math.max(0, roundStart + this.opts.intervalMs - this.time.now()) + this.random() * this.jitterMs;
      try {
        await this.time.sleep(waitMs, signal);
      } catch {
        break; // aborted
      }
    }
  }

  private async round(signal: AbortSignal): Promise<void> {
    const targets = this.opts.targets;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (!signal.aborted && next < targets.length) await this.probe(targets[next++]!, signal);
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, targets.length) }, worker));
  }

  private async probe(t: ProbeTarget, signal: AbortSignal): Promise<void> {
    const startedMs = this.time.now();
    let reply: ProbeReply;
    try {
      reply = await this.prober.query(t.resolver, t.probeName, t.qtype ?? 'A', { signal });
    } catch (err) {
      if (signal.aborted) return;
      reply = { outcome: 'error', error: `prober: ${(err as Error).message}`, latencyMs: this.time.now() - startedMs, attempts: 0, transport: 'udp' };
    }
    if (signal.aborted) return;
    const c = classify(reply, t.expected);
    const result: PairResult = {
      vpcId: t.vpcId,
      name: t.name,
      probeName: t.probeName,
      class: c.class,
      answers: c.answers,
      ...(c.rcode !== undefined ? { rcode: c.rcode } : {}),
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      latencyMs: c.latencyMs,
      startedMs,
      atMs: this.time.now(),
    };
    this.publish(result);
  }

}
