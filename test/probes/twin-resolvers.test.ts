// The prober and classifier against the twin's VPC resolvers: what each kind of breakage looks like.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classify, type ProbeClass } from '../../src/probes/classify.js';
import { Prober } from '../../src/probes/prober.js';
import { probeNameFor, type ProbeTarget } from '../../src/probes/targets.js';
import { disassociateVpcFromAllZones, startProbeSandbox, type ProbeSandbox } from './sandbox-support.js';

let ps: ProbeSandbox;
let prober: Prober;

beforeAll(async () => {
  ps = await startProbeSandbox(3, 2); // lambda, and s3 with its wildcard name
  prober = new Prober({ timeoutMs: 150, retries: 1 });
});
afterAll(async () => {
  await prober?.close();
  await ps?.close();
});

async function probe(t: ProbeTarget) {
  return classify(await prober.query(t.resolver, t.probeName), t.expected);
}
async function classesOf(vpcId: string): Promise<Record<string, ProbeClass>> {
  const out: Record<string, ProbeClass> = {};
  for (const t of ps.targets.filter((x) => x.vpcId === vpcId)) out[t.name] = (await probe(t)).class;
  return out;
}

describe('probes against the twin resolvers (direct estate: 3 VPCs, lambda + s3)', () => {
  it('our probe name for a wildcard is the one the sandbox publishes', () => {
    for (const n of ps.sb.info.names) expect(probeNameFor(n.name)).toBe(n.probeName);
    expect(probeNameFor('*.s3.us-east-1.amazonaws.com')).toBe('r53migrate-probe.s3.us-east-1.amazonaws.com');
  });

  it('every (VPC, name) pair resolves ok to the endpoint ENI IPs', async () => {
    expect(ps.targets).toHaveLength(9);
    expect(ps.targets.some((t) => t.name.startsWith('*.'))).toBe(true);
    for (const t of ps.targets) {
      const c = await probe(t);
      expect({ pair: `${t.vpcId} ${t.name}`, class: c.class }).toEqual({ pair: `${t.vpcId} ${t.name}`, class: 'ok' });
      expect(c.answers).toEqual([...t.expected].sort());
    }
    expect(prober.strays).toBe(0);
  });

  it('a VPC that loses its zone associations falls through to public DNS (documentation range answers)', async () => {
    const vpc = ps.sb.info.vpcs[2]!.id;
    const saved = ps.sb.server.twin.world.zones.map((z) => [...z.vpcs]);
    disassociateVpcFromAllZones(ps.sb, vpc);
    try {
      const t = ps.targets.find((x) => x.vpcId === vpc && x.name.startsWith('lambda.'))!;
      const c = await probe(t);
      expect(c.class).toBe('public');
      expect(c.answers.every((ip) => ip.startsWith('198.51.100.'))).toBe(true);
      expect(Object.values(await classesOf(vpc)).every((k) => k === 'public')).toBe(true);
      // The other VPCs are untouched.
      expect(Object.values(await classesOf(ps.sb.info.vpcs[1]!.id)).every((k) => k === 'ok')).toBe(true);
    } finally {
      ps.sb.server.twin.world.zones.forEach((z, i) => (z.vpcs = saved[i]!));
    }
  });

  it('nxdomain when the zone is still associated but the wildcard record is deleted', async () => {
    const zone = ps.sb.server.twin.world.zones.find((z) => z.name === 's3.us-east-1.amazonaws.com.')!;
    const saved = [...zone.records];
    zone.records = zone.records.filter((r) => !r.name.startsWith('*.'));
    try {
      const t = ps.targets.find((x) => x.name === '*.s3.us-east-1.amazonaws.com')!;
      expect(await probe(t)).toMatchObject({ class: 'nxdomain', rcode: 'NXDOMAIN', answers: [] });
      // The apex record is still there.
      expect((await probe(ps.targets.find((x) => x.vpcId === t.vpcId && x.name === 's3.us-east-1.amazonaws.com')!)).class).toBe('ok');
    } finally {
      zone.records = saved;
    }
  });

  it('error (NODATA) when the apex alias is deleted but the zone still answers for its apex', async () => {
    const zone = ps.sb.server.twin.world.zones.find((z) => z.name === 'lambda.us-east-1.amazonaws.com.')!;
    const saved = [...zone.records];
    zone.records = zone.records.filter((r) => r.type !== 'A');
    try {
      const t = ps.targets.find((x) => x.name === 'lambda.us-east-1.amazonaws.com')!;
      expect(await probe(t)).toMatchObject({ class: 'error', rcode: 'NOERROR', reason: expect.stringContaining('NODATA') });
    } finally {
      zone.records = saved;
    }
  });

  it('servfail and timeout from the twin DNS fault route, for that VPC only', async () => {
    const [v0, v1] = ps.sb.info.vpcs;
    const faults = ps.sb.server.twin.faults;
    faults.add({ kind: 'dns', vpcId: v0!.id, servfail: true });
    faults.add({ kind: 'dns', vpcId: v1!.id, dropRatio: 1 });
    try {
      const t0 = ps.targets.find((x) => x.vpcId === v0!.id)!;
      const t1 = ps.targets.find((x) => x.vpcId === v1!.id)!;
      expect((await probe(t0)).class).toBe('servfail');
      expect(await probe(t1)).toMatchObject({ class: 'timeout', reason: 'no reply after 2 attempt(s) over UDP' });
      expect(Object.values(await classesOf(ps.sb.info.vpcs[2]!.id)).every((k) => k === 'ok')).toBe(true);
    } finally {
      faults.clear();
    }
  });

  it('a slow resolver (delay beyond the timeout) times out; within it, answers ok', async () => {
    const v = ps.sb.info.vpcs[1]!.id;
    const t = ps.targets.find((x) => x.vpcId === v)!;
    const fault = ps.sb.server.twin.faults.add({ kind: 'dns', vpcId: v, delayMs: 400 });
    try {
      expect((await probe(t)).class).toBe('timeout');
    } finally {
      ps.sb.server.twin.faults.clear(fault.id);
    }
    const quick = ps.sb.server.twin.faults.add({ kind: 'dns', vpcId: v, delayMs: 20 });
    try {
      expect((await probe(t)).class).toBe('ok');
    } finally {
      ps.sb.server.twin.faults.clear(quick.id);
    }
  });
});
