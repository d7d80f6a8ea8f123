// The per-VPC resolvers on loopback, queried over UDP and TCP by a small dns-packet client.
// Facts: DESIGN.md §4 (one resolver per VPC, answers from the world at query time), RFC 1035
// (§4.2.1 UDP 512-byte limit and TC, §4.2.2 TCP length prefix), RFC 6891 (EDNS payload size).
import dgram from 'node:dgram';
import net from 'node:net';
import { promises as dns } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import * as dnsPacket from 'dns-packet';
import type { DecodedPacket, Packet } from 'dns-packet';
import { ManualClock } from '../../src/twin/clock.js';
import type { World } from '../../src/twin/world.js';
import { startVpcResolvers } from '../../src/twin/dns-server.js';
import type { DnsFaultSpec, ResolverAddress, VpcResolvers } from '../../src/twin/dns-server.js';
import {
  LAMBDA,
  addEndpoint,
  addProfile,
  addVpc,
  addZone,
  aliasRecord,
  associateProfile,
  associateZoneWithProfile,
  detachZoneFromVpc,
  newWorld,
  record,
  regionalDnsName,
} from './dns-fixtures.js';

const T0 = 1_700_000_000_000;
const ENI_IPS = ['10.0.1.10', '10.0.2.10'];
const TIMEOUT_MS = 1_500;

// ---------- a minimal client ----------

function queryPacket(name: string, type: string, opts: { id?: number; ednsPayload?: number } = {}): Buffer {
  const packet: Packet = {
    type: 'query',
    id: opts.id ?? Math.floor(Math.random() * 65_535),
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A' }],
    additionals:
      opts.ednsPayload !== undefined
        ? [{ type: 'OPT', name: '.', udpPayloadSize: opts.ednsPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
        : [],
  };
  return dnsPacket.encode(packet);
}

/** Sends one datagram; resolves with the first reply or 'timeout'. */
function udpExchange(addr: ResolverAddress, payload: Buffer, timeoutMs = TIMEOUT_MS): Promise<Buffer | 'timeout'> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    function finish(v: Buffer | 'timeout'): void {
      clearTimeout(timer);
      sock.close();
      resolve(v);
    }
    sock.on('error', (err) => {
      clearTimeout(timer);
      sock.close();
      reject(err);
    });
    sock.on('message', (msg) => finish(msg));
    sock.send(payload, addr.port, addr.host);
  });
}

async function udpQuery(addr: ResolverAddress, name: string, type = 'A', opts: { id?: number; ednsPayload?: number } = {}): Promise<DecodedPacket> {
  const reply = await udpExchange(addr, queryPacket(name, type, opts));
  if (reply === 'timeout') throw new Error(`no UDP reply for ${name}`);
  return dnsPacket.decode(reply);
}

/** Writes the payloads (each framed) on one connection, in the given chunks, and reads n replies. */
function tcpExchange(addr: ResolverAddress, messages: Buffer[], opts: { splitAt?: number; expect?: number; timeoutMs?: number } = {}): Promise<Buffer[]> {
  const framed = Buffer.concat(
    messages.map((m) => {
      const b = Buffer.alloc(2 + m.length);
      b.writeUInt16BE(m.length, 0);
      m.copy(b, 2);
      return b;
    }),
  );
  const want = opts.expect ?? messages.length;
  return new Promise((resolve, reject) => {
    const socket = net.connect(addr.port, addr.host);
    const replies: Buffer[] = [];
    let pending = Buffer.alloc(0);
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(replies);
    }, opts.timeoutMs ?? TIMEOUT_MS);
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('connect', () => {
      if (opts.splitAt === undefined) {
        socket.write(framed);
      } else {
        // Byte by byte across two writes: the server must reassemble by the length prefix.
        socket.write(framed.subarray(0, opts.splitAt));
        setTimeout(() => socket.write(framed.subarray(opts.splitAt)), 20);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const len = pending.readUInt16BE(0);
        replies.push(Buffer.from(pending.subarray(2, 2 + len)));
        pending = pending.subarray(2 + len);
      }
      if (replies.length >= want) {
        clearTimeout(timer);
        socket.destroy();
        resolve(replies);
      }
    });
  });
}

async function tcpQuery(addr: ResolverAddress, name: string, type = 'A', id = 4242): Promise<DecodedPacket> {
  const [reply] = await tcpExchange(addr, [queryPacket(name, type, { id })]);
  if (!reply) throw new Error(`no TCP reply for ${name}`);
  return dnsPacket.decode(reply);
}

function ips(packet: DecodedPacket, type = 'A'): string[] {
  return wireAnswers(packet)
    .filter((a) => a.type === type)
    .map((a) => String(a.data))
    .sort();
}

function wireAnswers(packet: DecodedPacket): { name: string; type: string; ttl?: number; data?: unknown }[] {
  return (packet.answers ?? []) as { name: string; type: string; ttl?: number; data?: unknown }[];
}

// ---------- the world under test ----------

function scenario() {
  const world = newWorld();
  addVpc(world, 'vpc-shared', '10.0.0.0/16');
  addVpc(world, 'vpc-dev', '10.1.0.0/16');
  const ep = addEndpoint(world, {
    id: 'vpce-0a1b2c3d4e5f60718',
    vpcId: 'vpc-shared',
    service: 'com.amazonaws.us-east-1.lambda',
    privateDnsNames: [LAMBDA],
    enis: [
      { ip: ENI_IPS[0]!, az: 'us-east-1a' },
      { ip: ENI_IPS[1]!, az: 'us-east-1b' },
    ],
  });
  const zone = addZone(world, 'ZLAMBDA', LAMBDA, ['vpc-shared', 'vpc-dev'], [aliasRecord(LAMBDA, regionalDnsName(ep))]);
  return { world, ep, zone };
}

let open: VpcResolvers[] = [];
afterEach(async () => {
  await Promise.all(open.map((r) => r.close()));
  open = [];
});

async function start(world: World, clock = new ManualClock(T0), fault?: (vpcId: string) => DnsFaultSpec | undefined, random?: () => number) {
  const resolvers = await startVpcResolvers(
    { world: () => world, now: () => clock.now(), ...(fault ? { dnsFault: fault } : {}) },
    random ? { random } : {},
  );
  open.push(resolvers);
  const addr = (vpcId: string): ResolverAddress => {
    const a = resolvers.addresses.get(vpcId);
    if (!a) throw new Error(`no resolver for ${vpcId}`);
    return a;
  };
  return { resolvers, clock, addr };
}

// ---------- tests ----------

describe('one resolver per VPC on loopback [DESIGN §4]', () => {
  it('starts one resolver per VPC on 127.0.0.1, each on its own OS-assigned port', async () => {
    const { world } = scenario();
    const { resolvers } = await start(world);
    expect([...resolvers.addresses.keys()].sort()).toEqual(['vpc-dev', 'vpc-shared']);
    const ports = [...resolvers.addresses.values()].map((a) => a.port);
    expect(new Set(ports).size).toBe(2);
    for (const a of resolvers.addresses.values()) {
      expect(a.host).toBe('127.0.0.1');
      expect(a.port).toBeGreaterThan(0);
    }
  });

  it('answers over UDP with the query id and question, RA set, and the private answer of that VPC', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    const reply = await udpQuery(addr('vpc-dev'), LAMBDA, 'A', { id: 31337 });
    expect(reply.id).toBe(31337);
    expect(reply.type).toBe('response');
    expect(reply.flag_ra).toBe(true);
    expect(reply.flag_rd).toBe(true);
    expect(reply.flag_tc).toBe(false);
    expect((reply as unknown as { rcode: string }).rcode).toBe('NOERROR');
    expect(reply.questions).toEqual([{ name: LAMBDA, type: 'A', class: 'IN' }]);
    expect(ips(reply)).toEqual(ENI_IPS);
    expect(wireAnswers(reply).every((a) => a.name === LAMBDA && a.ttl === 60)).toBe(true);
  });

  it('answers the same over TCP (two-byte length framing), including queries pipelined and split across writes [RFC 1035 §4.2.2]', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    expect(ips(await tcpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);

    const replies = await tcpExchange(addr('vpc-dev'), [queryPacket(LAMBDA, 'A', { id: 1 }), queryPacket('nope.example.com', 'A', { id: 2 })], { splitAt: 7 });
    const decoded = replies.map((r) => dnsPacket.decode(r)).sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
    expect(decoded.map((d) => d.id)).toEqual([1, 2]);
    expect(ips(decoded[0]!)).toEqual(ENI_IPS);
    expect(ips(decoded[1]!)[0]).toMatch(/^198\.51\.100\./);
  });

  it('a missing name in a matching private zone comes back as NXDOMAIN on the wire [doc: hosted-zone-private-considerations]', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    const reply = await udpQuery(addr('vpc-dev'), `nope.${LAMBDA}`);
    expect((reply as unknown as { rcode: string }).rcode).toBe('NXDOMAIN');
    expect(reply.answers).toEqual([]);
  });

  it('answers from the world at query time: changing the world between queries changes the answer', async () => {
    const { world, zone } = scenario();
    const { addr } = await start(world);
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
    detachZoneFromVpc(zone, 'vpc-dev');
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))[0]).toMatch(/^198\.51\.100\./);
    zone.vpcs.push({ vpcId: 'vpc-dev', region: 'us-east-1' });
    expect(ips(await tcpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });

  it("applies the world's lifecycle deadlines (advance) before answering: a Profile association settles at its deadline", async () => {
    const { world, zone } = scenario();
    detachZoneFromVpc(zone, 'vpc-dev');
    addProfile(world, 'rp-1');
    associateZoneWithProfile(world, 'rp-1', zone);
    associateProfile(world, 'rp-1', 'vpc-dev', 'CREATING');
    world.profileAssociations[0]!.settleAt = T0 + 5_000;
    const { addr, clock } = await start(world);

    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))[0]).toMatch(/^198\.51\.100\./);
    clock.advance(5_000);
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
    expect(world.profileAssociations[0]!.status).toBe('COMPLETE');
  });

  it("uses the source's clock: an endpoint's Private DNS starts answering when the clock passes privateDnsActiveAt", async () => {
    const { world, ep, zone } = scenario();
    detachZoneFromVpc(zone, 'vpc-shared');
    ep.privateDnsEnabled = true;
    ep.privateDnsActiveAt = T0 + 1_000;
    const { addr, clock } = await start(world);
    expect(ips(await udpQuery(addr('vpc-shared'), LAMBDA))[0]).toMatch(/^198\.51\.100\./);
    clock.advance(1_000);
    expect(ips(await udpQuery(addr('vpc-shared'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('sync() starts resolvers for VPCs added to the world since', async () => {
    const { world, zone } = scenario();
    const { resolvers, addr } = await start(world);
    addVpc(world, 'vpc-prod', '10.2.0.0/16');
    zone.vpcs.push({ vpcId: 'vpc-prod', region: 'us-east-1' });
    expect(resolvers.addresses.has('vpc-prod')).toBe(false);
    await Promise.all([resolvers.sync(), resolvers.sync()]);
    expect(resolvers.addresses.size).toBe(3);
    expect(ips(await udpQuery(addr('vpc-prod'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('basePort puts VPC number i on basePort + i', async () => {
    const { world } = scenario();
    const base = await freePortPair(2);
    const resolvers = await startVpcResolvers({ world: () => world, now: () => T0 }, { basePort: base });
    open.push(resolvers);
    expect(resolvers.addresses.get('vpc-shared')).toEqual({ host: '127.0.0.1', port: base });
    expect(resolvers.addresses.get('vpc-dev')).toEqual({ host: '127.0.0.1', port: base + 1 });
    expect(ips(await udpQuery(resolvers.addresses.get('vpc-dev')!, LAMBDA))).toEqual(ENI_IPS);
  });
});

describe("an independent client: Node's c-ares resolver", () => {
  it('resolves the private answer, reports NXDOMAIN as ENOTFOUND, and retries a truncated answer over TCP by itself', async () => {
    const { world } = scenario();
    const values = Array.from({ length: 80 }, (_, i) => `10.8.0.${i + 1}`);
    addZone(world, 'ZBIG', 'corp.example', ['vpc-dev'], [record('many.corp.example', 'A', values)]);
    const { addr } = await start(world);
    const r = new dns.Resolver({ timeout: TIMEOUT_MS, tries: 1 });
    r.setServers([`${addr('vpc-dev').host}:${addr('vpc-dev').port}`]);
    expect((await r.resolve4(LAMBDA)).sort()).toEqual(ENI_IPS);
    await expect(r.resolve4(`nope.${LAMBDA}`)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    expect((await r.resolve4('many.corp.example')).sort()).toEqual([...values].sort());
  });
});

describe('truncation [RFC 1035 §4.2.1, RFC 6891]', () => {
  function bigWorld() {
    const world = newWorld();
    addVpc(world, 'vpc-a');
    const values = Array.from({ length: 60 }, (_, i) => `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`);
    addZone(world, 'ZBIG', 'corp.example', ['vpc-a'], [record('many.corp.example', 'A', values)]);
    return { world, values };
  }

  it('a UDP answer over 512 bytes sets TC and carries no answers; the same query over TCP gets them all', async () => {
    const { world, values } = bigWorld();
    const { addr } = await start(world);
    const udp = await udpQuery(addr('vpc-a'), 'many.corp.example', 'A', { id: 77 });
    expect(udp.id).toBe(77);
    expect(udp.flag_tc).toBe(true);
    expect(udp.answers).toEqual([]);
    expect(udp.questions).toEqual([{ name: 'many.corp.example', type: 'A', class: 'IN' }]);

    const tcp = await tcpQuery(addr('vpc-a'), 'many.corp.example');
    expect(tcp.flag_tc).toBe(false);
    expect(ips(tcp)).toEqual([...values].sort());
  });

  it("a query with an EDNS OPT record gets up to its advertised payload size over UDP", async () => {
    const { world, values } = bigWorld();
    const { addr } = await start(world);
    const big = await udpQuery(addr('vpc-a'), 'many.corp.example', 'A', { ednsPayload: 4096 });
    expect(big.flag_tc).toBe(false);
    expect(ips(big)).toEqual([...values].sort());
    expect(big.additionals?.some((a) => a.type === 'OPT')).toBe(true);

    const small = await udpQuery(addr('vpc-a'), 'many.corp.example', 'A', { ednsPayload: 600 });
    expect(small.flag_tc).toBe(true);
    expect(small.answers).toEqual([]);
  });
});

describe('malformed input never kills a resolver', () => {
  it('a packet too short for a header gets no reply, and the resolver keeps answering', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    expect(await udpExchange(addr('vpc-dev'), Buffer.from([1, 2, 3, 4, 5]), 300)).toBe('timeout');
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('a packet with a readable header but a garbage body gets FORMERR with the same id', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    // id 0xBEEF, RD, QDCOUNT 1, then a name whose label runs past the end of the packet.
    const garbage = Buffer.from([0xbe, 0xef, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x3f, 0x61, 0x62]);
    const reply = await udpExchange(addr('vpc-dev'), garbage);
    expect(reply).not.toBe('timeout');
    const buf = reply as Buffer;
    expect(buf.readUInt16BE(0)).toBe(0xbeef);
    expect(buf.readUInt16BE(2) & 0x8000).toBe(0x8000); // a response
    expect(buf.readUInt16BE(2) & 0xf).toBe(1); // FORMERR
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('a query with two questions is FORMERR; a non-QUERY opcode is NOTIMP; a response sent to the resolver is ignored', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    const two = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: LAMBDA, type: 'A' }, { name: LAMBDA, type: 'AAAA' }] });
    expect((dnsPacket.decode((await udpExchange(addr('vpc-dev'), two)) as Buffer) as unknown as { rcode: string }).rcode).toBe('FORMERR');

    const notify = dnsPacket.encode({ type: 'query', id: 10, flags: 4 << 11, questions: [{ name: LAMBDA, type: 'SOA' }] });
    expect((dnsPacket.decode((await udpExchange(addr('vpc-dev'), notify)) as Buffer) as unknown as { rcode: string }).rcode).toBe('NOTIMP');

    const response = dnsPacket.encode({ type: 'response', id: 11, questions: [{ name: LAMBDA, type: 'A' }] });
    expect(await udpExchange(addr('vpc-dev'), response, 300)).toBe('timeout');
  });

  it('a seeded fuzz of 400 mangled queries (bit flips, truncations, random bytes) leaves the resolver answering', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    let seed = 0x2f6b1a3d;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const valid = queryPacket(LAMBDA, 'A', { id: 1, ednsPayload: 1232 });
    const sock = dgram.createSocket('udp4');
    sock.on('message', () => undefined);
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    for (let i = 0; i < 400; i++) {
      let pkt: Buffer;
      if (i % 4 === 0) pkt = Buffer.from(Array.from({ length: rand(80) }, () => rand(256)));
      else if (i % 4 === 1) pkt = valid.subarray(0, rand(valid.length));
      else {
        pkt = Buffer.from(valid);
        for (let k = 0; k < 1 + rand(4); k++) pkt[rand(pkt.length)] = rand(256);
      }
      await new Promise<void>((r) => sock.send(pkt, addr('vpc-dev').port, '127.0.0.1', () => r()));
    }
    await new Promise<void>((r) => sock.close(() => r()));
    // A burst can overflow the socket's receive buffer (the kernel then drops datagrams, as on any
    // DNS server), so ask like a stub resolver does: a few tries, each with its own timeout.
    let reply: Buffer | 'timeout' = 'timeout';
    for (let attempt = 0; attempt < 5 && reply === 'timeout'; attempt++) reply = await udpExchange(addr('vpc-dev'), queryPacket(LAMBDA, 'A'), 1_000);
    expect(reply).not.toBe('timeout');
    expect(ips(dnsPacket.decode(reply as Buffer))).toEqual(ENI_IPS);
    expect(ips(await tcpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('garbage over TCP neither crashes the server nor blocks later connections', async () => {
    const { world } = scenario();
    const { addr } = await start(world);
    const replies = await tcpExchange(addr('vpc-dev'), [Buffer.from([0xde, 0xad]), Buffer.from('not dns at all, really')], { expect: 2, timeoutMs: 500 });
    // The 2-byte message is dropped; the 22-byte one has a header, so it gets FORMERR.
    expect(replies.map((r) => r.readUInt16BE(2) & 0xf)).toEqual([1]);
    expect(ips(await tcpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });
});

describe('injected DNS faults [DESIGN §4: fault route]', () => {
  it('dropRatio 1 drops every query of that VPC only; other VPCs still answer', async () => {
    const { world } = scenario();
    const { addr } = await start(world, new ManualClock(T0), (vpc) => (vpc === 'vpc-dev' ? { dropRatio: 1 } : undefined));
    expect(await udpExchange(addr('vpc-dev'), queryPacket(LAMBDA, 'A'), 300)).toBe('timeout');
    expect(await tcpExchange(addr('vpc-dev'), [queryPacket(LAMBDA, 'A')], { timeoutMs: 300 })).toEqual([]);
    expect(ips(await udpQuery(addr('vpc-shared'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('dropRatio is compared with the random source per query (0.5 drops a draw of 0.4, answers a draw of 0.6)', async () => {
    const { world } = scenario();
    const draws = [0.4, 0.6];
    const { addr } = await start(world, new ManualClock(T0), () => ({ dropRatio: 0.5 }), () => draws.shift() ?? 0.99);
    expect(await udpExchange(addr('vpc-dev'), queryPacket(LAMBDA, 'A'), 300)).toBe('timeout');
    expect(ips(await udpQuery(addr('vpc-dev'), LAMBDA))).toEqual(ENI_IPS);
  });

  it('servfail answers SERVFAIL whatever the world says', async () => {
    const { world } = scenario();
    const { addr } = await start(world, new ManualClock(T0), () => ({ servfail: true }));
    const reply = await udpQuery(addr('vpc-dev'), LAMBDA);
    expect((reply as unknown as { rcode: string }).rcode).toBe('SERVFAIL');
    expect(reply.answers).toEqual([]);
  });

  it('delayMs holds the reply back: a delayed VPC answers after an undelayed query sent later', async () => {
    const { world } = scenario();
    const { addr } = await start(world, new ManualClock(T0), (vpc) => (vpc === 'vpc-dev' ? { delayMs: 400 } : undefined));
    const order: string[] = [];
    const slow = udpQuery(addr('vpc-dev'), LAMBDA).then((r) => (order.push('dev'), r));
    await new Promise((r) => setTimeout(r, 20));
    const fast = udpQuery(addr('vpc-shared'), LAMBDA).then((r) => (order.push('shared'), r));
    const [slowReply] = await Promise.all([slow, fast]);
    expect(order).toEqual(['shared', 'dev']);
    expect(ips(slowReply)).toEqual(ENI_IPS);
  });

  it('the fault hook is asked exactly once per query (so a counted fault is consumed once per query)', async () => {
    const { world } = scenario();
    const asked: string[] = [];
    const { addr } = await start(world, new ManualClock(T0), (vpc) => {
      asked.push(vpc);
      return undefined;
    });
    await udpQuery(addr('vpc-dev'), LAMBDA);
    await tcpQuery(addr('vpc-shared'), LAMBDA);
    expect(asked).toEqual(['vpc-dev', 'vpc-shared']);
  });

  it('a world the resolver cannot read gives SERVFAIL, and the resolver stays up', async () => {
    const { world } = scenario();
    let broken = true;
    const resolvers = await startVpcResolvers({
      world: () => {
        if (broken) throw new Error('world unavailable');
        return world;
      },
      now: () => T0,
    }).catch(() => undefined);
    // The first world() call happens in sync(): a failing start is reported, not half-open.
    expect(resolvers).toBeUndefined();
    broken = false;
    const ok = await startVpcResolvers({ world: () => (broken ? (undefined as unknown as World) : world), now: () => T0 });
    open.push(ok);
    broken = true;
    const reply = await udpQuery(ok.addresses.get('vpc-dev')!, LAMBDA);
    expect((reply as unknown as { rcode: string }).rcode).toBe('SERVFAIL');
    broken = false;
    expect(ips(await udpQuery(ok.addresses.get('vpc-dev')!, LAMBDA))).toEqual(ENI_IPS);
  });
});

describe('close()', () => {
  it('frees every UDP and TCP port, and open TCP connections end', async () => {
    const { world } = scenario();
    const resolvers = await startVpcResolvers({ world: () => world, now: () => T0 });
    const ports = [...resolvers.addresses.values()].map((a) => a.port);
    const idle = net.connect(ports[0]!, '127.0.0.1');
    await new Promise<void>((r) => idle.once('connect', () => r()));
    const ended = new Promise<void>((r) => idle.once('close', () => r()));
    idle.on('error', () => undefined);

    await resolvers.close();
    await ended;
    for (const port of ports) {
      await bindUdp(port).then((s) => new Promise<void>((r) => s.close(() => r())));
      await listenTcp(port).then((s) => new Promise<void>((r) => s.close(() => r())));
    }
    await expect(resolvers.sync()).rejects.toThrow(/closed/);
    await resolvers.close(); // idempotent
  });
});

// ---------- port helpers ----------

function bindUdp(port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

function listenTcp(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

/** A port p such that p..p+n-1 are free for UDP and TCP right now (bounded search). */
async function freePortPair(n: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const probe = await listenTcp(0);
    const base = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => r()));
    if (base + n > 65_535) continue;
    const held: { close(cb: () => void): void }[] = [];
    try {
      for (let i = 0; i < n; i++) {
        held.push(await bindUdp(base + i));
        held.push(await listenTcp(base + i));
      }
      return base;
    } catch {
      // taken: try another
    } finally {
      await Promise.all(held.map((h) => new Promise<void>((r) => h.close(() => r()))));
    }
  }
  throw new Error('no free port range found');
}
