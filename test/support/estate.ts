// End-to-end harness: a sandbox started by the real CLI (`sandbox up`, a child process), the
// CLI run against it with the sandbox's AWS config, the twin inspected over its HTTP routes, and
// an independent DNS probe loop (the test's own client, not the CLI's monitor).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { SandboxInfo } from '../../src/twin/sandbox.js';
import type { RequestLogEntry } from '../../src/twin/twin.js';
import type { World as TwinWorld } from '../../src/twin/world.js';
import { runCli, startCli, type CliRun, type LongRunning } from './cli.js';
import { queryUdp } from './dns.js';

export interface ProbeFailure {
  at: number;
  vpcId: string;
  name: string;
  got: string;
}

export interface Estate {
  dir: string;
  info: SandboxInfo;
  sandbox: LongRunning;
  env: NodeJS.ProcessEnv;
  /** Runs the CLI in the estate's folder with its AWS config. */
  cli(args: string[], timeoutMs?: number): Promise<CliRun>;
  /** Starts a long-running CLI command (for kill tests). */
  start(args: string[]): LongRunning;
  state(): Promise<TwinWorld>;
  requests(): Promise<RequestLogEntry[]>;
  fault(spec: object): Promise<{ id: string }[]>;
  clearFaults(): Promise<void>;
  waitHeld(timeoutMs?: number): Promise<{ id: string; operation: string }[]>;
  release(): Promise<void>;
  /** The independent probe loop: starts now, stops and returns what failed. */
  probeLoop(): { stop(): Promise<{ rounds: number; failures: ProbeFailure[] }> };
  /**
   * A colleague's change, made with the AWS CLI as the named sandbox account (`shared-services`,
   * `spokes-1`, ...): the engine must see it only through AWS, as it would on a real estate.
   */
  aws(account: string, args: string[]): Promise<unknown>;
  /** Writes a copy of the sandbox plan, changed by `edit`, and returns its path. */
  planVariant(name: string, edit: (plan: Record<string, any>) => void): string;
  close(): Promise<void>;
}

export async function startEstate(args: string[]): Promise<Estate> {
  const dir = mkdtempSync(join(tmpdir(), 'r53m-e2e-'));
  const sandbox = startCli(['sandbox', 'up', '--dir', join(dir, 'sandbox'), '--delay-scale', '0.02', ...args]);
  await sandbox.waitFor(/^sandbox ready/, 60_000);
  const info = JSON.parse(readFileSync(join(dir, 'sandbox', 'sandbox.json'), 'utf8')) as SandboxInfo;
  const env: NodeJS.ProcessEnv = {
    AWS_CONFIG_FILE: info.awsConfigFile,
    AWS_SHARED_CREDENTIALS_FILE: info.awsCredentialsFile,
    AWS_ENDPOINT_URL: info.endpointUrl,
    AWS_REGION: info.region,
    R53M_DELAY_SCALE: String(info.scenario.delayScale),
    AWS_PROFILE: '',
    AWS_ACCESS_KEY_ID: '',
    AWS_SECRET_ACCESS_KEY: '',
  };
  const get = async <T>(path: string): Promise<T> => (await fetch(`${info.endpointUrl}${path}`)).json() as Promise<T>;
  return {
    dir,
    info,
    sandbox,
    env,
    cli: (a, timeoutMs = 240_000) => runCli(a, { env, cwd: dir, timeoutMs }),
    start: (a) => startCli(a, { env, cwd: dir }),
    state: () => get<TwinWorld>('/_twin/state'),
    requests: () => get<RequestLogEntry[]>('/_twin/requests'),
    fault: async (spec) => (await fetch(`${info.endpointUrl}/_twin/faults`, { method: 'POST', body: JSON.stringify(spec) })).json() as Promise<{ id: string }[]>,
    clearFaults: async () => void (await fetch(`${info.endpointUrl}/_twin/faults`, { method: 'DELETE' })),
    // The twin answers a held-request wait after at most 30 s: ask again until our own deadline.
    async waitHeld(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const left = deadline - Date.now();
        const held = await get<{ id: string; operation: string }[]>(`/_twin/held?waitMs=${Math.max(1, Math.min(left, 30_000))}`);
        if (held.length || Date.now() >= deadline) return held;
      }
    },
    release: async () => void (await fetch(`${info.endpointUrl}/_twin/held/release`, { method: 'POST' })),
    probeLoop() {
      let running = true;
      let rounds = 0;
      const failures: ProbeFailure[] = [];
      const loop = (async () => {
        // Bounded: stops when asked, or after 20 minutes whatever happens.
        const deadline = Date.now() + 20 * 60_000;
        while (running && Date.now() < deadline) {
          await Promise.all(
            info.vpcs.flatMap((vpc) =>
              info.names.map(async (n) => {
                const at = Date.now();
                // Like a stub resolver: one retry on a lost datagram (a busy 2-core CI box), then it counts.
                const ask = () => queryUdp(vpc.resolver, n.probeName, 'A', 1500);
                const r = await ask()
                  .catch(ask)
                  .catch((e: Error) => ({ rcode: e.message, addresses: [] as string[] }));
                const ok = r.rcode === 'NOERROR' && r.addresses.join(',') === [...n.ips].sort().join(',');
                if (!ok) failures.push({ at, vpcId: vpc.id, name: n.name, got: `${r.rcode} ${r.addresses.join(',')}` });
              }),
            ),
          );
          rounds++;
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      return {
        async stop() {
          running = false;
          await loop;
          return { rounds, failures };
        },
      };
    },
    async aws(account, args) {
      const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
        const child = spawn('aws', [...args, '--profile', `r53m-${account}`, '--output', 'json'], { env: { ...process.env, ...env, AWS_PAGER: '' } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('error', reject);
        child.on('close', (code) => {
          clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
      });
      if (r.code !== 0) throw new Error(`aws ${args.join(' ')} (as ${account}) failed: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    },
    planVariant(name, edit) {
      const plan = parseYaml(readFileSync(info.planFile, 'utf8')) as Record<string, any>;
      edit(plan);
      const path = join(dir, 'sandbox', `${name}.yaml`);
      writeFileSync(path, stringifyYaml(plan));
      return path;
    },
    async close() {
      await sandbox.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs bodies on estates of their own, at most `limit` estates alive at once (concurrent tests
 * share it): each estate is started for its body and closed after it, whatever happens.
 */
export function estatePool(limit: number): <T>(args: string[], body: (e: Estate) => Promise<T>) => Promise<T> {
  let slots = limit;
  const waiting: (() => void)[] = [];
  return async (args, body) => {
    while (slots === 0) await new Promise<void>((r) => waiting.push(r));
    slots--;
    let e: Estate | undefined;
    try {
      e = await startEstate(args);
      return await body(e);
    } finally {
      await e?.close();
      slots++;
      waiting.shift()?.();
    }
  };
}

/**
 * Failures the runbook allows: the keeper, still associated with a zone that step 7 has emptied
 * but not yet deleted, has no answer for that zone's names (a matching private zone never falls
 * through). The window is read from the twin's own log: from the records' DELETE to the zone's
 * deletion.
 */
export function excusedKeeperGap(f: ProbeFailure, info: SandboxInfo, keeperId: string, log: RequestLogEntry[]): boolean {
  if (f.vpcId !== keeperId) return false;
  const zoneName = info.names.find((n) => n.name === f.name)?.zoneName;
  const zoneOps = log.filter((e) => e.outcome === 'ok' && e.body !== undefined && (e.operation === 'ChangeResourceRecordSets' || e.operation === 'DeleteHostedZone'));
  const emptied = zoneOps.filter((e) => e.operation === 'ChangeResourceRecordSets' && e.body!.includes(zoneName ?? '\0'));
  for (const del of emptied) {
    const zoneId = /hostedzone\/([A-Z0-9]+)/.exec(del.path)?.[1];
    const gone = log.find((e) => e.operation === 'DeleteHostedZone' && e.outcome === 'ok' && e.path.includes(zoneId ?? '\0'));
    // probes sent up to a second after the deletion may still be answered from before it
    if (f.at >= del.at - 1000 && f.at <= (gone?.at ?? Infinity) + 1000) return true;
  }
  return false;
}

/** Mutations the twin applied (outcome ok), keyed by operation and request (path + body). */
export function appliedMutations(log: RequestLogEntry[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const e of log) {
    if (!e.mutating || e.outcome !== 'ok') continue;
    const key = `${e.operation} ${e.path} ${e.body ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
