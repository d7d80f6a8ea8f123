// Route 53 tags on hosted zones (ChangeTagsForResource, ListTagsForResource): the rules as pure
// functions, then the official SDK over HTTP, then the AWS CLI (botocore) as a second client.
// Sources (docs/aws-facts.md §Route 53 tags):
// - Limits: 50 tags per resource, key ≤ 128, value ≤ 256, letters, numbers, spaces and _ . : / = + - @,
//   no aws: prefix: Route 53 Developer Guide, health-checks-tagging "Tag restrictions"; model TagKey/TagValue.
// - AddTags and RemoveTagKeys: 1 to 10 items each: model TagList / TagKeyList; the schema's answer
//   to 11 items: cloud-custodian/cloud-custodian#2356 (same rule for ResourceIds).
// - The ResourceId is not stripped of /hostedzone/: over 32 characters is InvalidInput "… at
//   'resourceId' …", otherwise NoSuchHostedZone: getmoto/moto tests/test_route53/test_route53_hosted_zone_ids.py
//   (marked verified against AWS); crossplane-contrib/provider-aws#1826 (the same texts from AWS).
// - ListTagsForResource of a missing zone is NoSuchHostedZone: crossplane-contrib/provider-aws#1826,
//   aws-controllers-k8s/route53-controller#26 (treats it as "zone gone").
// - Invalid characters: InvalidInput "Invalid parameter : Tags can only contain letters, numbers,
//   spaces, and the following special characters: _ . : / = + - @": octodns/octodns-route53#136.
// - Another account's zone: AccessDenied as for every owner-only call (aws-sdk-php#2141); not seen
//   for the tag calls themselves [unconfirmed].
import { Sha256 } from '@aws-crypto/sha256-js';
import {
  ChangeResourceRecordSetsCommand,
  ChangeTagsForResourceCommand,
  CreateHostedZoneCommand,
  DeleteHostedZoneCommand,
  ListTagsForResourceCommand,
  type Route53Client,
  type Tag,
} from '@aws-sdk/client-route-53';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/twin/clock.js';
import { AwsApiError } from '../../src/twin/errors.js';
import * as r53 from '../../src/twin/ops/route53.js';
import { route53FrontEnd } from '../../src/twin/wire/route53.js';
import type { World } from '../../src/twin/world.js';
import { awsCli, cliErrorCode, referee, type AwsCliResult } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { ACCOUNT_A, ACCOUNT_B, REGION, VPC, ctxFor, route53World } from './route53-fixtures.js';

function awsError(fn: () => unknown): AwsApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AwsApiError) return e;
    throw e;
  }
  throw new Error('expected an AwsApiError, but the call succeeded');
}

function expectError(fn: () => unknown, code: string, status: number): AwsApiError {
  const e = awsError(fn);
  expect({ code: e.code, status: e.httpStatus }).toEqual({ code, status });
  return e;
}

describe('tag rules (ops)', () => {
  let world: World;
  let clock: ManualClock;
  let refs = 0;
  const as = (account: string) => ctxFor(world, account, clock.now());
  const zone = (name = `t${++refs}.internal`, account = ACCOUNT_A, vpcId: string = VPC.a1) =>
    r53.createHostedZone(as(account), { name, callerReference: `ref-${++refs}`, vpc: { vpcId, vpcRegion: REGION } }).zone;
  const change = (id: string, add?: r53.TagInput[], remove?: string[], account = ACCOUNT_A) =>
    r53.changeTagsForResource(as(account), { resourceType: 'hostedzone', resourceId: id, addTags: add, removeTagKeys: remove });
  const list = (id: string, account = ACCOUNT_A) => r53.listTagsForResource(as(account), { resourceType: 'hostedzone', resourceId: id });
  const tags = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: 'v' }));

  beforeEach(() => {
    world = route53World();
    clock = new ManualClock(Date.UTC(2026, 0, 1));
  });

  it('AddTags adds or overwrites by key, RemoveTagKeys deletes; listed in the order first added, with the bare zone id [doc: API ChangeTagsForResource]', () => {
    const z = zone();
    expect(list(z.id)).toEqual({ resourceType: 'hostedzone', resourceId: z.id, tags: [] });
    change(z.id, [
      { key: 'r53migrate:run', value: 'prod-cutover' },
      { key: 'owner', value: 'network team' },
    ]);
    change(z.id, [{ key: 'r53migrate:run', value: 'prod-cutover-2' }, { key: 'empty', value: '' }]);
    expect(list(z.id).tags).toEqual([
      { key: 'r53migrate:run', value: 'prod-cutover-2' },
      { key: 'owner', value: 'network team' },
      { key: 'empty', value: '' },
    ]);
    change(z.id, undefined, ['owner', 'empty']);
    expect(list(z.id).tags).toEqual([{ key: 'r53migrate:run', value: 'prod-cutover-2' }]);
    expect(world.zones.find((x) => x.id === z.id)!.tags).toEqual({ 'r53migrate:run': 'prod-cutover-2' });
  });

  it('removing a key that is not there is no error [unconfirmed; moto agrees: getmoto/moto#9549]', () => {
    const z = zone();
    change(z.id, undefined, ['never-set']);
    expect(list(z.id).tags).toEqual([]);
  });

  it('a /hostedzone/-prefixed id is not stripped: over 32 characters InvalidInput at resourceId, else NoSuchHostedZone [peer: moto test_route53_hosted_zone_ids.py, AWS-verified]', () => {
    const z = zone();
    const full = `/hostedzone/${z.id}`;
    const e = expectError(() => change(full, [{ key: 'a', value: 'b' }]), 'InvalidInput', 400);
    expect(e.message).toBe(`1 validation error detected: Value '${full}' at 'resourceId' failed to satisfy constraint: Member must have length less than or equal to 32`);
    expect(expectError(() => list(full), 'InvalidInput', 400).message).toContain("at 'resourceId'");
    const cut = full.slice(0, 32);
    expect(expectError(() => change(cut, [{ key: 'a', value: 'b' }]), 'NoSuchHostedZone', 404).message).toBe(`No hosted zone found with ID: ${cut}`);
    expect(list(z.id).tags).toEqual([]);
  });

  it('tags vanish with the zone: ListTagsForResource and ChangeTagsForResource of a deleted zone are NoSuchHostedZone (404) [peer: crossplane-contrib/provider-aws#1826, aws-controllers-k8s/route53-controller#26]', () => {
    const z = zone();
    change(z.id, [{ key: 'a', value: 'b' }]);
    r53.deleteHostedZone(as(ACCOUNT_A), { id: z.id });
    expect(expectError(() => list(z.id), 'NoSuchHostedZone', 404).message).toBe(`No hosted zone found with ID: ${z.id}`);
    expectError(() => change(z.id, [{ key: 'a', value: 'b' }]), 'NoSuchHostedZone', 404);
  });

  it('only the zone’s owner may tag or read tags: another account gets AccessDenied (403) and changes nothing [unconfirmed for tags; peer: aws-sdk-php#2141 for zones]', () => {
    const z = zone();
    change(z.id, [{ key: 'a', value: 'b' }]);
    expectError(() => change(z.id, [{ key: 'a', value: 'theirs' }], undefined, ACCOUNT_B), 'AccessDenied', 403);
    expectError(() => change(z.id, undefined, ['a'], ACCOUNT_B), 'AccessDenied', 403);
    expectError(() => list(z.id, ACCOUNT_B), 'AccessDenied', 403);
    expect(list(z.id).tags).toEqual([{ key: 'a', value: 'b' }]);
  });

  it('at most 50 tags per zone: the change that would leave 51 is InvalidInput and changes nothing; overwriting at 50 is fine [doc: health-checks-tagging "Tag restrictions"]', () => {
    const z = zone();
    for (let i = 0; i < 5; i++) change(z.id, tags(10, `b${i}-`));
    expect(list(z.id).tags).toHaveLength(50);
    change(z.id, [{ key: 'b0-0', value: 'new' }]);
    const e = expectError(() => change(z.id, [{ key: 'one-more', value: 'v' }]), 'InvalidInput', 400);
    expect(e.message).toContain('at most 50 tags');
    expect(list(z.id).tags).toHaveLength(50);
    // Removals in the same request count first.
    change(z.id, [{ key: 'one-more', value: 'v' }], ['b4-9']);
    expect(list(z.id).tags.map((t) => t.key)).toContain('one-more');
  });

  it('keys up to 128 and values up to 256 characters; longer is InvalidInput naming the member [doc: model TagKey, TagValue]', () => {
    const z = zone();
    change(z.id, [{ key: 'k'.repeat(128), value: 'v'.repeat(256) }]);
    const key = expectError(() => change(z.id, [{ key: 'k'.repeat(129), value: 'v' }]), 'InvalidInput', 400);
    expect(key.message).toBe(
      `1 validation error detected: Value '${'k'.repeat(129)}' at 'addTags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128`,
    );
    const value = expectError(() => change(z.id, [{ key: 'ok', value: 'a' }, { key: 'k', value: 'v'.repeat(257) }]), 'InvalidInput', 400);
    expect(value.message).toContain("at 'addTags.2.member.value' failed to satisfy constraint: Member must have length less than or equal to 256");
    expectError(() => change(z.id, undefined, ['k'.repeat(129)]), 'InvalidInput', 400);
    expect(list(z.id).tags).toHaveLength(1);
  });

  it('keys and values hold only letters, numbers, spaces and _ . : / = + - @: else InvalidInput "Tags can only contain …" [peer: octodns/octodns-route53#136; doc]', () => {
    const z = zone();
    change(z.id, [{ key: 'Run id_1.2:3/4=5+6-7@8', value: 'étape 日本 9' }]);
    for (const bad of [{ key: 'wild*card', value: 'v' }, { key: 'k', value: 'x,y' }, { key: 'k', value: 'tab\there' }]) {
      const e = expectError(() => change(z.id, [bad]), 'InvalidInput', 400);
      expect(e.message).toBe(
        'Invalid parameter : Tags can only contain letters, numbers, spaces, and the following special characters: _ . : / = + - @',
      );
    }
    expect(list(z.id).tags).toHaveLength(1);
  });

  it('the aws: prefix is reserved for keys [doc: health-checks-tagging]; a tag without a key is InvalidInput [unconfirmed texts]', () => {
    const z = zone();
    expectError(() => change(z.id, [{ key: 'AWS:cloudformation:stack', value: 'x' }]), 'InvalidInput', 400);
    expectError(() => change(z.id, [{ value: 'x' }]), 'InvalidInput', 400);
    expect(list(z.id).tags).toEqual([]);
  });

  it('ResourceType healthcheck: the twin has no health checks, so NoSuchHealthCheck (404); another type is InvalidInput naming the enum [doc: model TagResourceType]', () => {
    expectError(
      () => r53.changeTagsForResource(as(ACCOUNT_A), { resourceType: 'healthcheck', resourceId: 'abcdef01-2345-6789-abcd-ef0123456789', addTags: [{ key: 'a', value: 'b' }] }),
      'NoSuchHealthCheck',
      404,
    );
    expectError(() => r53.listTagsForResource(as(ACCOUNT_A), { resourceType: 'healthcheck', resourceId: 'x'.repeat(65) }), 'InvalidInput', 400);
    const e = expectError(() => r53.listTagsForResource(as(ACCOUNT_A), { resourceType: 'vpc', resourceId: 'x' }), 'InvalidInput', 400);
    expect(e.message).toBe("1 validation error detected: Value 'vpc' at 'resourceType' failed to satisfy constraint: Member must satisfy enum value set: [healthcheck, hostedzone]");
  });

  it('ChangeTagsForResource makes no change (no ChangeInfo): accepted while a record change is PENDING, and leaves the PriorRequestNotComplete window alone [doc: model, empty response; inference]', () => {
    expect(world.rules.priorRequestNotComplete).toBe(true);
    const z = zone();
    r53.changeResourceRecordSets(as(ACCOUNT_A), {
      zoneId: z.id,
      changes: [{ action: 'CREATE', recordSet: { name: `a.${z.name}`, type: 'A', ttl: 60, values: ['10.0.0.1'] } }],
    });
    const busyUntil = z.busyUntil;
    const changesBefore = world.changes.length;
    change(z.id, [{ key: 'mark', value: 'run-1' }]);
    expect(list(z.id).tags).toEqual([{ key: 'mark', value: 'run-1' }]);
    expect(z.busyUntil).toBe(busyUntil);
    expect(world.changes).toHaveLength(changesBefore);
    clock.set(busyUntil);
    change(z.id, undefined, ['mark']);
    // Tagging did not open a new window: the next record change goes through at once.
    r53.changeResourceRecordSets(as(ACCOUNT_A), {
      zoneId: z.id,
      changes: [{ action: 'CREATE', recordSet: { name: `b.${z.name}`, type: 'A', ttl: 60, values: ['10.0.0.2'] } }],
    });
  });
});

// ---------------------------------------------------------------------------------------------

let t: TestTwin;
let world: World;
let a: Route53Client;
let b: Route53Client;
let seq = 0;

async function sdkError(p: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await p;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

async function newZone(client: Route53Client, vpcId: string = VPC.a1): Promise<string> {
  const out = await client.send(
    new CreateHostedZoneCommand({ Name: `tags${++seq}.corp.internal`, CallerReference: `tags-${++seq}`, VPC: { VPCId: vpcId, VPCRegion: REGION } }),
  );
  return out.HostedZone!.Id!.replace('/hostedzone/', '');
}

/** A SigV4-signed request the SDK would never send. */
async function raw(method: string, path: string, body = '') {
  const acct = t.accounts[0]!;
  const url = new URL(t.url);
  const signer = new SignatureV4({
    service: 'route53',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: { accessKeyId: acct.accessKeyId, secretAccessKey: acct.secretAccessKey },
  });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path,
    query: {},
    headers: { host: url.host, 'content-type': 'text/xml' },
    body,
  });
  const res = await fetch(t.url + path, { method, headers: signed.headers, body: method === 'GET' ? undefined : body });
  return { status: res.status, text: await res.text() };
}

describe('tags over the wire (official SDK)', () => {
  beforeAll(async () => {
    world = route53World();
    t = await startTestTwin({ world, clock: new ManualClock(Date.now()) });
    [a, b] = [t.route53(0), t.route53(1)];
  });
  afterAll(async () => t?.close());

  it('ChangeTagsForResource (200, empty) then ListTagsForResource returns ResourceTagSet {ResourceType, ResourceId, Tags} [doc: model]', async () => {
    const id = await newZone(a);
    const untagged = await a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }));
    expect(untagged.ResourceTagSet).toEqual({ ResourceType: 'hostedzone', ResourceId: id, Tags: [] });
    const out = await a.send(
      new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'r53migrate:run', Value: 'prod' }, { Key: 'e', Value: '' }] }),
    );
    expect(out.$metadata.httpStatusCode).toBe(200);
    const tags: Tag[] = [
      { Key: 'r53migrate:run', Value: 'prod' },
      { Key: 'e', Value: '' },
    ];
    expect((await a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }))).ResourceTagSet).toEqual({
      ResourceType: 'hostedzone',
      ResourceId: id,
      Tags: tags,
    });
    await a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, RemoveTagKeys: ['e'] }));
    // Neither list: the SDK sends no body at all; the twin takes it as a no-op.
    await a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }));
    expect((await a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }))).ResourceTagSet!.Tags).toEqual([tags[0]]);
  });

  it('errors reach the SDK as modelled: InvalidInput (prefixed id, bad characters), NoSuchHostedZone, AccessDenied, NoSuchHealthCheck', async () => {
    const id = await newZone(a);
    const add = [{ Key: 'k', Value: 'v' }];
    expect(await sdkError(a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: `/hostedzone/${id}`, AddTags: add })))).toMatchObject({
      name: 'InvalidInput',
      status: 400,
    });
    expect(
      await sdkError(a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'a*', Value: 'v' }] }))),
    ).toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('Tags can only contain') });
    expect(await sdkError(a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: 'Z0000000000000000NONE' })))).toMatchObject({
      name: 'NoSuchHostedZone',
      status: 404,
    });
    expect(await sdkError(b.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: add })))).toMatchObject({
      name: 'AccessDenied',
      status: 403,
    });
    expect(await sdkError(a.send(new ListTagsForResourceCommand({ ResourceType: 'healthcheck', ResourceId: 'abcdef01-2345-6789-abcd-ef0123456789' })))).toMatchObject({
      name: 'NoSuchHealthCheck',
      status: 404,
    });
  });

  it('11 tags in one request is the schema’s InvalidInput "can occur a maximum of \'10\' times" [doc: model TagList max 10; peer: cloud-custodian#2356]', async () => {
    const id = await newZone(a);
    const eleven = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const e = await sdkError(a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: eleven })));
    expect(e).toMatchObject({ name: 'InvalidInput', status: 400 });
    expect(e.message).toBe(
      "Invalid XML ; cvc-complex-type.2.4.f: 'Tag' can occur a maximum of '10' times in the current sequence. This limit was exceeded. No child element is expected at this point.",
    );
    const elevenKeys = Array.from({ length: 11 }, (_, i) => `k${i}`);
    expect((await sdkError(a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, RemoveTagKeys: elevenKeys })))).name).toBe(
      'InvalidInput',
    );
  });

  it('tags vanish with the zone: after DeleteHostedZone, ListTagsForResource is NoSuchHostedZone', async () => {
    const id = await newZone(a);
    await a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'k', Value: 'v' }] }));
    await a.send(new DeleteHostedZoneCommand({ Id: id }));
    expect((await sdkError(a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id })))).name).toBe('NoSuchHostedZone');
  });

  it('tagging while a record change is PENDING is accepted (no PriorRequestNotComplete) [doc: model; inference]', async () => {
    world.rules.priorRequestNotComplete = true;
    const id = await newZone(a);
    await a.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: id,
        ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: `x.tags${seq - 1}.corp.internal`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
      }),
    );
    await a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'mark', Value: 'run' }] }));
    expect((await a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }))).ResourceTagSet!.Tags).toEqual([{ Key: 'mark', Value: 'run' }]);
  });

  it('the request log marks ChangeTagsForResource as mutating and ListTagsForResource as not', async () => {
    const id = await newZone(a);
    const since = t.twin.log.length;
    await a.send(new ChangeTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id, AddTags: [{ Key: 'k', Value: 'v' }] }));
    await a.send(new ListTagsForResourceCommand({ ResourceType: 'hostedzone', ResourceId: id }));
    expect(t.twin.log.slice(since).map((e) => [e.operation, e.mutating])).toEqual([
      ['ChangeTagsForResource', true],
      ['ListTagsForResource', false],
    ]);
  });

  it('requests the SDK never sends: an empty <AddTags/> is InvalidInput (model: TagList min 1) [peer: crossplane-contrib/provider-aws#1846]; malformed XML is MalformedInput', async () => {
    const id = await newZone(a);
    const ns = 'https://route53.amazonaws.com/doc/2013-04-01/';
    const empty = await raw('POST', `/2013-04-01/tags/hostedzone/${id}`, `<ChangeTagsForResourceRequest xmlns="${ns}"><AddTags/></ChangeTagsForResourceRequest>`);
    expect(empty.status).toBe(400);
    expect(empty.text).toContain('<Code>InvalidInput</Code>');
    expect(empty.text).toContain('The content of element &apos;AddTags&apos; is not complete');
    const broken = await raw('POST', `/2013-04-01/tags/hostedzone/${id}`, '<ChangeTagsForResourceRequest><AddTags>');
    expect(broken.text).toContain('<Code>MalformedInput</Code>');
    const listed = await raw('GET', `/2013-04-01/tags/hostedzone/${id}`);
    expect(listed.text).toContain(`<ListTagsForResourceResponse xmlns="${ns}"><ResourceTagSet><ResourceType>hostedzone</ResourceType><ResourceId>${id}</ResourceId><Tags></Tags></ResourceTagSet>`);
  });

  it('the tag routes answer garbage bodies, paths and types with an AwsApiError, never another exception', () => {
    const bodies = [
      '',
      'not xml',
      '<ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><AddTags>text</AddTags></ChangeTagsForResourceRequest>',
      '<ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><AddTags><Tag>text</Tag><Tag/></AddTags></ChangeTagsForResourceRequest>',
      '<ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><AddTags><Tag><Key><x/></Key></Tag></AddTags></ChangeTagsForResourceRequest>',
      '<ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><RemoveTagKeys><Key><x/></Key></RemoveTagKeys></ChangeTagsForResourceRequest>',
      '<ChangeTagsForResourceRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/"><RemoveTagKeys>x</RemoveTagKeys></ChangeTagsForResourceRequest>',
    ];
    const id = world.zones[0]!.id;
    const paths = [`/2013-04-01/tags/hostedzone/${id}`, '/2013-04-01/tags/hostedzone/%E0%A4%A', '/2013-04-01/tags/healthcheck/x', '/2013-04-01/tags/bogus/x', '/2013-04-01/tags/hostedzone/%2Fhostedzone%2FZ1'];
    const ctx = ctxFor(world, ACCOUNT_A, Date.now());
    let answered = 0;
    for (const method of ['GET', 'POST']) {
      for (const path of paths) {
        for (const body of method === 'POST' ? bodies : ['']) {
          const req = { method, path, query: new URLSearchParams(), headers: {}, body: Buffer.from(body) };
          const op = route53FrontEnd.operationOf(req);
          expect(op).toBe(method === 'GET' ? 'ListTagsForResource' : 'ChangeTagsForResource');
          try {
            route53FrontEnd.handle(op!, req, ctx);
          } catch (e) {
            if (!(e instanceof AwsApiError)) throw new Error(`${op} ${path} crashed on ${JSON.stringify(body)}: ${e}`);
          }
          answered++;
        }
      }
    }
    expect(answered).toBe(40);
  });
});

// ---------------------------------------------------------------------------------------------

const cliAvailable = referee('aws', 'AWS CLI fidelity (Route 53 tags)');

describe.skipIf(!cliAvailable)('tags through the AWS CLI', () => {
  let twin: TestTwin;
  const cli = (account: number, ...args: string[]): Promise<AwsCliResult> => awsCli(['route53', ...args], twin.cli(account));
  const ok = (r: AwsCliResult): any => {
    if (r.code !== 0) throw new Error(`aws exited ${r.code}: ${r.stderr}`);
    return r.json;
  };
  const failedWith = (r: AwsCliResult, code: string) => {
    expect(r.code, r.stdout).not.toBe(0);
    expect(cliErrorCode(r.stderr), r.stderr).toBe(code);
  };

  beforeAll(async () => {
    twin = await startTestTwin({ world: route53World(), clock: new ManualClock(Date.now()) });
  });
  afterAll(async () => twin?.close());

  it('change-tags-for-resource / list-tags-for-resource: add, overwrite, remove; the CLI parses ResourceTagSet', async () => {
    const zone = ok(await cli(0, 'create-hosted-zone', '--name', 'cli-tags.internal', '--caller-reference', 'cli-tags', '--vpc', `VPCRegion=${REGION},VPCId=${VPC.a1}`));
    const id = zone.HostedZone.Id.replace('/hostedzone/', '');
    const change = (...args: string[]) => cli(0, 'change-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', id, ...args);
    const list = async () => ok(await cli(0, 'list-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', id)).ResourceTagSet;
    expect(await list()).toEqual({ ResourceType: 'hostedzone', ResourceId: id, Tags: [] });
    const added = await change('--add-tags', 'Key=r53migrate:run,Value=prod', 'Key=owner,Value=net');
    expect(added.code, added.stderr).toBe(0);
    ok(await change('--add-tags', 'Key=owner,Value=dns', '--remove-tag-keys', 'nothing'));
    expect((await list()).Tags).toEqual([
      { Key: 'r53migrate:run', Value: 'prod' },
      { Key: 'owner', Value: 'dns' },
    ]);
    ok(await change('--remove-tag-keys', 'owner'));
    expect((await list()).Tags).toEqual([{ Key: 'r53migrate:run', Value: 'prod' }]);
  });

  it('error paths: InvalidInput for a /hostedzone/ id and bad characters, NoSuchHostedZone, AccessDenied, NoSuchHealthCheck', async () => {
    const zone = ok(await cli(0, 'create-hosted-zone', '--name', 'cli-tags2.internal', '--caller-reference', 'cli-tags2', '--vpc', `VPCRegion=${REGION},VPCId=${VPC.a1}`));
    const full: string = zone.HostedZone.Id;
    const id = full.replace('/hostedzone/', '');
    failedWith(await cli(0, 'change-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', full, '--add-tags', 'Key=k,Value=v'), 'InvalidInput');
    failedWith(await cli(0, 'change-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', id, '--add-tags', 'Key=a*b,Value=v'), 'InvalidInput');
    failedWith(await cli(0, 'list-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', 'Z0000000000000000NONE'), 'NoSuchHostedZone');
    failedWith(await cli(1, 'list-tags-for-resource', '--resource-type', 'hostedzone', '--resource-id', id), 'AccessDenied');
    failedWith(await cli(0, 'list-tags-for-resource', '--resource-type', 'healthcheck', '--resource-id', 'abcdef01-2345-6789-abcd-ef0123456789'), 'NoSuchHealthCheck');
  });
});
