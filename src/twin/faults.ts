// Injected faults (POST /_twin/faults): what a test or a rehearsal wants AWS to do wrong.
import type { ServiceName } from './protocol.js';

interface Match {
  service?: ServiceName;
  operation?: string;
  accountId?: string;
  /** Only requests whose path or body contains this text (e.g. a VPC id). */
  match?: string;
  /** Only mutating calls (true) or only reads (false). */
  mutating?: boolean;
  /** Lets this many matching calls through untouched first: "the 7th write" is skip 6, count 1. */
  skip?: number;
  /** How many matching calls it applies to; omitted: until cleared. */
  count?: number;
}

export type FaultSpec =
  | (Match & { kind: 'throttle' })
  | (Match & { kind: 'error'; status?: number; code?: string; message?: string })
  | (Match & { kind: 'fail-association' })
  | (Match & { kind: 'slow'; factor: number })
  | (Match & { kind: 'hold'; phase: 'before' | 'after' })
  | { kind: 'dns'; vpcId: string; dropRatio?: number; delayMs?: number; servfail?: boolean; count?: number };

export type Fault = FaultSpec & { id: string; used: number; skipped: number };

export interface DnsFault {
  dropRatio?: number;
  delayMs?: number;
  servfail?: boolean;
}

const KINDS = ['throttle', 'error', 'fail-association', 'slow', 'hold', 'dns'];

/** Validates a fault posted over HTTP; returns an error message or the spec. */
export function parseFault(input: unknown): FaultSpec | string {
  if (typeof input !== 'object' || input === null) return 'body must be a JSON object';
  const f = input as Record<string, unknown>;
  if (typeof f.kind !== 'string' || !KINDS.includes(f.kind)) return `kind must be one of ${KINDS.join(', ')}`;
  if (f.count !== undefined && !(Number.isInteger(f.count) && (f.count as number) > 0)) return 'count must be a positive integer';
  if (f.match !== undefined && (typeof f.match !== 'string' || f.match === '')) return 'match must be a non-empty string';
  if (f.skip !== undefined && !(Number.isInteger(f.skip) && (f.skip as number) >= 0)) return 'skip must be a non-negative integer';
  if (f.mutating !== undefined && typeof f.mutating !== 'boolean') return 'mutating must be true or false';
  if (f.kind === 'slow' && !(typeof f.factor === 'number' && f.factor > 0)) return 'slow needs factor > 0';
  if (f.kind === 'hold' && f.phase !== 'before' && f.phase !== 'after') return "hold needs phase 'before' or 'after'";
  if (f.kind === 'dns') {
    if (typeof f.vpcId !== 'string') return 'dns needs vpcId';
    if (f.dropRatio !== undefined && !(typeof f.dropRatio === 'number' && f.dropRatio >= 0 && f.dropRatio <= 1)) {
      return 'dropRatio must be between 0 and 1';
    }
  }
  return f as unknown as FaultSpec;
}

export class FaultStore {
  private faults: Fault[] = [];
  private counter = 0;

  add(spec: FaultSpec): Fault {
    const fault = { ...spec, id: `fault-${++this.counter}`, used: 0, skipped: 0 } as Fault;
    this.faults.push(fault);
    return fault;
  }

  list(): Fault[] {
    return this.faults.map((f) => ({ ...f }));
  }

  clear(id?: string): number {
    const before = this.faults.length;
    this.faults = id ? this.faults.filter((f) => f.id !== id) : [];
    return before - this.faults.length;
  }

  /** The first active fault of this kind matching the call; consumes one use. */
  take<K extends Fault['kind']>(
    kind: K,
    call: { service: ServiceName; operation: string; accountId: string; mutating?: boolean; text?: string },
  ): Extract<Fault, { kind: K }> | undefined {
    const f = this.faults.find(
      (x) =>
        x.kind === kind &&
        x.kind !== 'dns' &&
        (x.service === undefined || x.service === call.service) &&
        (x.operation === undefined || x.operation === call.operation) &&
        (x.accountId === undefined || x.accountId === call.accountId) &&
        (x.mutating === undefined || x.mutating === call.mutating) &&
        (x.match === undefined || (call.text ?? '').includes(x.match)),
    );
    if (!f) return undefined;
    if (f.kind !== 'dns' && f.skipped < (f.skip ?? 0)) {
      f.skipped += 1;
      return undefined;
    }
    this.use(f);
    return f as Extract<Fault, { kind: K }>;
  }

  /** The DNS fault for a VPC's resolver (consumes a use per query when counted). */
  dnsFault(vpcId: string): DnsFault | undefined {
    const f = this.faults.find((x) => x.kind === 'dns' && x.vpcId === vpcId);
    if (!f || f.kind !== 'dns') return undefined;
    this.use(f);
    return { dropRatio: f.dropRatio, delayMs: f.delayMs, servfail: f.servfail };
  }

  private use(f: Fault): void {
    f.used += 1;
    if (f.count !== undefined && f.used >= f.count) this.faults = this.faults.filter((x) => x !== f);
  }
}
