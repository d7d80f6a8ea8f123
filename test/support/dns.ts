// A minimal DNS client for tests (UDP, TCP on truncation), bounded by a timeout.
import dgram from 'node:dgram';
import net from 'node:net';
import * as dnsPacket from 'dns-packet';

export interface DnsReply {
  rcode: string;
  truncated: boolean;
  /** A/AAAA addresses in the answer, sorted. */
  addresses: string[];
  answers: dnsPacket.Answer[];
}

let nextId = 1;

function toReply(p: dnsPacket.Packet): DnsReply {
  const answers = p.answers ?? [];
  const addresses = answers
    .filter((a) => a.type === 'A' || a.type === 'AAAA')
    .map((a) => String((a as { data: unknown }).data))
    .sort();
  return { rcode: (p as { rcode?: string }).rcode ?? 'NOERROR', truncated: Boolean((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE), addresses, answers };
}

function parseAddr(resolver: string): { host: string; port: number } {
  const i = resolver.lastIndexOf(':');
  return { host: resolver.slice(0, i), port: Number(resolver.slice(i + 1)) };
}

export function queryUdp(resolver: string, name: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 2000): Promise<DnsReply> {
  const { host, port } = parseAddr(resolver);
  const id = (nextId = (nextId % 65535) + 1);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`DNS timeout: ${name} ${type} @${resolver}`));
    }, timeoutMs);
    sock.on('message', (msg) => {
      const p = dnsPacket.decode(msg);
      if (p.id !== id) return;
      clearTimeout(timer);
      sock.close();
      resolve(toReply(p));
    });
    sock.send(query, port, host);
  });
}

export function queryTcp(resolver: string, name: string, type: 'A' | 'AAAA' = 'A', timeoutMs = 2000): Promise<DnsReply> {
  const { host, port } = parseAddr(resolver);
  const id = (nextId = (nextId % 65535) + 1);
  const query = dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });
  const framed = Buffer.concat([Buffer.from([query.length >> 8, query.length & 0xff]), query]);
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, host);
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`DNS/TCP timeout: ${name} ${type} @${resolver}`));
    }, timeoutMs);
    sock.on('connect', () => sock.write(framed));
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      clearTimeout(timer);
      sock.destroy();
      resolve(toReply(dnsPacket.decode(buf.subarray(2, 2 + len))));
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** UDP, retried over TCP when the reply is truncated (what a stub resolver does). */
export async function query(resolver: string, name: string, type: 'A' | 'AAAA' = 'A'): Promise<DnsReply> {
  const r = await queryUdp(resolver, name, type);
  return r.truncated ? queryTcp(resolver, name, type) : r;
}
