// The prober against a deliberately bad DNS server on loopback: every reply must match server
// address/port, id and question; anything else is a stray, counted and ignored, and each way a
// server can fail ends in the right class.
import { afterEach, describe, expect, it } from 'vitest';
import { classify } from '../../src/probes/classify.js';
import { Prober, type ProbeReply } from '../../src/probes/prober.js';
import { a, aaaa, cname, RCODE, reply, startBadServer, type BadServer, type Script } from './bad-dns-server.js';

const NAME = 'lambda.us-east-1.amazonaws.com';
const ENI = ['10.0.1.10', '10.0.2.10'];

let server: BadServer | undefined;
let prober: Prober | undefined;

afterEach(async () => {
  await prober?.close();
  await server?.close();
  prober = undefined;
  server = undefined;
});

async function ask(script: Script, opts: ConstructorParameters<typeof Prober>[0] = {}, name = NAME, type: 'A' | 'AAAA' = 'A'): Promise<ProbeReply> {
  server = await startBadServer(script);
  prober = new Prober({ timeoutMs: 150, retries: 1, ...opts });
  return prober.query({ host: server.host, port: server.port }, name, type);
}

const good = (q: Parameters<Script>[0]) => reply(q, { answers: ENI.map((ip) => a(NAME, ip)) });

describe('prober: reply matching', () => {
  it('accepts a reply whose source, id and question match, and reads its addresses', async () => {
    const r = await ask((q) => [{ send: good(q) }]);
    expect(r).toMatchObject({ outcome: 'reply', rcode: 'NOERROR', addresses: ENI, transport: 'udp', attempts: 1 });
    expect(classify(r, ENI).class).toBe('ok');
    expect(prober!.strays).toBe(0);
  });

  it('matches the question name case-insensitively (resolvers may echo 0x20-mixed case)', async () => {
    const r = await ask((q) => [{ send: reply(q, { question: { name: NAME.toUpperCase() }, answers: [a(NAME.toUpperCase(), ENI[0]!)] }) }]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: [ENI[0]] });
    expect(prober!.strays).toBe(0);
  });

  it('counts a reply with the wrong id as a stray and still takes the right one', async () => {
    const r = await ask((q) => [
      { send: reply(q, { id: (q.id! + 1) % 65536, answers: [a(NAME, '203.0.113.66')] }) },
      { send: good(q), delayMs: 20 },
    ]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI });
    expect(prober!.strays).toBe(1);
  });

  it('counts a reply with the right id but another question (name, then type) as strays', async () => {
    const r = await ask((q) => [
      { send: reply(q, { question: { name: 'evil.example.com' }, answers: [a('evil.example.com', '203.0.113.66')] }) },
      { send: reply(q, { question: { name: NAME, type: 'AAAA' }, answers: [aaaa(NAME, '2001:db8::66')] }), delayMs: 5 },
      { send: good(q), delayMs: 20 },
    ]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI });
    expect(prober!.strays).toBe(2);
  });

  it('counts a reply from another source port as a stray and accepts the real reply after it', async () => {
    const r = await ask((q) => [
      { send: reply(q, { answers: [a(NAME, '203.0.113.66')] }), fromOtherPort: true },
      { send: good(q), delayMs: 20 },
    ]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI });
    expect(prober!.strays).toBe(1);
  });

  it('ignores a packet that is a query, not a response (QR clear)', async () => {
    const r = await ask((q) => [{ send: { ...good(q), type: 'query', flags: 0 } }, { send: good(q), delayMs: 20 }]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI });
    expect(prober!.strays).toBe(1);
  });
});

describe('prober: truncation', () => {
  it('retries over TCP when TC is set, reassembling a reply split across writes (inside the length prefix too)', async () => {
    const r = await ask((q, transport) =>
      transport === 'udp'
        ? [{ send: reply(q, { tc: true }) }]
        : [{ send: good(q), splitAt: [1, 2, 9, 30] }],
    );
    expect(r).toMatchObject({ outcome: 'reply', transport: 'tcp', addresses: ENI });
    expect(server!.received.map((x) => x.transport)).toEqual(['udp', 'tcp']);
    expect(prober!.stats.tcpFallbacks).toBe(1);
  });

  it('counts a TCP message for another id as a stray and keeps reading for its own', async () => {
    const r = await ask((q, transport) =>
      transport === 'udp'
        ? [{ send: reply(q, { tc: true }) }]
        : [{ send: reply(q, { id: (q.id! + 7) % 65536, answers: [a(NAME, '203.0.113.66')] }) }, { send: good(q), delayMs: 10 }],
    );
    expect(r).toMatchObject({ outcome: 'reply', transport: 'tcp', addresses: ENI });
    expect(prober!.strays).toBe(1);
  });

  it('a TCP attempt that gets no reply times out (bounded by the per-attempt timeout)', async () => {
    const r = await ask((q, transport) => (transport === 'udp' ? [{ send: reply(q, { tc: true }) }] : []), { timeoutMs: 100 });
    expect(r.outcome).toBe('timeout');
    expect(r.transport).toBe('tcp');
  });
});

describe('prober: time-outs and retries', () => {
  it('resends (same id) after a dropped query and takes the reply to the resend', async () => {
    const r = await ask((q, _t, nth) => (nth === 0 ? [] : [{ send: good(q) }]));
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI, attempts: 2 });
    const ids = server!.received.map((x) => x.id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(1);
  });

  it('times out after the bounded retries when every reply comes too late; late replies become strays', async () => {
    const r = await ask((q) => [{ send: good(q), delayMs: 400 }], { timeoutMs: 60, retries: 2 });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 3 });
    expect(server!.received).toHaveLength(3);
    expect(classify(r, ENI)).toMatchObject({ class: 'timeout', answers: [] });
    // The late replies arrive after the query ended: strays, never a result.
    for (let i = 0; i < 200 && prober!.strays < 3; i++) await new Promise((res) => setTimeout(res, 10));
    expect(prober!.strays).toBe(3);
  });

  it('times out when the server drops everything', async () => {
    const r = await ask(() => [], { timeoutMs: 40, retries: 1 });
    expect(r).toMatchObject({ outcome: 'timeout', attempts: 2 });
  });
});

describe('prober: rcodes and answers, classified', () => {
  it('SERVFAIL → servfail', async () => {
    const r = await ask((q) => [{ send: reply(q, { rcode: RCODE.SERVFAIL }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'servfail', rcode: 'SERVFAIL', answers: [] });
  });

  it('NXDOMAIN → nxdomain', async () => {
    const r = await ask((q) => [{ send: reply(q, { rcode: RCODE.NXDOMAIN }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'nxdomain', rcode: 'NXDOMAIN' });
  });

  it('REFUSED → error naming the rcode', async () => {
    const r = await ask((q) => [{ send: reply(q, { rcode: RCODE.REFUSED }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'error', rcode: 'REFUSED', reason: 'rcode REFUSED' });
  });

  it('NOERROR without addresses (NODATA) → error', async () => {
    const r = await ask((q) => [{ send: reply(q) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'error', rcode: 'NOERROR', reason: expect.stringContaining('NODATA') });
  });

  it('answers outside the endpoint IPs → public, with the answers', async () => {
    const r = await ask((q) => [{ send: reply(q, { answers: [a(NAME, '198.51.100.7')] }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'public', answers: ['198.51.100.7'] });
  });

  it('a partial overlap is still public (one answer outside the set is enough to miss the endpoint)', async () => {
    const r = await ask((q) => [{ send: reply(q, { answers: [a(NAME, ENI[0]!), a(NAME, '198.51.100.7')] }) }]);
    expect(classify(r, ENI).class).toBe('public');
  });

  it('follows a CNAME chain within the answer; the final A set is the answer', async () => {
    const r = await ask((q) => [
      {
        send: reply(q, {
          answers: [
            cname(NAME, 'vpce-1.lambda.us-east-1.vpce.amazonaws.com'),
            cname('vpce-1.lambda.us-east-1.vpce.amazonaws.com', 'vpce-1-az1.lambda.us-east-1.vpce.amazonaws.com'),
            a('vpce-1-az1.lambda.us-east-1.vpce.amazonaws.com', ENI[1]!),
            a('vpce-1-az1.lambda.us-east-1.vpce.amazonaws.com', ENI[0]!),
            a('unrelated.example.com', '203.0.113.1'),
          ],
        }),
      },
    ]);
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI, chain: [NAME, 'vpce-1.lambda.us-east-1.vpce.amazonaws.com', 'vpce-1-az1.lambda.us-east-1.vpce.amazonaws.com'] });
    expect(classify(r, ENI).class).toBe('ok');
  });

  it('a CNAME chain that ends without addresses is an error that says where it ended', async () => {
    const r = await ask((q) => [{ send: reply(q, { answers: [cname(NAME, 'gone.example.com')] }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'error', reason: `CNAME chain ${NAME} → gone.example.com ends without A records` });
  });

  it('a CNAME loop is an error', async () => {
    const r = await ask((q) => [{ send: reply(q, { answers: [cname(NAME, 'x.example.com'), cname('x.example.com', NAME)] }) }]);
    expect(classify(r, ENI)).toMatchObject({ class: 'error', reason: expect.stringContaining('CNAME loop') });
  });

  it('AAAA: reads IPv6 answers and compares them in one canonical spelling', async () => {
    const r = await ask((q) => [{ send: reply(q, { answers: [aaaa(NAME, '2001:0db8:0000:0000:0000:0000:0000:0010')] }) }], {}, NAME, 'AAAA');
    expect(r).toMatchObject({ outcome: 'reply', addresses: ['2001:db8::10'] });
    expect(classify(r, ['2001:DB8:0:0::10']).class).toBe('ok');
  });

  it('malformed bytes with the right id → error (malformed), counted as a stray meanwhile', async () => {
    const r = await ask((q) => {
      const garbage = Buffer.alloc(40, 0xff);
      garbage.writeUInt16BE(q.id!, 0);
      return [{ send: garbage }];
    }, { timeoutMs: 40, retries: 1 });
    expect(classify(r, ENI)).toMatchObject({ class: 'error', reason: expect.stringContaining('malformed reply') });
    expect(prober!.strays).toBe(2); // one per attempt
  });

  it('a malformed packet does not mask the good reply that follows it', async () => {
    const r = await ask((q) => {
      const garbage = Buffer.alloc(30, 0xff);
      garbage.writeUInt16BE(q.id!, 0);
      return [{ send: garbage }, { send: good(q), delayMs: 10 }];
    });
    expect(r).toMatchObject({ outcome: 'reply', addresses: ENI });
    expect(prober!.strays).toBe(1);
  });
});

describe('prober: multiplexing', () => {
  it('never has two queries with one id in flight to a server; queues when the id space is full', async () => {
    server = await startBadServer((q) => [{ send: reply(q, { answers: [a(q.questions![0]!.name, '10.0.0.1')] }), delayMs: 15 }]);
    prober = new Prober({ timeoutMs: 1000, retries: 0, maxInFlightPerServer: 3, random: () => 0.9999 });
    const names = Array.from({ length: 12 }, (_, i) => `n${i}.example.com`);
    const replies = await Promise.all(names.map((n) => prober!.query({ host: server!.host, port: server!.port }, n)));
    expect(replies.every((r) => r.outcome === 'reply' && r.addresses[0] === '10.0.0.1')).toBe(true);
    expect(server.maxOutstanding).toBeLessThanOrEqual(3);
    expect(server.duplicateIds).toBe(0);
    expect(prober.stats.queued).toBe(9);
    // Starting near the top of the space, ids wrap past 65535 without a collision.
    expect(new Set(server.received.map((r) => r.id)).size).toBe(12);
  });

  it('many concurrent queries on one socket each get their own answer', async () => {
    server = await startBadServer((q) => {
      const name = q.questions![0]!.name;
      return [{ send: reply(q, { answers: [a(name, `10.0.0.${Number(name.split('.')[0]!.slice(1)) + 1}`)] }), delayMs: (q.id! * 7) % 20 }];
    });
    prober = new Prober({ timeoutMs: 2000, retries: 0 });
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => prober!.query({ host: server!.host, port: server!.port }, `n${i}.example.com`)),
    );
    replies.forEach((r, i) => expect(r).toMatchObject({ outcome: 'reply', addresses: [`10.0.0.${(i % 250) + 1}`] }));
    expect(prober.strays).toBe(0);
  });

  it('an aborted query rejects with the reason and frees its id', async () => {
    server = await startBadServer(() => []);
    prober = new Prober({ timeoutMs: 5000, retries: 0 });
    const ac = new AbortController();
    const p = prober.query({ host: server.host, port: server.port }, NAME, 'A', { signal: ac.signal });
    ac.abort(new Error('stop now'));
    await expect(p).rejects.toThrow('stop now');
  });
});
