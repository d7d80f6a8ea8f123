// One DNS resolver per VPC on loopback, UDP and TCP on the same port, answering each query from
// the twin's World at the moment it arrives (resolution.ts decides the answer).
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';
import type { World } from './world.js';
import { advance } from './world.js';
import { assertLoopback } from './loopback.js';
import { resolveInVpc } from './resolution.js';
import type { DnsAnswer, Rcode } from './resolution.js';

export interface DnsFaultSpec {
  /**
   * Share (0..1) of queries that get no reply at all. Spread evenly over each VPC's queries by
   * default (0.5: never more than two dropped in a row), like a resolver with one of two upstreams
   * gone; with `random` given, each query is a draw.
   */
  dropRatio?: number;
  /** Extra time before the reply is sent. */
  delayMs?: number;
  /** Answer SERVFAIL whatever the world says. */
  servfail?: boolean;
}

export interface ResolverSource {
  world(): World;
  now(): number;
  /** Asked once per query (so a counted fault is consumed once per query). */
  dnsFault?(vpcId: string): DnsFaultSpec | undefined;
}

export interface ResolverOptions {
  /** A loopback address. */
  host?: string;
  /** VPC number i (in the order resolvers start) listens on basePort + i; omitted: OS-assigned. */
  basePort?: number;
  /**
   * Source of draws for dropRatio (tests pin it). Default: per VPC, the golden-ratio sequence, so
   * a drop ratio is met exactly and evenly and a rehearsal with a lossy resolver is repeatable
   * (what it tests is a resolver that loses queries, not a dice roll).
   */
  random?: () => number;
  /** Idle TCP connections are closed after this long. */
  tcpIdleMs?: number;
}

export interface ResolverAddress {
  host: string;
  port: number;
}

export interface VpcResolvers {
  addresses: Map<string, ResolverAddress>;
  /** Starts resolvers for VPCs added to the world since the last start or sync. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

const RCODE: Record<Rcode | 'FORMERR' | 'NOTIMP', number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4 };
/** Classic DNS limit for a UDP reply without EDNS (RFC 1035 §4.2.1). */
const UDP_CLASSIC_LIMIT = 512;
/** What the twin advertises in its own OPT record (the common flag-day value). */
const EDNS_PAYLOAD = 1232;
const HEADER_BYTES = 12;
/** (√5 − 1) / 2: the additive step whose multiples mod 1 are the most evenly spread. */
const GOLDEN_FRACTION = 0.6180339887498949;

interface Listener {
  vpcId: string;
  udp: dgram.Socket;
  tcp: net.Server;
  port: number;
}

export async function startVpcResolvers(source: ResolverSource, opts: ResolverOptions = {}): Promise<VpcResolvers> {
  const host = opts.host ?? '127.0.0.1';
  assertLoopback(host);
  const random = opts.random;
  const spread = new Map<string, () => number>();
  const drawFor = (vpcId: string): (() => number) => {
    if (random) return random;
    let draw = spread.get(vpcId);
    if (!draw) {
      let x = 0;
      draw = () => (x = (x + GOLDEN_FRACTION) % 1);
      spread.set(vpcId, draw);
    }
    return draw;
  };
  const tcpIdleMs = opts.tcpIdleMs ?? 30_000;
  const listeners = new Map<string, Listener>();
  const addresses = new Map<string, ResolverAddress>();
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let started = 0;
  let closed = false;

  /** Sends after the fault's delay (if any), unless the resolvers closed meanwhile. */
  const later = (send: () => void, delayMs: number): void => {
    if (delayMs <= 0) return send();
    const t = setTimeout(() => {
      timers.delete(t);
      if (!closed) send();
    }, delayMs);
    timers.add(t);
  };

  const startOne = async (vpcId: string): Promise<void> => {
    const index = started++;
    const wanted = opts.basePort !== undefined ? opts.basePort + index : 0;
    const handleUdp = (msg: Buffer, rinfo: dgram.RemoteInfo, udp: dgram.Socket): void => {
      const { reply, delayMs } = decide(source, vpcId, msg, 'udp', drawFor(vpcId));
      if (!reply) return;
      later(() => udp.send(reply, rinfo.port, rinfo.address, () => undefined), delayMs);
    };
    const handleTcp = (socket: net.Socket): void => {
      sockets.add(socket);
      socket.setTimeout(tcpIdleMs, () => socket.destroy());
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      let pending = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        pending = Buffer.concat([pending, chunk]);
        // RFC 1035 §4.2.2: each message is preceded by its two-byte length.
        while (pending.length >= 2) {
          const len = pending.readUInt16BE(0);
          if (pending.length < 2 + len) break;
          const msg = pending.subarray(2, 2 + len);
          pending = pending.subarray(2 + len);
          if (len === 0) continue;
          const { reply, delayMs } = decide(source, vpcId, Buffer.from(msg), 'tcp', drawFor(vpcId));
          if (!reply) continue;
          const framed = Buffer.alloc(2 + reply.length);
          framed.writeUInt16BE(reply.length, 0);
          reply.copy(framed, 2);
          later(() => {
            if (!socket.destroyed) socket.write(framed);
          }, delayMs);
        }
      });
    };
    const listener = await bindPair(host, wanted, handleUdp, handleTcp);
    listeners.set(vpcId, { vpcId, ...listener });
    addresses.set(vpcId, { host, port: listener.port });
  };

  // Syncs run one after another, so two overlapping calls can't start a VPC's resolver twice.
  let syncing: Promise<void> = Promise.resolve();
  const sync = (): Promise<void> => {
    const run = syncing.then(async () => {
      if (closed) throw new Error('resolvers are closed');
      for (const vpc of source.world().vpcs) {
        if (!listeners.has(vpc.id)) await startOne(vpc.id);
      }
    });
    syncing = run.catch(() => undefined);
    return run;
  };

  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    for (const s of sockets) s.destroy();
    await Promise.all(
      [...listeners.values()].map(
        (l) =>
          new Promise<void>((resolve) => {
            let left = 2;
            const done = (): void => {
              if (--left === 0) resolve();
            };
            l.udp.close(done);
            l.tcp.close(() => done());
          }),
      ),
    );
    listeners.clear();
    addresses.clear();
  };

  try {
    await sync();
  } catch (err) {
    await close();
    throw err;
  }
  return { addresses, sync, close };
}

interface Decision {
  /** Undefined: stay silent (a dropped query, or a packet that isn't a query). */
  reply?: Buffer;
  delayMs: number;
}

/** Whatever a packet holds, a resolver must never throw out of its socket handlers. */
function decide(source: ResolverSource, vpcId: string, raw: Buffer, transport: 'udp' | 'tcp', random: () => number): Decision {
  try {
    return answerFrom(source, vpcId, raw, transport, random);
  } catch {
    return { delayMs: 0 };
  }
}

/** Decides the reply to one raw query and how long to hold it. */
function answerFrom(source: ResolverSource, vpcId: string, raw: Buffer, transport: 'udp' | 'tcp', random: () => number): Decision {
  let query: DecodedPacket;
  try {
    query = dnsPacket.decode(raw);
  } catch {
    const reply = formatErrorFromHeader(raw);
    return reply ? { reply, delayMs: 0 } : { delayMs: 0 };
  }
  if (query.flag_qr) return { delayMs: 0 }; // a response sent to us: never answer (no reflection loops)
  const questions = query.questions ?? [];
  const question = questions[0];
  if (!question || questions.length !== 1) return { reply: encodeReply(query, 'FORMERR', [], transport), delayMs: 0 };
  if (((query.flags ?? 0) >> 11) & 0xf) return { reply: encodeReply(query, 'NOTIMP', [], transport), delayMs: 0 };

  const fault = source.dnsFault?.(vpcId);
  const delayMs = fault?.delayMs ?? 0;
  if (fault?.dropRatio !== undefined && fault.dropRatio > 0 && random() < fault.dropRatio) return { delayMs: 0 };
  if (fault?.servfail) return { reply: encodeReply(query, 'SERVFAIL', [], transport), delayMs };

  try {
    // Answer from the world as it is when the query arrives (a delay only holds the reply back).
    const world = source.world();
    const now = source.now();
    advance(world, now);
    const result = resolveInVpc(world, vpcId, question.name, String(question.type), now);
    return { reply: encodeReply(query, result.rcode, result.answers, transport), delayMs };
  } catch {
    // A world the resolver can't read must not take the server down.
    return { reply: encodeReply(query, 'SERVFAIL', [], transport), delayMs };
  }
}

function encodeReply(query: DecodedPacket, rcode: Rcode | 'FORMERR' | 'NOTIMP', answers: DnsAnswer[], transport: 'udp' | 'tcp'): Buffer {
  const opt = query.additionals?.find((a) => a.type === 'OPT');
  const flags = (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | dnsPacket.RECURSION_AVAILABLE | RCODE[rcode];
  const reply: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers: answers.map(toWire).filter((a): a is Answer => a !== undefined),
    additionals: opt ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [],
  };
  const full = dnsPacket.encode(reply);
  if (transport === 'tcp') return full;
  const limit = opt && opt.type === 'OPT' ? Math.max(UDP_CLASSIC_LIMIT, Math.min(opt.udpPayloadSize, 65_535)) : UDP_CLASSIC_LIMIT;
  if (full.length <= limit) return full;
  // Too big for this UDP reply: TC set and no answers, so the client asks again over TCP.
  return dnsPacket.encode({ ...reply, flags: flags | dnsPacket.TRUNCATED_RESPONSE, answers: [] });
}

/** A query whose body doesn't parse: FORMERR if at least the header is there, else silence. */
function formatErrorFromHeader(raw: Buffer): Buffer | undefined {
  if (raw.length < HEADER_BYTES) return undefined;
  const flags = raw.readUInt16BE(2);
  if (flags & 0x8000) return undefined; // not a query
  const out = Buffer.alloc(HEADER_BYTES);
  raw.copy(out, 0, 0, 2); // same id
  out.writeUInt16BE(0x8000 | (flags & 0x7800) | (flags & 0x0100) | 0x0080 | RCODE.FORMERR, 2);
  return out; // zero counts: the question couldn't be read back
}

function toWire(a: DnsAnswer): Answer | undefined {
  const base = { name: a.name, ttl: a.ttl, class: 'IN' as const };
  switch (a.type) {
    case 'A':
    case 'AAAA':
    case 'CNAME':
    case 'NS':
    case 'PTR':
      return { ...base, type: a.type, data: a.data };
    case 'TXT':
      return { ...base, type: 'TXT', data: unquoteTxt(a.data) };
    case 'MX': {
      const [pref, exchange] = a.data.trim().split(/\s+/);
      return { ...base, type: 'MX', data: { preference: Number(pref), exchange: (exchange ?? '').replace(/\.$/, '') } };
    }
    case 'SOA': {
      const [mname = '', rname = '', serial, refresh, retry, expire, minimum] = a.data.trim().split(/\s+/);
      return {
        ...base,
        type: 'SOA',
        data: {
          mname: mname.replace(/\.$/, ''),
          rname: rname.replace(/\.$/, ''),
          serial: Number(serial ?? 1),
          refresh: Number(refresh ?? 7200),
          retry: Number(retry ?? 900),
          expire: Number(expire ?? 1209600),
          minimum: Number(minimum ?? 86400),
        },
      };
    }
    default:
      return undefined; // a type the twin can't put on the wire is left out rather than garbled
  }
}

/** Route 53 stores TXT values quoted (`"a" "b"`); the wire wants the bare strings. */
function unquoteTxt(value: string): string[] {
  const parts = [...value.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => (m[1] ?? '').replace(/\\(.)/g, '$1'));
  return parts.length > 0 ? parts : [value];
}

/** Binds UDP and TCP on one port; with an OS-assigned port, retries when TCP finds it taken. */
async function bindPair(
  host: string,
  wanted: number,
  onUdp: (msg: Buffer, rinfo: dgram.RemoteInfo, udp: dgram.Socket) => void,
  onTcp: (socket: net.Socket) => void,
): Promise<{ udp: dgram.Socket; tcp: net.Server; port: number }> {
  const attempts = wanted === 0 ? 20 : 1;
  let lastError: unknown;
  for (let i = 0; i < attempts; i++) {
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => onUdp(msg, rinfo, udp));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(wanted, host, () => {
          udp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      lastError = err;
      udp.close();
      continue;
    }
    // After binding, a send error (e.g. the client went away) must not crash the process.
    udp.on('error', () => undefined);
    const port = udp.address().port;
    const tcp = net.createServer(onTcp);
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(port, host, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      lastError = err;
      await new Promise<void>((resolve) => udp.close(() => resolve()));
      continue;
    }
    tcp.on('error', () => undefined);
    return { udp, tcp, port };
  }
  throw new Error(`could not bind a DNS resolver on ${host}:${wanted || '(any)'}: ${String(lastError)}`);
}
