// An estate in this process, for the tests of src/aws against a sandbox over HTTP: a temp folder,
// a sandbox (startSandbox, on loopback, fast lifecycle, no rate limits), process.env pointed at its
// AWS config (no profile, no keys from the environment), its plan, an AwsAccess on that plan, the
// plan's first zone, and the official SDK as the zone owner's (account 0) witness. close() undoes
// all of it: process.env exactly as it was, the temp folder gone.
import { ChangeResourceRecordSetsCommand, DeleteHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client, type Change, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsAccess } from '../../src/aws/access.js';
import { loadPlan } from '../../src/plan/load.js';
import type { Plan } from '../../src/plan/schema.js';
import { startSandbox, type Sandbox } from '../../src/twin/sandbox.js';
import type { ScenarioName } from '../../src/twin/scenario.js';

export interface InProcessEstateOptions {
  /** The scenario's seed; the temp folder is named after it too (r53m-<seed>-…). */
  seed: string;
  accounts: number;
  /** 3 unless told. */
  vpcs?: number;
  /** 1 unless told. */
  endpoints?: number;
  /** 'direct' unless told. */
  scenario?: ScenarioName;
  /** The twin's propagation delays × this; 0.01 unless told. */
  delayScale?: number;
}

export interface InProcessEstate {
  sb: Sandbox;
  /** The temp folder the sandbox lives in; close() removes it. */
  dir: string;
  plan: Plan;
  access: AwsAccess;
  /** The plan's first zone (of its first endpoint) and its name. */
  zoneId: string;
  zoneName: string;
  /** Route 53 as account 0 (the zone's owner), one attempt per call. */
  sdk: Route53Client;
  /** ChangeResourceRecordSets on a zone, waiting out PriorRequestNotComplete. */
  change(zoneId: string, changes: Change[]): Promise<void>;
  /** The zone's record sets as ListResourceRecordSets returns them (plain JSON). */
  records(zoneId: string): Promise<ResourceRecordSet[]>;
  /** The apex SOA or NS of the zone named zoneName. */
  isApex(r: ResourceRecordSet): boolean;
  /** Empties a zone by hand (every record but the apex) and deletes it. */
  deleteZone(zoneId: string): Promise<void>;
  /** Closes the SDK, the access and the sandbox, restores process.env exactly as it was, removes the temp folder. */
  close(): Promise<void>;
}

/** The budget for a restore's waits against a fast sandbox. */
export const fast = { maxWaitMs: 20_000, pollIntervalMs: 50 };

/** The sandbox refuses a zone's next change while its last one is PENDING (PriorRequestNotComplete), as Route 53 may. */
export async function patiently<T>(f: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await f();
    } catch (e) {
      if ((e as Error).name !== 'PriorRequestNotComplete' || i > 200) throw e;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** A zone with more than the apex and the endpoint alias: plain records, a TXT, and an alias to a name of the zone itself. */
export const someRecords = (zoneId: string, zoneName: string): Change[] => [
  { Action: 'CREATE', ResourceRecordSet: { Name: `api.${zoneName}`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.9.0.1' }, { Value: '10.9.0.2' }] } },
  { Action: 'CREATE', ResourceRecordSet: { Name: `note.${zoneName}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: '"kept by the backup"' }] } },
  { Action: 'CREATE', ResourceRecordSet: { Name: `www.${zoneName}`, Type: 'A', AliasTarget: { HostedZoneId: zoneId, DNSName: `api.${zoneName}`, EvaluateTargetHealth: false } } },
];

/** Puts process.env back to `saved` in place: keys added since are removed, every saved key gets its value back. */
function restoreEnv(saved: NodeJS.ProcessEnv): void {
  for (const k of Object.keys(process.env)) if (!Object.prototype.hasOwnProperty.call(saved, k)) delete process.env[k];
  Object.assign(process.env, saved);
}

export async function startInProcessEstate(opts: InProcessEstateOptions): Promise<InProcessEstate> {
  const savedEnv = { ...process.env };
  const dir = mkdtempSync(join(tmpdir(), `r53m-${opts.seed}-`));
  let sb: Sandbox | undefined;
  let access: AwsAccess | undefined;
  let sdk: Route53Client | undefined;
  const close = async () => {
    try {
      sdk?.destroy();
      access?.destroy();
      await sb?.close();
    } finally {
      restoreEnv(savedEnv);
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    sb = await startSandbox({
      scenario: opts.scenario ?? 'direct',
      vpcs: opts.vpcs ?? 3,
      endpoints: opts.endpoints ?? 1,
      accounts: opts.accounts,
      seed: opts.seed,
      region: 'us-east-1',
      delayScale: opts.delayScale ?? 0.01,
      dir,
      host: '127.0.0.1',
      port: 0,
      rateLimits: 'off',
    });
    Object.assign(process.env, { AWS_CONFIG_FILE: sb.info.awsConfigFile, AWS_SHARED_CREDENTIALS_FILE: sb.info.awsCredentialsFile, AWS_ENDPOINT_URL: sb.info.endpointUrl });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    const plan = (await loadPlan(sb.info.planFile)).plan;
    access = new AwsAccess({ region: plan.region, accounts: plan.accounts });
    const zoneId = plan.endpoints[0]!.zones[0]!;
    const zoneName = sb.world.zones.find((z) => z.id === zoneId)!.name;
    const a = sb.info.accounts[0]!;
    const client = new Route53Client({ endpoint: sb.info.endpointUrl, region: plan.region, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey }, maxAttempts: 1 });
    sdk = client;

    const change = async (id: string, changes: Change[]): Promise<void> => {
      await patiently(() => client.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: id, ChangeBatch: { Changes: changes } })));
    };
    const records = async (id: string): Promise<ResourceRecordSet[]> => JSON.parse(JSON.stringify((await client.send(new ListResourceRecordSetsCommand({ HostedZoneId: id }))).ResourceRecordSets ?? []));
    const isApex = (r: ResourceRecordSet) => (r.Type === 'SOA' || r.Type === 'NS') && r.Name === zoneName;
    const deleteZone = async (id: string): Promise<void> => {
      const rest = (await records(id)).filter((r) => !isApex(r));
      if (rest.length) await change(id, rest.map((r) => ({ Action: 'DELETE', ResourceRecordSet: r })));
      await patiently(() => client.send(new DeleteHostedZoneCommand({ Id: id })));
    };
    return { sb, dir, plan, access, zoneId, zoneName, sdk: client, change, records, isApex, deleteZone, close };
  } catch (e) {
    await close().catch(() => undefined);
    throw e;
  }
}
