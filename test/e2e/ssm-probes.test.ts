// DNS gates fed from inside each VPC through SSM Run Command (issue 10), end to end: the CLI as a
// child process against `sandbox up --probes ssm`, whose twin runs the very probe program that
// ships (probe/r53m-probe.sh) as a local process per SendCommand, pointed at the VPC's own twin
// resolver. The independent probe loop watches every VPC from outside throughout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { readEvidence, type EvidenceRecord } from '../../src/probes/read-evidence.js';
import { estatePool, excusedKeeperGap, type Estate } from '../support/estate.js';

const pool = estatePool(3);
const small = (scenario: string, extra: string[] = []) => ['--scenario', scenario, '--vpcs', '3', '--endpoints', '2', '--accounts', '2', '--probes', 'ssm', ...extra];
const statePath = (e: Estate, name = 'run') => join(e.dir, `${name}.state.json`);
const out = (r: { code: number | null; stdout: string; stderr: string }) => `exit ${r.code}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;

function probeLog(e: Estate, state: string): EvidenceRecord[] {
  const file = (JSON.parse(readFileSync(state, 'utf8')) as { probeLog: string }).probeLog;
  const path = file.startsWith('/') ? file : join(e.dir, file);
  return [...readEvidence(path)];
}

async function mutations(e: Estate): Promise<string[]> {
  return (await e.requests()).filter((r) => r.mutating && r.service !== 'ssm').map((r) => r.operation ?? '?');
}

describe.concurrent('DNS gates through SSM Run Command', () => {
  for (const scenario of ['direct', 'via-profile']) {
    it(`${scenario}: every VPC probed from inside through SSM; the run migrates with no VPC losing its answer`, async () => {
      await pool(small(scenario), async (e) => {
        const plan = parseYaml(readFileSync(e.info.planFile, 'utf8')) as { probes: { resolvers?: unknown; ssm: { vpcs: Record<string, string> } } };
        expect(plan.probes.resolvers, 'no resolver addresses in an SSM plan').toBeUndefined();
        expect(Object.keys(plan.probes.ssm.vpcs).sort()).toEqual(e.info.vpcs.map((v) => v.id).sort());

        const dry = await e.cli(['plan', e.info.planFile]);
        expect(dry.code, out(dry)).toBe(0);
        for (const v of e.info.vpcs) expect(dry.stdout).toMatch(new RegExp(`${v.id} \\((shared|spoke|keeper)\\): SSM on ${plan.probes.ssm.vpcs[v.id]} \\(named\\)`));

        const loop = e.probeLoop();
        const r = await e.cli(['apply', e.info.planFile, '--yes', '--state', statePath(e)], 600_000);
        const seen = await loop.stop();
        expect(r.code, out(r)).toBe(0);
        const log = await e.requests();
        const keeper = e.info.vpcs[e.info.vpcs.length - 1]!.id;
        expect(seen.failures.filter((f) => !excusedKeeperGap(f, e.info, keeper, log))).toEqual([]);

        // The gates' evidence came through SSM: every VPC, every name, with the instance and command.
        const lines = probeLog(e, statePath(e));
        expect(lines.length).toBeGreaterThan(0);
        expect(lines.every((l) => l.via?.kind === 'ssm' && typeof l.via.instanceId === 'string' && l.via.commandIds.length > 0)).toBe(true);
        for (const v of e.info.vpcs) expect(lines.some((l) => l.vpcId === v.id && l.via?.instanceId === plan.probes.ssm.vpcs[v.id] && l.class === 'ok')).toBe(true);
        const sends = log.filter((l) => l.operation === 'SendCommand');
        expect(sends.length).toBeGreaterThan(0);
      });
    }, 900_000);
  }

  it('a DNS fault at step 6 halts through the SSM evidence (exit 3, naming the VPC), and resume finishes once it is fixed', async () => {
    await pool(small('direct', ['--vpcs', '4']), async (e) => {
      const spoke = e.info.vpcs[1]!;
      await e.fault({ kind: 'hold', count: 1, operation: 'DisassociateVPCFromHostedZone', phase: 'before', match: spoke.id });
      const run = e.start(['apply', e.info.planFile, '--yes', '--state', statePath(e)]);
      expect((await e.waitHeld(300_000)).length).toBe(1);
      await e.fault({ kind: 'dns', vpcId: spoke.id, servfail: true });
      await e.release();
      const exit = await run.exited;
      expect(exit.code, run.stdout()).toBe(3);
      expect(run.stdout()).toMatch(new RegExp(`HALTED at step 6 \\(dns\\): .*${spoke.id} [^;]*: (\\d+× )?servfail`));
      const log = await e.requests();
      expect(log.some((l) => l.operation === 'DisassociateVPCFromHostedZone' && l.outcome === 'ok' && (l.body ?? '').includes(e.info.vpcs[2]!.id)), 'nothing after the halt').toBe(false);

      await e.clearFaults();
      const resumed = await e.cli(['resume', e.info.planFile, '--state', statePath(e)], 600_000);
      expect(resumed.code, out(resumed)).toBe(0);
      expect(resumed.stdout).toMatch(/Migration complete \(from step 6\)/);
    });
  }, 900_000);

  it('an instance going offline mid-run halts as a probe failure (not a DNS failure), naming the instance and how to see why; resume finishes once it is back', async () => {
    await pool(small('direct'), async (e) => {
      const spoke = e.info.vpcs[1]!;
      const instance = e.info.instances.find((i) => i.vpcId === spoke.id)!.id;
      // A command to an offline agent stays Pending until AWS's delivery timeout (30 s at least):
      // a round gives up on it after 15 s, and two such rounds halt the gate (well inside its budget).
      const plan = e.planVariant('offline', (p) => {
        Object.assign(p.probes.ssm, { roundTimeoutMs: 15_000, errorRounds: 2 });
        p.budgets.dnsGateTimeoutMs = 240_000;
      });
      await e.fault({ kind: 'hold', count: 1, operation: 'DisassociateVPCFromHostedZone', phase: 'before' });
      const run = e.start(['apply', plan, '--yes', '--state', statePath(e)]);
      expect((await e.waitHeld(300_000)).length).toBe(1);
      await e.fault({ kind: 'ssm-agent-offline', instanceId: instance });
      await e.release();
      const exit = await run.exited;
      expect(exit.code, run.stdout()).toBe(3);
      expect(run.stdout()).toMatch(new RegExp(`HALTED at step \\d \\(probes\\): .*not a DNS answer.*${spoke.id}.*${instance}`));
      expect(run.stdout()).toMatch(new RegExp(`aws ssm get-command-invocation --command-id [0-9a-f-]+ --instance-id ${instance} --region us-east-1`));
      expect(run.stdout()).not.toMatch(/\(dns\):/);

      await e.clearFaults();
      const resumed = await e.cli(['resume', plan, '--state', statePath(e)], 600_000);
      expect(resumed.code, out(resumed)).toBe(0);
    });
  }, 900_000);

  it('a mixed plan: the shared-services VPC through its resolver address, the spokes through SSM', async () => {
    await pool(small('via-profile'), async (e) => {
      const shared = e.info.vpcs[0]!;
      const mixed = e.planVariant('mixed', (p) => {
        delete p.probes.ssm.vpcs[shared.id];
        p.probes.resolvers = { [shared.id]: shared.resolver };
      });
      const dry = await e.cli(['plan', mixed]);
      expect(dry.code, out(dry)).toBe(0);
      expect(dry.stdout).toMatch(new RegExp(`${shared.id} \\(shared\\): resolver ${shared.resolver.replace(/\./g, '\\.')}`));
      const loop = e.probeLoop();
      const r = await e.cli(['apply', mixed, '--yes', '--state', statePath(e)], 600_000);
      const seen = await loop.stop();
      expect(r.code, out(r)).toBe(0);
      const keeper = e.info.vpcs[e.info.vpcs.length - 1]!.id;
      const log = await e.requests();
      expect(seen.failures.filter((f) => !excusedKeeperGap(f, e.info, keeper, log))).toEqual([]);
      const lines = probeLog(e, statePath(e));
      expect(lines.some((l) => l.vpcId === shared.id && l.via === undefined && l.class === 'ok'), 'the shared VPC over the network').toBe(true);
      expect(lines.some((l) => l.vpcId === e.info.vpcs[1]!.id && l.via?.kind === 'ssm' && l.class === 'ok'), 'a spoke through SSM').toBe(true);

      // `probe` asks the same way: every VPC × name, whichever way each VPC is probed.
      const probed = await e.cli(['probe', mixed, '--json']);
      expect(probed.code, out(probed)).toBe(0);
      const rows = JSON.parse(probed.stdout) as { vpcId: string; name: string; class: string }[];
      expect(rows).toHaveLength(e.info.vpcs.length * e.info.names.length);
      expect(rows.every((r) => r.class === 'ok')).toBe(true);
      await e.fault({ kind: 'ssm-agent-offline', instanceId: e.info.instances.find((i) => i.vpcId === e.info.vpcs[1]!.id)!.id });
      const offline = await e.cli(['probe', e.planVariant('offline-probe', (p) => {
        delete p.probes.ssm.vpcs[shared.id];
        p.probes.resolvers = { [shared.id]: shared.resolver };
        p.probes.ssm.roundTimeoutMs = 10_000;
      }), '--json']);
      expect(offline.code, out(offline)).toBe(3);
      const after = JSON.parse(offline.stdout) as { vpcId: string; class: string }[];
      expect(after.filter((r) => r.vpcId === e.info.vpcs[1]!.id).map((r) => r.class)).toEqual(e.info.names.map(() => 'probe-error'));
    });
  }, 900_000);

  it('refused before any change (exit 2): a VPC with no usable instance, an instance in another VPC, and a plan that migrates the ssm endpoint while probing through SSM', async () => {
    await Promise.all([
      pool(small('direct', ['--vpcs', '4', '--accounts', '1']), async (e) => {
        const [, a, b] = e.info.vpcs;
        const tagged = e.planVariant('tagged', (p) => {
          p.probes.ssm = { discover: true, tag: 'team=nobody' };
        });
        const wrongVpc = e.planVariant('wrong-vpc', (p) => {
          p.probes.ssm.vpcs[a!.id] = e.info.instances.find((i) => i.vpcId === b!.id)!.id;
          delete p.probes.ssm.vpcs[b!.id];
        });
        for (const command of ['plan', 'apply'] as const) {
          const extra = command === 'apply' ? ['--yes'] : [];
          const r1 = await e.cli([command, tagged, ...extra]);
          expect(r1.code, out(r1)).toBe(2);
          expect(r1.stderr).toMatch(new RegExp(`${a!.id} \\(account [\\w-]+\\): no instance to probe it through SSM: none of its 1 instance\\(s\\) has the tag team=nobody; name an instance for it under probes.ssm.vpcs`));
          const r2 = await e.cli([command, wrongVpc, ...extra]);
          expect(r2.code, out(r2)).toBe(2);
          expect(r2.stderr).toMatch(new RegExp(`${a!.id} .*it is in ${b!.id}, not ${a!.id}: it would report another VPC's answers`));
        }
        expect(await mutations(e)).toEqual([]);
      }),
      pool(small('direct', ['--endpoints', '7']), async (e) => {
        for (const command of ['plan', 'apply'] as const) {
          const r = await e.cli([command, e.info.planFile, ...(command === 'apply' ? ['--yes'] : [])]);
          expect(r.code, out(r)).toBe(2);
          expect(r.stderr).toMatch(/the plan migrates vpce-[0-9a-f]+ \(ssm\), the endpoint\(s\) an SSM agent without internet egress reaches Systems Manager through/);
        }
        expect(await mutations(e)).toEqual([]);
      }),
    ]);
  }, 900_000);
});
