// A small direct-path sandbox on loopback for probe tests, and the probe targets it implies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTargets, type ProbeTarget } from '../../src/probes/targets.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';

export interface ProbeSandbox {
  sb: Sandbox;
  targets: ProbeTarget[];
  close(): Promise<void>;
}

export async function startProbeSandbox(vpcs = 3, endpoints = 2): Promise<ProbeSandbox> {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-probe-sb-'));
  const sb = await startSandbox({
    scenario: 'direct',
    vpcs,
    endpoints,
    accounts: 1,
    seed: 'probes',
    region: 'us-east-1',
    delayScale: 0.01,
    dir,
    host: '127.0.0.1',
    port: 0,
    rateLimits: 'off',
  });
  return {
    sb,
    targets: buildTargets(sb.info.vpcs, sb.info.names),
    close: async () => {
      await sb.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Takes a VPC off every self-managed zone (what a wrong step 6 does to a spoke). */
export function disassociateVpcFromAllZones(sb: Sandbox, vpcId: string): void {
  for (const z of sb.server.twin.world.zones) z.vpcs = z.vpcs.filter((v) => v.vpcId !== vpcId);
}
