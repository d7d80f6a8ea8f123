// The bad-input corpus (issue 6, part 3): every file under test/fixtures/bad/ — plans broken one
// way each, plans that are well-formed but wrong for the estate, damaged state files — and the
// command-line mistakes an operator makes, run through the real CLI (a child process) against one
// sandbox. Each must end with exit 2, a message on stderr that names the file, the field or line
// where it applies and what was expected, no stack trace, and not one mutating AWS request in the
// twin's log. State files must come out byte for byte as they went in.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cli.js';
import { startEstate, type Estate } from '../support/estate.js';
import { settleUnfinishedRows, trackRow } from '../support/reliability.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/bad/', import.meta.url));
const PLANS = join(FIXTURES, 'plans');
const ESTATE = join(FIXTURES, 'estate');
const STATES = join(FIXTURES, 'state');
/** The sandbox's own plan (the control): every plan fixture breaks one thing in a copy of it. */
const BASE = join(FIXTURES, 'base-plan.yaml');

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** "FILE:LINE:COL FIELD: MESSAGE", as src/plan/load.ts prints a plan problem. */
const at = (file: string, line: number, field: string, message: string) => new RegExp(`${esc(file)}:${line}(:\\d+)? ${esc(field)}: ${message}`);
/** A problem with the file as a whole (no line to point at). */
const whole = (file: string, message: string) => new RegExp(`${esc(file)} \\(file\\): ${message}`);

// ---- the summary table (printed by the closing-line reporter with the other reliability tables)
type Group = 'plan files' | 'plans wrong for the estate' | 'state files' | 'command line';
/** Counts the input as failed unless the returned function is called once it has passed. */
function track(group: Group, name: string) {
  const row = trackRow('bad inputs', group, name);
  return () => row.pass();
}
afterAll(settleUnfinishedRows);

// ---- one sandbox for the whole file
let e: Estate;
let scratch: string;
/** Requests the twin had logged when the file started (none expected: `sandbox up` makes none). */
let requestsAtStart = 0;
const BIG_PLAN_BYTES = 50 * 1024 * 1024;
const BIG_STATE_BYTES = 50 * 1024 * 1024 + 1;

beforeAll(async () => {
  e = await startEstate(['--scenario', 'direct', '--vpcs', '3', '--endpoints', '2', '--accounts', '2']);
  requestsAtStart = (await e.requests()).length;
  scratch = mkdtempSync(join(tmpdir(), 'r53m-bad-'));
  // The 50 MB inputs are made here, never committed: a comment line repeated, so it is even valid YAML.
  const line = `# ${'x'.repeat(1021)}\n`;
  writeFileSync(join(scratch, 'huge-plan.yaml'), Buffer.alloc(BIG_PLAN_BYTES, line));
  mkdirSync(join(scratch, 'huge-state'));
  writeFileSync(join(scratch, 'huge-state', 'run.state.json'), Buffer.alloc(BIG_STATE_BYTES, ' '));
}, 180_000);

afterAll(async () => {
  await e?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

/** Runs the CLI with the sandbox's AWS config, in a fresh empty folder (no state file lying around). */
function cli(args: string[]): Promise<CliRun> {
  const cwd = mkdtempSync(join(scratch, 'cwd-'));
  return runCli(args, { env: e.env, cwd, timeoutMs: 60_000 });
}

async function mutatingRequests(): Promise<string[]> {
  return (await e.requests()).filter((r) => r.mutating).map((r) => `${r.operation} ${r.path} ${r.body ?? ''}`);
}

/** What every bad input must come to: exit 2, the messages on stderr, no stack trace. */
function expectRefused(r: CliRun, messages: RegExp[]): void {
  const out = `exit ${r.code}${r.signal ? ` (${r.signal})` : ''}\nstdout:\n${r.stdout}\nstderr:\n${r.stderr}`;
  expect(r.code, out).toBe(2);
  for (const m of messages) expect(r.stderr, out).toMatch(m);
  expect(r.stderr, 'a stack trace').not.toMatch(/\n\s+at /);
  expect(r.stdout, 'a stack trace').not.toMatch(/\n\s+at /);
  expect(r.stderr).not.toMatch(/unexpected failure/);
}

// ---- plan files: every one is refused by the loader, before any AWS request
const P = (f: string) => join(PLANS, f);
const PLAN_CASES: Record<string, RegExp[]> = {
  // the file itself
  'empty.yaml': [at(P('empty.yaml'), 1, '(file)', 'expected a mapping \\(name, region, accounts, profile, \\.\\.\\.\\) at the top level')],
  'top-level-list.yaml': [at(P('top-level-list.yaml'), 1, '(file)', 'expected a mapping')],
  'top-level-scalar.yaml': [at(P('top-level-scalar.yaml'), 1, '(file)', 'expected a mapping')],
  'tabs-indent.yaml': [at(P('tabs-indent.yaml'), 6, '(file)', 'not valid YAML/JSON: Tabs are not allowed as indentation')],
  'unclosed-flow.yaml': [at(P('unclosed-flow.yaml'), 12, '(file)', 'not valid YAML/JSON: Flow map in block collection must be sufficiently indented and end with a \\}')],
  'duplicate-key.yaml': [at(P('duplicate-key.yaml'), 4, '(file)', 'not valid YAML/JSON: Map keys must be unique')],
  'two-documents.yaml': [at(P('two-documents.yaml'), 33, '(file)', 'not valid YAML/JSON: Source contains multiple documents')],
  'anchors-bomb.yaml': [whole(P('anchors-bomb.yaml'), 'cannot be read: Excessive alias count')],
  'merge-key.yaml': [at(P('merge-key.yaml'), 9, 'accounts.spokes-1.<<', 'unknown field "<<"; expected one of: accountId, profile, assumeRole')],
  'binary-garbage.yaml': [whole(P('binary-garbage.yaml'), 'is binary, not YAML or JSON')],
  'utf16.yaml': [whole(P('utf16.yaml'), 'is binary, not YAML or JSON')],
  'json-truncated.json': [at(P('json-truncated.json'), 25, '(file)', 'not valid YAML/JSON: Flow map must end with a \\}')],
  'json-missing-comma.json': [at(P('json-missing-comma.json'), 5, '(file)', 'not valid YAML/JSON: Missing , between flow map items')],
  'json-wrong-type.json': [at(P('json-wrong-type.json'), 23, 'spokes', 'Invalid input: expected array, received string')],
  // fields missing or unknown
  'missing-name.yaml': [at(P('missing-name.yaml'), 2, 'name', 'missing: expected a string')],
  'missing-region.yaml': [at(P('missing-region.yaml'), 2, 'region', 'missing: expected a string')],
  'missing-accounts.yaml': [at(P('missing-accounts.yaml'), 2, 'accounts', 'missing: expected a mapping')],
  'missing-profile.yaml': [at(P('missing-profile.yaml'), 2, 'profile', 'missing: expected a mapping')],
  'missing-shared-vpc.yaml': [at(P('missing-shared-vpc.yaml'), 2, 'sharedServicesVpc', 'missing: expected a mapping')],
  'missing-endpoints.yaml': [at(P('missing-endpoints.yaml'), 2, 'endpoints', 'missing: expected a list')],
  'missing-spoke-account.yaml': [at(P('missing-spoke-account.yaml'), 20, 'spokes[1].account', 'expected the name of an account defined under accounts')],
  'unknown-top-field.yaml': [at(P('unknown-top-field.yaml'), 33, 'dryRun', 'unknown field "dryRun"; expected one of: name, region, accounts, profile, sharedServicesVpc, spokes, endpoints, excludedVpcs, parkingVpc, waves, probes, budgets')],
  'excluded-vpc-in-plan.yaml': [at(P('excluded-vpc-in-plan.yaml'), 34, 'excludedVpcs[0].id', 'vpc-3f2352d947e809221 is in the plan \\(spokes\\[0\\]\\): a VPC is either migrated or excluded')],
  'excluded-accept-unknown.yaml': [at(P('excluded-accept-unknown.yaml'), 35, 'excludedVpcs[0].accept', 'expected gap \\(may lose its answer during the run, must have it at the end\\) or loss')],
  'unknown-nested-field.yaml': [at(P('unknown-nested-field.yaml'), 20, 'spokes[0].region', 'unknown field "region"; expected one of: id, account')],
  'misspelt-section.yaml': [
    at(P('misspelt-section.yaml'), 15, 'sharedServiceVpc', 'unknown field "sharedServiceVpc"; expected one of: .*sharedServicesVpc'),
    at(P('misspelt-section.yaml'), 2, 'sharedServicesVpc', 'missing: expected a mapping'),
  ],
  'unknown-probes-field.yaml': [at(P('unknown-probes-field.yaml'), 34, 'probes.interval', 'unknown field "interval"; expected one of: resolvers, ssm, intervalMs')],
  'ssm-vpc-not-in-plan.yaml': [at(P('ssm-vpc-not-in-plan.yaml'), 36, 'probes.ssm.vpcs.vpc-0123456789abcdef0', 'vpc-0123456789abcdef0 is not a VPC of this plan')],
  'ssm-and-resolver.yaml': [at(P('ssm-and-resolver.yaml'), 38, 'probes.ssm.vpcs.vpc-3f2352d947e809221', 'vpc-3f2352d947e809221 is also under probes.resolvers: probe a VPC one way')],
  'ssm-bad-instance.yaml': [at(P('ssm-bad-instance.yaml'), 36, 'probes.ssm.vpcs.vpc-3f2352d947e809221', 'expected an EC2 instance id \\(like i-0a1b2c3d4e5f67890\\)')],
  'ssm-instance-twice.yaml': [at(P('ssm-instance-twice.yaml'), 37, 'probes.ssm.vpcs.vpc-2b7482e0c23357824', 'i-0123456789abcdef0 already probes vpc-3f2352d947e809221: an instance is in one VPC, so it can probe only that one')],
  'ssm-delivery-timeout.yaml': [at(P('ssm-delivery-timeout.yaml'), 36, 'probes.ssm.deliveryTimeoutSeconds', "expected 30 or more: AWS's shortest delivery timeout \\(SendCommand TimeoutSeconds\\) is 30 s")],
  'unknown-budget-field.yaml': [at(P('unknown-budget-field.yaml'), 30, 'budgets.timeoutMs', 'unknown field "timeoutMs"; expected one of: stepTimeoutMs, dnsGateTimeoutMs, pollIntervalMs')],
  // ids
  'vpc-id-bad-chars.yaml': [at(P('vpc-id-bad-chars.yaml'), 15, 'sharedServicesVpc.id', 'expected a VPC id \\(like vpc-0a1b2c3d4e5f67890\\)')],
  'vpc-id-short.yaml': [at(P('vpc-id-short.yaml'), 18, 'spokes[0].id', 'expected a VPC id \\(like vpc-')],
  'vpc-id-as-subnet.yaml': [at(P('vpc-id-as-subnet.yaml'), 20, 'spokes[1].id', 'expected a VPC id \\(like vpc-')],
  'endpoint-id-bad.yaml': [at(P('endpoint-id-bad.yaml'), 26, 'endpoints[1].id', 'expected an interface endpoint id \\(like vpce-0a1b2c3d4e5f67890\\)')],
  'endpoint-id-is-vpc.yaml': [at(P('endpoint-id-is-vpc.yaml'), 23, 'endpoints[0].id', 'expected an interface endpoint id \\(like vpce-')],
  'zone-id-with-prefix.yaml': [at(P('zone-id-with-prefix.yaml'), 25, 'endpoints[0].zones[0]', 'expected a hosted zone id \\(like Z0123456789ABCDEFGHIJ\\)')],
  'zone-id-lowercase.yaml': [at(P('zone-id-lowercase.yaml'), 28, 'endpoints[1].zones[0]', 'expected a hosted zone id')],
  'zone-id-is-name.yaml': [at(P('zone-id-is-name.yaml'), 25, 'endpoints[0].zones[0]', 'expected a hosted zone id')],
  'profile-id-bad.yaml': [at(P('profile-id-bad.yaml'), 12, 'profile.id', 'expected a Route 53 Profile id \\(like rp-0a1b2c3d4e5f6789\\)')],
  'profile-id-is-arn.yaml': [at(P('profile-id-is-arn.yaml'), 12, 'profile.id', 'expected a Route 53 Profile id')],
  'account-id-short.yaml': [at(P('account-id-short.yaml'), 9, 'accounts.spokes-1.accountId', 'expected a 12-digit AWS account id \\(like 111122223333\\)')],
  'assume-role-bad-arn.yaml': [at(P('assume-role-bad-arn.yaml'), 11, 'accounts.spokes-1.assumeRole.roleArn', 'expected an IAM role ARN \\(like arn:aws:iam::111122223333:role/r53migrate\\)')],
  'assume-role-and-profile.yaml': [at(P('assume-role-and-profile.yaml'), 9, 'accounts.spokes-1', 'give either profile or assumeRole .*, not both')],
  'assume-role-bad-session.yaml': [at(P('assume-role-bad-session.yaml'), 12, 'accounts.spokes-1.assumeRole.sessionName', 'expected 2-64 characters of letters, digits and')],
  'region-typo.yaml': [at(P('region-typo.yaml'), 3, 'region', 'expected an AWS region like us-east-1')],
  'region-az.yaml': [at(P('region-az.yaml'), 3, 'region', 'expected an AWS region like us-east-1')],
  'name-bad.yaml': [at(P('name-bad.yaml'), 2, 'name', 'expected lower-case letters, digits and dashes \\(max 63\\)')],
  'account-name-bad.yaml': [at(P('account-name-bad.yaml'), 9, 'accounts.Spokes-1', '"Spokes-1" is not a valid key: account names: lower-case letters, digits and dashes')],
  'resolver-key-bad.yaml': [at(P('resolver-key-bad.yaml'), 35, 'probes.resolvers.spoke-1', '"spoke-1" is not a valid key: expected a VPC id')],
  // wrong types
  'account-id-number.yaml': [at(P('account-id-number.yaml'), 6, 'accounts.shared-services.accountId', 'expected a 12-digit AWS account id')],
  'name-number.yaml': [at(P('name-number.yaml'), 2, 'name', 'Invalid input: expected string, received number')],
  'spokes-mapping.yaml': [at(P('spokes-mapping.yaml'), 18, 'spokes', 'Invalid input: expected array, received object')],
  'zones-string.yaml': [at(P('zones-string.yaml'), 27, 'endpoints[1].zones', 'Invalid input: expected array, received string')],
  'account-string.yaml': [at(P('account-string.yaml'), 8, 'accounts.spokes-1', 'Invalid input: expected object, received string')],
  'interval-string.yaml': [at(P('interval-string.yaml'), 34, 'probes.intervalMs', 'Invalid input: expected number, received string')],
  'profile-null.yaml': [at(P('profile-null.yaml'), 11, 'profile', 'Invalid input: expected object, received null')],
  'budget-bool.yaml': [at(P('budget-bool.yaml'), 31, 'budgets.stepTimeoutMs', 'Invalid input: expected number, received boolean')],
  // numbers out of range
  'interval-negative.yaml': [at(P('interval-negative.yaml'), 34, 'probes.intervalMs', 'Too small: expected number to be >=100')],
  'interval-huge.yaml': [at(P('interval-huge.yaml'), 34, 'probes.intervalMs', 'Too big: expected number to be <=60000')],
  'interval-fraction.yaml': [at(P('interval-fraction.yaml'), 34, 'probes.intervalMs', 'Invalid input: expected int, received number')],
  'ok-streak-zero.yaml': [at(P('ok-streak-zero.yaml'), 34, 'probes.okStreak', 'Too small: expected number to be >=1')],
  'budget-huge.yaml': [at(P('budget-huge.yaml'), 31, 'budgets.stepTimeoutMs', 'Too big: expected number to be <=86400000')],
  'rate-share-percent.yaml': [at(P('rate-share-percent.yaml'), 32, 'budgets.rateShare', "expected a fraction of AWS's documented request rates from 0\\.1 to 0\\.95, like 0\\.8 \\(the default\\) or 0\\.95, not a percentage")],
  // the estate's structure, as the plan states it
  'duplicate-vpc-shared.yaml': [at(P('duplicate-vpc-shared.yaml'), 18, 'spokes[0].id', 'vpc-f4f2560b50a0bdd8d is listed twice \\(also at sharedServicesVpc\\)')],
  'duplicate-spoke.yaml': [at(P('duplicate-spoke.yaml'), 20, 'spokes[1].id', 'vpc-3f2352d947e809221 is listed twice \\(also at spokes\\[0\\]\\)')],
  'keeper-missing.yaml': [at(P('keeper-missing.yaml'), 17, 'spokes', 'at least one spoke VPC is needed \\(the last one is the keeper\\)')],
  'endpoint-twice.yaml': [at(P('endpoint-twice.yaml'), 26, 'endpoints[1].id', 'vpce-2bbfb303f8a2b7c85 is listed twice \\(also at endpoints\\[0\\]\\)')],
  'zone-twice.yaml': [at(P('zone-twice.yaml'), 28, 'endpoints[1].zones[0]', 'zone ZHW3S6GDR91XB3B9CFMGI is already listed for vpce-2bbfb303f8a2b7c85')],
  'endpoint-no-zones.yaml': [at(P('endpoint-no-zones.yaml'), 27, 'endpoints[1].zones', 'list the self-managed zone\\(s\\) that serve this endpoint today')],
  'endpoints-empty.yaml': [at(P('endpoints-empty.yaml'), 22, 'endpoints', 'at least one endpoint is needed')],
  'account-ref-wrong.yaml': [at(P('account-ref-wrong.yaml'), 21, 'spokes[1].account', 'no account named "spokes-2" under accounts \\(have: shared-services, spokes-1\\)')],
  'resolver-unknown-vpc.yaml': [at(P('resolver-unknown-vpc.yaml'), 35, 'probes.resolvers.vpc-0123456789abcdef0', 'vpc-0123456789abcdef0 is not a VPC of this plan')],
  'resolver-no-port.yaml': [at(P('resolver-no-port.yaml'), 35, 'probes.resolvers.vpc-3f2352d947e809221', 'expected host:port, like 10.0.0.2:53')],
  'expect-unknown-endpoint.yaml': [at(P('expect-unknown-endpoint.yaml'), 35, 'probes.expect.vpce-0123456789abcdef0', 'vpce-0123456789abcdef0 is not an endpoint of this plan')],
  'expect-bad-ip.yaml': [at(P('expect-bad-ip.yaml'), 35, 'probes.expect.vpce-2bbfb303f8a2b7c85[0]', 'expected an IPv4 address')],
  'parking-is-spoke.yaml': [at(P('parking-is-spoke.yaml'), 23, 'parkingVpc.id', 'vpc-2b7482e0c23357824 is already spokes\\[1\\]: the parking VPC must be one without workloads, outside the migration')],
  'state-bad-bucket.yaml': [at(P('state-bad-bucket.yaml'), 34, 'state.location', 's3://Team_State/dns/prod\\.state\\.json: "Team_State" is not an S3 bucket name')],
  'state-not-s3.yaml': [at(P('state-not-s3.yaml'), 34, 'state.location', 'expected s3://<bucket>/<prefix>/<name>\\.state\\.json')],
  'state-unknown-account.yaml': [at(P('state-unknown-account.yaml'), 35, 'state.account', 'no account named "tools" under accounts \\(have: shared-services, spokes-1\\)')],
  'parking-unknown-account.yaml': [at(P('parking-unknown-account.yaml'), 24, 'parkingVpc.account', 'no account named "parking" under accounts \\(have: shared-services, spokes-1\\)')],
  'waves-max-below-canary.yaml': [at(P('waves-max-below-canary.yaml'), 35, 'waves.max', 'waves\\.max must be at least waves\\.canary')],
  'waves-unknown-preset.yaml': [at(P('waves-unknown-preset.yaml'), 33, 'waves', 'expected one of one-at-a-time, half-at-a-time, canary-10-percent, or \\{ canary, growth, max \\}')],
  'parking-also-excluded.yaml': [at(P('parking-also-excluded.yaml'), 23, 'parkingVpc.id', 'vpc-0123456789abcdef0 is also under excludedVpcs: a parking VPC is left out of the checks already')],
};

// ---- state files: `resume` (and `status`) on a copy must refuse it and leave it as it was
const STATE_FILE = (dir: string) => join(dir, 'run.state.json');
const corrupt = (file: string, problem: string) => new RegExp(`State file ${esc(file)} cannot be used: ${problem}[\\s\\S]*Nothing was changed\\. Move ${esc(file)} aside`);
const STATE_CASES: Record<string, (file: string) => RegExp[]> = {
  'truncated.json': (f) => [corrupt(f, 'it is not valid JSON \\(truncated or hand-edited\\?\\): Unterminated string in JSON at position 900 \\(line \\d+ column \\d+\\)')],
  'empty.json': (f) => [corrupt(f, 'it is empty \\(a write cut short, or a full disk\\)')],
  'binary.json': (f) => [corrupt(f, 'it is not UTF-8 text \\(binary data\\?\\)')],
  'utf16.json': (f) => [corrupt(f, 'it is not UTF-8 text')],
  'comment.json': (f) => [corrupt(f, 'it is not valid JSON \\(truncated or hand-edited\\?\\): .* \\(line 12 column 3\\)')],
  'trailing-comma.json': (f) => [corrupt(f, 'it is not valid JSON .*\\(line \\d+ column \\d+\\)')],
  'single-quotes.json': (f) => [corrupt(f, 'it is not valid JSON .*\\(line 12 column 3\\)')],
  'status-invalid.json': (f) => [corrupt(f, 'status: Invalid option: expected one of "running"\\|"halted"\\|"done"\\|"failed"\\|"stopped"')],
  'unknown-field.json': (f) => [corrupt(f, '\\(top level\\): Unrecognized key: "note"')],
  'missing-journal.json': (f) => [corrupt(f, 'journal: Invalid input: expected array, received undefined')],
  'missing-plan.json': (f) => [corrupt(f, 'plan: Invalid input: expected object, received undefined')],
  'journal-phase-invalid.json': (f) => [corrupt(f, 'journal\\[1\\]\\.phase: Invalid option: expected one of "intent"\\|"applied"\\|"already-done"\\|"failed"')],
  'journal-seq-negative.json': (f) => [corrupt(f, 'journal\\[0\\]\\.seq: Too small: expected number to be >=0')],
  'timestamp-invalid.json': (f) => [corrupt(f, 'updatedAt: Invalid ISO datetime')],
  'backup-missing-bind.json': (f) => [corrupt(f, 'backups\\[0\\]\\.bind: Invalid input: expected string')],
  'stats-string.json': (f) => [corrupt(f, 'stats\\.applied: Invalid input: expected number, received string')],
  'schema-newer.json': (f) => [new RegExp(`State file ${esc(f)} has schema version 5 \\(written by r53migrate 2\\.0\\.0\\), but this r53migrate reads only up to version 4\\. Nothing was changed\\. Resume with the newer r53migrate`)],
  'schema-zero.json': (f) => [corrupt(f, 'schemaVersion: expected 1, 2, 3 or 4, found 0')],
  'schema-string.json': (f) => [corrupt(f, 'schemaVersion: expected 1, 2, 3 or 4, found "1"')],
  'journal-file-missing.json': (f) => [corrupt(f, `its journal ${esc(join(dirname(f), 'run.journal.ndjson'))} is missing \\(the state file says it holds 2 entries\\)`)],
  'journal-line-damaged.json': (f) => [corrupt(f, `its journal ${esc(join(dirname(f), 'run.journal.ndjson'))} line 2 is not a JSON entry \\(hand-edited or damaged\\)`)],
  'journal-short.json': (f) => [corrupt(f, `its journal ${esc(join(dirname(f), 'run.journal.ndjson'))} holds 2 entries, but the state file says 4 were written \\(the journal was cut or replaced\\)`)],
  'top-level-array.json': (f) => [corrupt(f, '\\(top level\\): Invalid input: expected object, received array')],
  'null.json': (f) => [corrupt(f, '\\(top level\\): Invalid input: expected object, received null')],
  'other-plan.json': (f) => [
    new RegExp(
      `State file ${esc(f)} belongs to plan "prod-cutover" \\(plans/prod-cutover\\.yaml\\) with hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, but the plan being resumed \\("sandbox-direct"\\) has hash [0-9a-f]{64}\\. Nothing was changed\\. Resume with --accept-plan-change if the change is intended`,
    ),
  ],
  'other-definition.json': (f) => [new RegExp(`State file ${esc(f)} holds a snapshot of machine definition run-machine/0, but this r53migrate runs definition run-machine/1; .*there is no override.*Nothing was changed`)],
};

/** A copy of a state fixture in its own folder; after the run, the folder holds the same bytes and no lock. */
function stateCopy(fixture: string): { dir: string; file: string; check(): void } {
  const dir = mkdtempSync(join(scratch, 'state-'));
  const file = STATE_FILE(dir);
  cpSync(join(STATES, fixture), file);
  const bytes = readFileSync(file);
  const journalFixture = join(STATES, fixture.replace(/\.json$/, '.journal.ndjson'));
  const journal = join(dir, 'run.journal.ndjson');
  if (existsSync(journalFixture)) cpSync(journalFixture, journal);
  const journalBytes = existsSync(journal) ? readFileSync(journal) : undefined;
  return {
    dir,
    file,
    check() {
      expect(readFileSync(file).equals(bytes), `${fixture} was changed`).toBe(true);
      expect(existsSync(journal) ? readFileSync(journal) : undefined, `${fixture}'s journal was changed`).toEqual(journalBytes);
      // The lock is released; no checkpoint, .prev, journal or temp file appeared. (The run's log may.)
      expect(readdirSync(dir).filter((n) => n !== 'run.state.json' && n !== 'run.log' && !(journalBytes && n === 'run.journal.ndjson'))).toEqual([]);
    },
  };
}

describe('the corpus is complete', () => {
  it('every fixture has a case here, and every plan fixture says in its first line what it breaks', () => {
    expect(readdirSync(PLANS).sort()).toEqual(Object.keys(PLAN_CASES).sort());
    expect(readdirSync(STATES).filter((f) => f.endsWith('.json')).sort()).toEqual(Object.keys(STATE_CASES).sort());
    const stateReadme = readFileSync(join(STATES, 'README.md'), 'utf8');
    for (const f of Object.keys(STATE_CASES)) expect(stateReadme).toContain(`| ${f} | `);
    for (const dir of [PLANS, ESTATE]) {
      for (const f of readdirSync(dir)) {
        const bytes = readFileSync(join(dir, f));
        const text = bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('latin1');
        expect(text, f).toMatch(/^# BAD: \S/);
      }
    }
    expect(readFileSync(BASE, 'utf8')).toMatch(/^# CONTROL/);
  });
});

describe('refused before any AWS request', () => {
  describe.concurrent('plan files (apply --yes: the loader refuses each before anything else)', () => {
    for (const [fixture, messages] of Object.entries(PLAN_CASES)) {
      it(fixture, async () => {
        const passed = track('plan files', fixture);
        // apply --yes: if the loader let it through, it would change AWS; the log below says it didn't.
        const r = await cli(['apply', P(fixture), '--yes']);
        expectRefused(r, messages);
        passed();
      });
    }
  });

  describe.concurrent('state files (resume PLAN --state COPY): exit 2 with the typed error, the file untouched', () => {
    for (const [fixture, messages] of Object.entries(STATE_CASES)) {
      it(fixture, async () => {
        const passed = track('state files', fixture);
        const s = stateCopy(fixture);
        const r = await cli(['resume', BASE, '--state', s.file]);
        expectRefused(r, messages(s.file));
        s.check();
        passed();
      });
    }
    it('status --state on a truncated file', async () => {
      const passed = track('state files', 'status truncated.json');
      const s = stateCopy('truncated.json');
      expectRefused(await cli(['status', '--state', s.file]), STATE_CASES['truncated.json']!(s.file));
      s.check();
      passed();
    });
    it('status --state on a newer schema', async () => {
      const passed = track('state files', 'status schema-newer.json');
      const s = stateCopy('schema-newer.json');
      expectRefused(await cli(['status', '--state', s.file]), STATE_CASES['schema-newer.json']!(s.file));
      s.check();
      passed();
    });
    it('resume --state on a hand-edited file, without the plan', async () => {
      const passed = track('state files', 'resume (no plan) status-invalid.json');
      const s = stateCopy('status-invalid.json');
      expectRefused(await cli(['resume', '--state', s.file]), STATE_CASES['status-invalid.json']!(s.file));
      s.check();
      passed();
    });
    it('resume --state on another plan\'s state, without the plan: that plan file is named', async () => {
      const passed = track('state files', 'resume (no plan) other-plan.json');
      const s = stateCopy('other-plan.json');
      expectRefused(await cli(['resume', '--state', s.file]), [whole('plans/prod-cutover.yaml', 'cannot read the plan: no such file')]);
      s.check();
      passed();
    });
    it('--state pointing at the plan (YAML, not JSON), which stays untouched', async () => {
      const passed = track('state files', '--state is the plan file');
      const dir = mkdtempSync(join(scratch, 'state-'));
      const file = join(dir, 'plan.yaml');
      cpSync(BASE, file);
      expectRefused(await cli(['resume', file, '--state', file]), [corrupt(file, 'it is not valid JSON \\(truncated or hand-edited\\?\\): Unexpected token \'#\'')]);
      expect(readFileSync(file).equals(readFileSync(BASE))).toBe(true);
      passed();
    });
    it('--state pointing at a directory', async () => {
      const passed = track('state files', '--state is a directory');
      const dir = mkdtempSync(join(scratch, 'state-'));
      expectRefused(await cli(['resume', BASE, '--state', dir]), [corrupt(dir, 'it cannot be read: EISDIR')]);
      passed();
    });
    it(`a state file of ${BIG_STATE_BYTES} bytes (made by the test)`, async () => {
      const passed = track('state files', '50 MB state file');
      const file = STATE_FILE(join(scratch, 'huge-state'));
      expectRefused(await cli(['resume', BASE, '--state', file]), [corrupt(file, `it is ${BIG_STATE_BYTES} bytes, more than a state file can be \\(52428800\\)`)]);
      passed();
    });
  });

  describe.concurrent('the command line', () => {
    // Paths under the scratch folder exist only once beforeAll ran, hence the functions.
    const cases: [string, () => string[], () => RegExp[]][] = [
      ['apply without a plan argument', () => ['apply', '--yes'], () => [/error: missing required argument 'plan'/]],
      ['plan without a plan argument', () => ['plan'], () => [/error: missing required argument 'plan'/]],
      ['an unknown flag', () => ['plan', BASE, '--bogus'], () => [/error: unknown option '--bogus'/]],
      ['a misspelt command', () => ['aply', BASE], () => [/error: unknown command 'aply'/, /Did you mean apply\?/]],
      ['--plan-hash without its value', () => ['apply', BASE, '--plan-hash'], () => [/error: option '--plan-hash <hash>' argument missing/]],
      ['--step-timeout that is not a duration', () => ['apply', BASE, '--yes', '--step-timeout', 'soon'], () => [/--step-timeout "soon": expected a duration from 1 s to 24 h, like 90s, 30m or 2h \(a plain number is milliseconds\)/]],
      ['--rate-share as a percentage', () => ['apply', BASE, '--yes', '--rate-share', '80'], () => [/--rate-share "80": expected a fraction of AWS's documented request rates from 0\.1 to 0\.95, like 0\.8 \(the default\) or 0\.95, not a percentage/]],
      ['--rate-share that is not a number', () => ['resume', BASE, '--rate-share', 'max'], () => [/--rate-share "max": expected a fraction/]],
      ['sandbox up --waves with a wave of 0', () => ['sandbox', 'up', '--dir', join(scratch, 'sb-waves'), '--waves', '0,2'], () => [/--waves must be one-at-a-time, half-at-a-time, canary-10-percent, or canary\[,growth\[,max\]\] like 1,2,50 \(got 0,2: Too small: expected number to be >=1\)/]],
      ['two plans', () => ['plan', BASE, BASE], () => [/error: too many arguments for 'plan'\. Expected 1 argument but got 2/]],
      ['a plan that does not exist', () => ['plan', join(scratch, 'nope.yaml')], () => [whole(join(scratch, 'nope.yaml'), 'cannot read the plan: no such file')]],
      ['a directory as the plan', () => ['apply', scratch, '--yes'], () => [whole(scratch, 'is not a file')]],
      [`a plan of ${BIG_PLAN_BYTES} bytes (made by the test)`, () => ['apply', join(scratch, 'huge-plan.yaml'), '--yes'], () => [whole(join(scratch, 'huge-plan.yaml'), `is ${BIG_PLAN_BYTES} bytes; a plan is at most 1048576 bytes`)]],
      ['probe with a bad plan', () => ['probe', P('vpc-id-short.yaml')], () => [at(P('vpc-id-short.yaml'), 18, 'spokes[0].id', 'expected a VPC id')]],
      ['resume with no state file anywhere', () => ['resume'], () => [/no run to resume: no state file in \.r53migrate\/ \(give the plan, or --state FILE\)/]],
      ['status with no state file anywhere', () => ['status'], () => [/no state file in \.r53migrate\//]],
      ['resume --state naming a file that does not exist', () => ['resume', BASE, '--state', join(scratch, 'none.state.json')], () => [new RegExp(`no run of sandbox-direct to resume \\(no ${esc(join(scratch, 'none.state.json'))}\\); start one with: r53migrate apply`)]],
    ];
    for (const [name, args, messages] of cases) {
      it(name, async () => {
        const passed = track('command line', name);
        expectRefused(await cli(args()), messages());
        passed();
      });
    }
  });

  describe('and so', () => {
    it('not one request reached the twin', async () => {
      expect((await e.requests()).length).toBe(requestsAtStart);
    });
  });
});

describe('refused after read-only discovery: well-formed plans that are wrong for the estate', () => {
  const X = (f: string) => join(ESTATE, f);
  it('control: the base plan is accepted (so each fixture is refused for what it breaks)', async () => {
    const r = await cli(['plan', BASE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Detected path A .*step 1 is next/);
    expect(r.stdout).toMatch(/19 API calls that change something/);
  });

  const cases: Record<string, RegExp[]> = {
    'vpc-not-found.yaml': [/VPC vpc-0123456789abcdef0 was not found in account spokes-1 \(102118090434\) in us-east-1: check its id, its account and the plan's region/],
    'parking-not-found.yaml': [/parking VPC vpc-0123456789abcdef0 was not found in account shared-services \(102080391352\) in us-east-1: check parkingVpc\.id and parkingVpc\.account/],
    'vpc-wrong-account.yaml': [/VPC vpc-2b7482e0c23357824 was not found in account shared-services \(102080391352\) in us-east-1/],
    'endpoint-not-found.yaml': [/endpoint vpce-0123456789abcdef0 was not found in any account of the plan in us-east-1: check its id/],
    'profile-not-found.yaml': [/Profile rp-0123456789abcdef was not found in account shared-services \(102080391352\): check profile\.id and profile\.account/],
    'zone-not-found.yaml': [/zone Z0123456789ABCDEFGHIJ was not found in any account of the plan: check its id/],
    'zones-swapped.yaml': [
      /zone ZNWLCJVB6V5356L1JM2FT is named s3\.us-east-1\.amazonaws\.com\., but vpce-2bbfb303f8a2b7c85 \(com\.amazonaws\.us-east-1\.lambda\) serves lambda\.us-east-1\.amazonaws\.com\.: list the zone under the endpoint whose name it carries/,
      /zone ZHW3S6GDR91XB3B9CFMGI is named lambda\.us-east-1\.amazonaws\.com\., but vpce-a0d088e2f9a126db0 \(com\.amazonaws\.us-east-1\.s3\) serves s3\.us-east-1\.amazonaws\.com\./,
    ],
    'shared-vpc-swapped.yaml': [/endpoint vpce-2bbfb303f8a2b7c85 is in vpc-f4f2560b50a0bdd8d, not in the shared-services VPC vpc-2b7482e0c23357824: fix sharedServicesVpc or the endpoint id/],
    'account-id-mismatch.yaml': [/the credentials for account shared-services belong to AWS account 102080391352, but the plan says 111122223333: fix the plan's profile\/role for shared-services \(nothing was changed\)/],
    'aws-profile-missing.yaml': [/no credentials could be found for account spokes-1: the plan's profile .* must name a profile of the AWS config\/credentials files .*\[r53m-spokes-one\]/],
    'region-elsewhere.yaml': [/VPC vpc-f4f2560b50a0bdd8d was not found in account shared-services \(102080391352\) in eu-west-1: check its id, its account and the plan's region/],
  };
  it('every estate fixture has a case', () => {
    expect(readdirSync(ESTATE).sort()).toEqual(Object.keys(cases).sort());
  });
  // In turn, not at once: these do reach AWS, and the twin keeps AWS's request rates.
  for (const [fixture, messages] of Object.entries(cases)) {
    for (const command of ['plan', 'apply'] as const) {
      it(`${fixture} (${command})`, async () => {
        const passed = track('plans wrong for the estate', `${fixture} (${command})`);
        const r = await cli(command === 'apply' ? ['apply', X(fixture), '--yes'] : ['plan', X(fixture)]);
        expectRefused(r, messages);
        expect(await mutatingRequests()).toEqual([]);
        passed();
      });
    }
  }

  it('apply --yes of the good plan with a damaged --state: refused after discovery, before any change', async () => {
    const passed = track('state files', 'apply --yes --state truncated.json');
    const s = stateCopy('truncated.json');
    const r = await cli(['apply', BASE, '--yes', '--state', s.file]);
    expectRefused(r, STATE_CASES['truncated.json']!(s.file));
    s.check();
    expect(await mutatingRequests()).toEqual([]);
    passed();
  });

  it('apply of the good plan without --yes or --plan-hash (no terminal to ask on)', async () => {
    const passed = track('command line', 'apply without --yes');
    expectRefused(await cli(['apply', BASE]), [/apply changes AWS: pass --yes, or --plan-hash [0-9a-f]{16}/]);
    passed();
  });

  it('and so: discovery did read the estate, and the twin logged not one mutating request', async () => {
    const log = await e.requests();
    // The log is the witness: reads are there, so a write would be too.
    expect(log.filter((r) => r.operation === 'DescribeVpcs').length).toBeGreaterThan(0);
    expect(log.filter((r) => r.mutating)).toEqual([]);
  });
});
