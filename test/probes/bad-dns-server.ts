// A deliberately bad DNS server for prober tests: loopback UDP + TCP on one port, and a script per
// query saying what to send back (nothing, garbage, wrong ids, wrong questions, replies from
// another port, truncated replies, TCP replies split across writes, late replies).
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Answer, DecodedPacket, Packet } from 'dns-packet';

export type Transport = 'udp' | 'tcp';

export interface Send {
  /** A packet to encode, or raw bytes. */
  send: Packet | Buffer;
  delayMs?: number;
  /** UDP: send from a second socket (another source port). */
  fromOtherPort?: boolean;
  /** TCP: write the framed bytes in pieces cut at these offsets, a few ms apart. */
  splitAt?: number[];
}

export interface Received {
  transport: Transport;
  id: number;
  name: string;
  type: string;
  at: number;
}

export type Script = (q: DecodedPacket, transport: Transport, nth: number) => Send[];

export interface BadServer {
  host: string;
  port: number;
  received: Received[];
  /** Queries received but not yet replied to (for the id-exhaustion test). */
  outstanding: Set<number>;
  maxOutstanding: number;
  /** Queries that arrived while another query with the same id was still unanswered. */
  duplicateIds: number;
  close(): Promise<void>;
}

/** A reply to q: same id and question unless overridden. */
export function reply(q: DecodedPacket, opts: { rcode?: number; answers?: Answer[]; tc?: boolean; id?: number; question?: { name: string; type?: string } } = {}): Packet {
  const question = opts.question
    ? [{ name: opts.question.name, type: (opts.question.type ?? q.questions![0]!.type) as 'A', class: 'IN' as const }]
    : q.questions;
  return {
    type: 'response',
    id: opts.id ?? q.id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (opts.tc ? dnsPacket.TRUNCATED_RESPONSE : 0) | (opts.rcode ?? 0),
    questions: question,
    answers: opts.answers ?? [],
  };
}

export const a = (name: string, ip: string): Answer => ({ type: 'A', name, ttl: 60, class: 'IN', data: ip });
export const aaaa = (name: string, ip: string): Answer => ({ type: 'AAAA', name, ttl: 60, class: 'IN', data: ip });
export const cname = (name: string, target: string): Answer => ({ type: 'CNAME', name, ttl: 60, class: 'IN', data: target });

export const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 };

export async function startBadServer(script: Script): Promise<BadServer> {
  const host = '127.0.0.1';
  const timers = new Set<NodeJS.Timeout>();
  const tcpSockets = new Set<net.Socket>();
  const received: Received[] = [];
  const outstanding = new Set<number>();
  const counts = new Map<string, number>();
  const state = { maxOutstanding: 0, duplicateIds: 0 };

  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const encode = (s: Send): Buffer => (Buffer.isBuffer(s.send) ? s.send : dnsPacket.encode(s.send));
  const plan = (msg: Buffer, transport: Transport): { q: DecodedPacket; sends: Send[] } => {
    const q = dnsPacket.decode(msg);
    const question = q.questions![0]!;
    received.push({ transport, id: q.id!, name: question.name, type: question.type, at: Date.now() });
    const key = `${transport}|${question.name.toLowerCase()}|${question.type}`;
    const nth = counts.get(key) ?? 0;
    counts.set(key, nth + 1);
    if (outstanding.has(q.id!)) state.duplicateIds++;
    outstanding.add(q.id!);
    state.maxOutstanding = Math.max(state.maxOutstanding, outstanding.size);
    return { q, sends: script(q, transport, nth) };
  };

  const udp = dgram.createSocket('udp4');
  const other = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    const { q, sends } = plan(msg, 'udp');
    if (sends.length === 0) outstanding.delete(q.id!);
    sends.forEach((s, i) =>
      later(s.delayMs ?? 0, () => {
        if (i === sends.length - 1) outstanding.delete(q.id!);
        (s.fromOtherPort ? other : udp).send(encode(s), rinfo.port, rinfo.address);
      }),
    );
  });
  await new Promise<void>((r) => other.bind(0, host, r));

  const tcp = net.createServer((sock) => {
    tcpSockets.add(sock);
    sock.on('close', () => tcpSockets.delete(sock));
    sock.on('error', () => undefined);
    let buf = Buffer.alloc(0);
    sock.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const { q, sends } = plan(Buffer.from(msg), 'tcp');
        for (const s of sends) {
          const body = encode(s);
          const framed = Buffer.concat([Buffer.from([body.length >> 8, body.length & 0xff]), body]);
          const cuts = [0, ...(s.splitAt ?? []), framed.length];
          cuts.slice(0, -1).forEach((from, i) =>
            later((s.delayMs ?? 0) + i * 5, () => {
              if (!sock.destroyed) sock.write(framed.subarray(from, cuts[i + 1]));
            }),
          );
        }
        outstanding.delete(q.id!);
      }
    });
  });
  // TCP first on a free port, then UDP on the same number; another process may hold that UDP
  // port, so try again with a new one (bounded).
  let port = 0;
  for (let attempt = 1; ; attempt++) {
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(0, host, () => resolve());
    });
    port = (tcp.address() as net.AddressInfo).port;
    const bound = await new Promise<boolean>((resolve) => {
      udp.once('error', () => resolve(false));
      udp.bind(port, host, () => resolve(true));
    });
    if (bound) break;
    await new Promise<void>((r) => tcp.close(() => r()));
    if (attempt >= 20) throw new Error('could not bind the bad DNS server on one port for UDP and TCP');
  }

  return {
    host,
    port,
    received,
    outstanding,
    get maxOutstanding() {
      return state.maxOutstanding;
    },
    get duplicateIds() {
      return state.duplicateIds;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of tcpSockets) s.destroy();
      await new Promise<void>((r) => udp.close(() => r()));
      await new Promise<void>((r) => other.close(() => r()));
      await new Promise<void>((r) => tcp.close(() => r()));
    },
  };
}
