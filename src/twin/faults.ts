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
  /**
   * The call fails with this error (default: the service's internal error). after: the operation
   * is applied to the world first and the error answered instead of its reply — a reply lost after
   * AWS applied the call (a client retrying a conditional PUT then meets its own write).
   */
  | (Match & { kind: 'error'; status?: number; code?: string; message?: string; after?: boolean })
  | (Match & { kind: 'fail-association' })
  | (Match & { kind: 'slow'; factor: number })
  | (Match & { kind: 'hold'; phase: 'before' | 'after' })
  | { kind: 'dns'; vpcId: string; dropRatio?: number; delayMs?: number; servfail?: boolean; count?: number }
  /**
   * The SSM Agent of this instance stops talking to Systems Manager until the fault is cleared:
   * DescribeInstanceInformation says ConnectionLost, commands sent to it stay Pending and end
   * TimedOut / "Delivery Timed Out" at their TimeoutSeconds. Clearing it brings the agent back
   * (it then picks up what is still Pending).
   */
  | { kind: 'ssm-agent-offline'; instanceId: string }
  /**
   * The next command invocation(s) on this instance (any instance when omitted) end Failed with
   * ResponseCode 1 and no output, as a script that exits 1 silently would. Consumed per
   * invocation when SendCommand accepts it.
   */
  | { kind: 'ssm-command-fail'; instanceId?: string; accountId?: string; count?: number };

export type Fault = FaultSpec & { id: string; used: number; skipped: number; /** Twin clock when added. */ addedAt: number };
type MatchFault = Extract<Fault, { kind: 'throttle' | 'error' | 'fail-association' | 'slow' | 'hold' }>;
const MATCH_KINDS = new Set(['throttle', 'error', 'fail-association', 'slow', 'hold']);
const isMatchFault = (f: Fault): f is MatchFault => MATCH_KINDS.has(f.kind);

/** Builders for the SSM faults (the same JSON POST /_twin/faults takes). */
export const ssmFaults = {
  agentOffline: (instanceId: string): FaultSpec => ({ kind: 'ssm-agent-offline', instanceId }),
  commandFails: (instanceId?: string, count?: number): FaultSpec => ({
    kind: 'ssm-command-fail',
    ...(instanceId !== undefined ? { instanceId } : {}),
    ...(count !== undefined ? { count } : {}),
  }),
  throttle: (operation?: string, count?: number): FaultSpec => ({
    kind: 'throttle',
    service: 'ssm',
    ...(operation !== undefined ? { operation } : {}),
    ...(count !== undefined ? { count } : {}),
  }),
};

export interface DnsFault {
  dropRatio?: number;
  delayMs?: number;
  servfail?: boolean;
}

const KINDS = ['throttle', 'error', 'fail-association', 'slow', 'hold', 'dns', 'ssm-agent-offline', 'ssm-command-fail'];
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

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
  if (f.after !== undefined && f.kind !== 'error') return 'after applies to error faults only';
  if (f.after !== undefined && typeof f.after !== 'boolean') return 'after must be true or false';
  if (f.kind === 'error') {
    if (f.status !== undefined && !(Number.isInteger(f.status) && (f.status as number) >= 300 && (f.status as number) <= 599)) return 'status must be an HTTP status from 300 to 599';
    if (f.code !== undefined && (typeof f.code !== 'string' || f.code === '')) return 'code must be a non-empty string';
    if (f.message !== undefined && typeof f.message !== 'string') return 'message must be a string';
  }
  if (f.kind === 'dns') {
    if (typeof f.vpcId !== 'string') return 'dns needs vpcId';
    if (f.dropRatio !== undefined && !(typeof f.dropRatio === 'number' && f.dropRatio >= 0 && f.dropRatio <= 1)) {
      return 'dropRatio must be between 0 and 1';
    }
  }
  if (f.kind === 'ssm-agent-offline') {
    if (typeof f.instanceId !== 'string' || !INSTANCE_ID.test(f.instanceId)) return 'ssm-agent-offline needs instanceId (i- and 8 or 17 hex digits)';
    if (f.count !== undefined) return 'ssm-agent-offline takes no count: it holds until cleared (DELETE /_twin/faults/<id>)';
  }
  if (f.kind === 'ssm-command-fail') {
    if (f.instanceId !== undefined && (typeof f.instanceId !== 'string' || !INSTANCE_ID.test(f.instanceId))) {
      return 'ssm-command-fail: instanceId must be i- and 8 or 17 hex digits';
    }
    if (f.accountId !== undefined && typeof f.accountId !== 'string') return 'ssm-command-fail: accountId must be a string';
  }
  return f as unknown as FaultSpec;
}

export class FaultStore {
  private faults: Fault[] = [];
  private counter = 0;

  constructor(private now: () => number = Date.now) {}

  add(spec: FaultSpec): Fault {
    const fault = { ...spec, id: `fault-${++this.counter}`, used: 0, skipped: 0, addedAt: this.now() } as Fault;
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
      (x): x is MatchFault =>
        x.kind === kind &&
        isMatchFault(x) &&
        (x.service === undefined || x.service === call.service) &&
        (x.operation === undefined || x.operation === call.operation) &&
        (x.accountId === undefined || x.accountId === call.accountId) &&
        (x.mutating === undefined || x.mutating === call.mutating) &&
        (x.match === undefined || (call.text ?? '').includes(x.match)),
    );
    if (!f) return undefined;
    if (f.skipped < (f.skip ?? 0)) {
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

  /** The standing `ssm-agent-offline` fault on this instance, if any (not consumed). */
  agentOffline(instanceId: string): { since: number } | undefined {
    const f = this.faults.find((x) => x.kind === 'ssm-agent-offline' && x.instanceId === instanceId);
    return f ? { since: f.addedAt } : undefined;
  }

  /** Consumes one `ssm-command-fail` use aimed at this invocation, if any. */
  takeCommandFail(instanceId: string, accountId: string): boolean {
    const f = this.faults.find(
      (x) =>
        x.kind === 'ssm-command-fail' &&
        (x.instanceId === undefined || x.instanceId === instanceId) &&
        (x.accountId === undefined || x.accountId === accountId),
    );
    if (!f) return false;
    this.use(f);
    return true;
  }

  private use(f: Fault): void {
    f.used += 1;
    const count = 'count' in f ? f.count : undefined;
    if (count !== undefined && f.used >= count) this.faults = this.faults.filter((x) => x !== f);
  }
}
