// The DNS prober: one UDP socket per address family multiplexes every query; replies are matched
// to queries by server address/port, id and question, and anything else is a stray (counted,
// never trusted). Each query has a per-attempt timeout and a bounded number of resends; a
// truncated reply moves that query to TCP (RFC 1035 §4.2.2 two-byte length framing, done here).
import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket } from 'dns-packet';
import { canonical, followChain, normaliseAddress } from './answers.js';
import type { QueryType, ResolverAddress } from './targets.js';

export interface ProberOptions {
  /** How long one attempt waits for its reply (UDP send, or the whole TCP exchange). */
  timeoutMs?: number;
  /** Resends after the first UDP attempt times out. */
  retries?: number;
  /** Ids in flight per server at once (the 16-bit id space; lower it to test exhaustion). */
  maxInFlightPerServer?: number;
  /** Monotonic milliseconds for latency (injected in tests). */
  now?: () => number;
  /** Where ids start (random by default, so two probers don't walk the same sequence). */
  random?: () => number;
  /** Socket receive buffer, so a burst of replies isn't dropped by the kernel. */
  recvBufferBytes?: number;
}

export type Transport = 'udp' | 'tcp';

interface ReplyBase {
  latencyMs: number;
  /** UDP sends (first + resends) plus TCP connections. */
  attempts: number;
  transport: Transport;
}

export type ProbeReply =
  | (ReplyBase & {
      outcome: 'reply';
      rcode: string;
      /** The final A/AAAA set after following CNAMEs, normalised and sorted. */
      addresses: string[];
      /** The names followed, starting with the query name. */
      chain: string[];
      /** Set when NOERROR but the chain gave no addresses (NODATA, broken chain, loop). */
      chainError?: string;
    })
  | (ReplyBase & { outcome: 'timeout' })
  | (ReplyBase & { outcome: 'error'; error: string });

export interface ProberStats {
  sent: number;
  resends: number;
  accepted: number;
  strays: number;
  tcpFallbacks: number;
  /** Queries that had to wait because their server's id space was full. */
  queued: number;
}

interface Pending {
  server: ServerState;
  id: number;
  name: string;
  nameKey: string;
  qtype: QueryType;
  attempts: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
  transport: Transport;
  tcp?: net.Socket;
  /** A reply from the right server and id that could not be decoded (kept in case no good one comes). */
  malformed?: string;
  packet?: Buffer;
  done: boolean;
  resolve(r: ProbeReply): void;
  reject(e: unknown): void;
  signal?: AbortSignal;
}

interface ServerState {
  key: string;
  host: string;
  port: number;
  family: 4 | 6;
  inFlight: Map<number, Pending>;
  nextId: number;
  waiting: Pending[];
}

const DEFAULT_TIMEOUT_MS = 1000;
const DEFAULT_RETRIES = 2;
const ID_SPACE = 65_536;
const HEADER_BYTES = 12;

export class Prober {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly recvBufferBytes: number;
  private readonly servers = new Map<string, ServerState>();
  private readonly sockets = new Map<4 | 6, Promise<dgram.Socket>>();
  /** Queries in flight per caller signal (see watch). */
  private readonly watched = new WeakMap<AbortSignal, Set<Pending>>();
  private closed = false;
  readonly stats: ProberStats = { sent: 0, resends: 0, accepted: 0, strays: 0, tcpFallbacks: 0, queued: 0 };

  constructor(opts: ProberOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retries = Math.max(0, opts.retries ?? DEFAULT_RETRIES);
    this.maxInFlight = Math.min(ID_SPACE, Math.max(1, opts.maxInFlightPerServer ?? ID_SPACE));
    this.now = opts.now ?? (() => performance.now());
    this.random = opts.random ?? Math.random;
    this.recvBufferBytes = opts.recvBufferBytes ?? 4 * 1024 * 1024;
  }

  /** Replies that matched no in-flight query (wrong source, id or question, undecodable). */
  get strays(): number {
    return this.stats.strays;
  }

  /**
   * Asks `server` for `name`. Resolves with what happened (reply, timeout or error) and rejects
   * only when `signal` aborts or the prober closes.
   */
  query(server: ResolverAddress, name: string, qtype: QueryType = 'A', opts: { signal?: AbortSignal } = {}): Promise<ProbeReply> {
    if (this.closed) return Promise.reject(new Error('prober is closed'));
    if (opts.signal?.aborted) return Promise.reject(opts.signal.reason);
    return new Promise<ProbeReply>((resolve, reject) => {
      const state = this.serverState(server);
      const pending: Pending = {
        server: state,
        id: -1,
        name: name.replace(/\.$/, ''),
        nameKey: canonical(name),
        qtype,
        attempts: 0,
        startedAt: this.now(),
        transport: 'udp',
        done: false,
        resolve,
        reject,
        signal: opts.signal,
      };
      if (opts.signal) this.watch(opts.signal, pending);
      if (state.inFlight.size >= this.maxInFlight) {
        this.stats.queued++;
        state.waiting.push(pending);
        return;
      }
      this.start(pending);
    });
  }

  /**
   * One abort listener per signal, not per query: a monitor's thousands of queries a second share
   * its signal, and adding a listener to an EventTarget costs more the more it already has.
   */
  private watch(signal: AbortSignal, p: Pending): void {
    let set = this.watched.get(signal);
    if (!set) {
      const queries = (set = new Set<Pending>());
      this.watched.set(signal, set);
      signal.addEventListener('abort', () => {
        this.watched.delete(signal);
        for (const q of [...queries]) this.fail(q, signal.reason);
      }, { once: true });
    }
    set.add(p);
  }

  private unwatch(signal: AbortSignal, p: Pending): void {
    this.watched.get(signal)?.delete(p);
  }

  /** Cancels every query (they reject) and releases the sockets. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('prober closed');
    for (const state of this.servers.values()) {
      for (const p of [...state.inFlight.values(), ...state.waiting]) this.fail(p, error);
    }
    const sockets = await Promise.allSettled([...this.sockets.values()]);
    this.sockets.clear();
    await Promise.all(
      sockets.map((s) => (s.status === 'fulfilled' ? new Promise<void>((r) => s.value.close(() => r())) : undefined)),
    );
  }

  private serverState(server: ResolverAddress): ServerState {
    const family = net.isIP(server.host);
    if (family === 0) throw new Error(`resolver host must be an IP address (got ${server.host})`);
    const host = normaliseAddress(server.host);
    const key = `${host}|${server.port}`;
    let state = this.servers.get(key);
    if (!state) {
      state = {
        key,
        host,
        port: server.port,
        family: family as 4 | 6,
        inFlight: new Map(),
        nextId: Math.floor(this.random() * ID_SPACE) % ID_SPACE,
        waiting: [],
      };
      this.servers.set(key, state);
    }
    return state;
  }

  /** Reserves an id unused by any in-flight query to this server, then sends. */
  private start(p: Pending): void {
    const state = p.server;
    // Sequential from a random start: an id comes back only after the whole space has been used,
    // so a late reply to a finished query can't be taken for a newer one with the same question.
    let id = state.nextId;
    while (state.inFlight.has(id)) id = (id + 1) % ID_SPACE;
    state.nextId = (id + 1) % ID_SPACE;
    p.id = id;
    state.inFlight.set(id, p);
    p.packet = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type: p.qtype, name: p.name, class: 'IN' }],
    });
    this.sendUdp(p);
  }

  private sendUdp(p: Pending): void {
    if (p.done) return;
    p.attempts++;
    if (p.attempts > 1) this.stats.resends++;
    this.stats.sent++;
    p.timer = setTimeout(() => this.onUdpTimeout(p), this.timeoutMs);
    this.socket(p.server.family).then(
      (sock) => {
        if (p.done) return;
        sock.send(p.packet!, p.server.port, p.server.host, (err) => {
          if (err) this.finish(p, { outcome: 'error', error: `send failed: ${err.message}`, ...this.base(p) });
        });
      },
      (err: Error) => this.finish(p, { outcome: 'error', error: `socket failed: ${err.message}`, ...this.base(p) }),
    );
  }

  private onUdpTimeout(p: Pending): void {
    if (p.done) return;
    if (p.attempts <= this.retries) return this.sendUdp(p);
    if (p.malformed) return this.finish(p, { outcome: 'error', error: `malformed reply: ${p.malformed}`, ...this.base(p) });
    this.finish(p, { outcome: 'timeout', ...this.base(p) });
  }

  private socket(family: 4 | 6): Promise<dgram.Socket> {
    let s = this.sockets.get(family);
    if (!s) {
      s = new Promise<dgram.Socket>((resolve, reject) => {
        const sock = dgram.createSocket(family === 4 ? 'udp4' : 'udp6');
        sock.once('error', reject);
        sock.bind(0, family === 4 ? '0.0.0.0' : '::', () => {
          sock.off('error', reject);
          // A late ICMP error or a send failure must not crash the process; sends report their own.
          sock.on('error', () => undefined);
          try {
            sock.setRecvBufferSize(this.recvBufferBytes);
          } catch {
            // The kernel may cap it; the default still works, just with less burst headroom.
          }
          sock.on('message', (msg, rinfo) => this.onUdpMessage(msg, rinfo));
          resolve(sock);
        });
      });
      this.sockets.set(family, s);
    }
    return s;
  }

  private onUdpMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const state = this.servers.get(`${normaliseAddress(rinfo.address)}|${rinfo.port}`);
    if (!state || msg.length < HEADER_BYTES) return this.stray();
    const p = state.inFlight.get(msg.readUInt16BE(0));
    if (!p || p.transport !== 'udp') return this.stray();
    const packet = this.decodeFor(p, msg);
    if (!packet) return;
    if (packet.flag_tc) return this.fallBackToTcp(p);
    this.accept(p, packet);
  }

  /** The decoded reply if it answers p's question; otherwise counts a stray and returns undefined. */
  private decodeFor(p: Pending, msg: Buffer): DecodedPacket | undefined {
    let packet: DecodedPacket;
    try {
      packet = dnsPacket.decode(msg);
    } catch (err) {
      p.malformed = (err as Error).message;
      this.stray();
      return undefined;
    }
    const q = packet.questions?.[0];
    const matches =
      packet.flag_qr &&
      packet.id === p.id &&
      packet.questions?.length === 1 &&
      q !== undefined &&
      canonical(q.name) === p.nameKey &&
      q.type === p.qtype &&
      (q.class ?? 'IN') === 'IN';
    if (!matches) {
      this.stray();
      return undefined;
    }
    return packet;
  }

  private stray(): void {
    this.stats.strays++;
  }

  private accept(p: Pending, packet: DecodedPacket): void {
    this.stats.accepted++;
    const rcode = (packet as { rcode?: string }).rcode ?? 'NOERROR';
    const base = this.base(p);
    if (rcode !== 'NOERROR') return this.finish(p, { outcome: 'reply', rcode, addresses: [], chain: [p.nameKey], ...base });
    const chain = followChain(packet.answers ?? [], p.name, p.qtype);
    if (chain.ok) return this.finish(p, { outcome: 'reply', rcode, addresses: chain.addresses, chain: chain.chain, ...base });
    this.finish(p, { outcome: 'reply', rcode, addresses: [], chain: chain.chain, chainError: chain.reason, ...base });
  }

  /** The reply didn't fit in UDP: ask again over TCP on a connection of this query's own. */
  private fallBackToTcp(p: Pending): void {
    clearTimeout(p.timer);
    this.stats.tcpFallbacks++;
    p.transport = 'tcp';
    p.attempts++;
    const framed = Buffer.alloc(2 + p.packet!.length);
    framed.writeUInt16BE(p.packet!.length, 0);
    p.packet!.copy(framed, 2);
    const sock = net.connect({ host: p.server.host, port: p.server.port });
    p.tcp = sock;
    p.timer = setTimeout(() => {
      if (!p.done) this.finish(p, { outcome: 'timeout', ...this.base(p) });
    }, this.timeoutMs);
    let buffered: Buffer = Buffer.alloc(0);
    sock.on('connect', () => sock.write(framed));
    sock.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      // A reply may arrive split across any number of reads, or several messages in one read.
      while (!p.done && buffered.length >= 2) {
        const len = buffered.readUInt16BE(0);
        if (buffered.length < 2 + len) break;
        const msg = buffered.subarray(2, 2 + len);
        buffered = buffered.subarray(2 + len);
        const packet = this.decodeFor(p, msg);
        if (packet) this.accept(p, packet);
      }
    });
    sock.on('error', (err) => {
      if (!p.done) this.finish(p, { outcome: 'error', error: `TCP: ${err.message}`, ...this.base(p) });
    });
    sock.on('close', () => {
      if (p.done) return;
      const why = p.malformed ? `malformed reply: ${p.malformed}` : 'TCP connection closed before a reply';
      this.finish(p, { outcome: 'error', error: why, ...this.base(p) });
    });
  }

  private base(p: Pending): ReplyBase {
    return { latencyMs: Math.max(0, this.now() - p.startedAt), attempts: p.attempts, transport: p.transport };
  }

  private finish(p: Pending, reply: ProbeReply): void {
    if (this.release(p)) p.resolve(reply);
  }

  private fail(p: Pending, error: unknown): void {
    if (this.release(p)) p.reject(error);
  }

  /** Frees p's id and resources and starts the next waiting query; false if p was already done. */
  private release(p: Pending): boolean {
    if (p.done) return false;
    p.done = true;
    clearTimeout(p.timer);
    p.tcp?.destroy();
    if (p.signal) this.unwatch(p.signal, p);
    const state = p.server;
    if (p.id >= 0 && state.inFlight.get(p.id) === p) state.inFlight.delete(p.id);
    else {
      const i = state.waiting.indexOf(p);
      if (i >= 0) state.waiting.splice(i, 1);
    }
    while (!this.closed && state.waiting.length > 0 && state.inFlight.size < this.maxInFlight) {
      this.start(state.waiting.shift()!);
    }
    return true;
  }
}
