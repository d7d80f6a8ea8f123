// r53migrate's Route 53 Profiles client (src/aws/route53profiles) over HTTP against the twin:
// every command's success and modelled-error paths, the AWS CLI (botocore) as referee for what
// the reads parse to and what the writes did, pagination, endpoint and credential resolution
// from env and shared config files, and the SDK retry behaviour.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServiceException } from '@smithy/core/client';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpRequest } from '@smithy/core/protocols';
import type { HttpHandlerOptions } from '@smithy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessDeniedException,
  AssociateProfileCommand,
  AssociateResourceToProfileCommand,
  ConflictException,
  CreateProfileCommand,
  DeleteProfileCommand,
  DisassociateProfileCommand,
  DisassociateResourceFromProfileCommand,
  GetProfileAssociationCommand,
  GetProfileCommand,
  GetProfileResourceAssociationCommand,
  InternalServiceErrorException,
  InvalidNextTokenException,
  InvalidParameterException,
  LimitExceededException,
  ListProfileAssociationsCommand,
  ListProfileResourceAssociationsCommand,
  ListProfilesCommand,
  ListTagsForResourceCommand,
  paginateListProfileAssociations,
  paginateListProfileResourceAssociations,
  paginateListProfiles,
  ResourceExistsException,
  ResourceNotFoundException,
  Route53ProfilesClient,
  Route53ProfilesServiceException,
  TagResourceCommand,
  ThrottlingException,
  UntagResourceCommand,
  UpdateProfileResourceAssociationCommand,
  ValidationException,
  type Route53ProfilesClientConfig,
} from '../../src/aws/route53profiles/index.js';
import { ListHostedZonesCommand, Route53Client } from '@aws-sdk/client-route-53';
import { ManualClock } from '../../src/twin/clock.js';
import { awsCli, cliErrorCode, referee } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';

// ---------------------------------------------------------------------------------------------
// Helpers

function clientFor(t: TestTwin, account = 0, extra: Route53ProfilesClientConfig = {}): Route53ProfilesClient {
  const a = t.accounts[account]!;
  return new Route53ProfilesClient({
    region: t.world.region,
    endpoint: t.url,
    credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey },
    maxAttempts: 1,
    ...extra,
  });
}

/** The rejection of `p`, asserting it is one. */
async function rejection(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail');
}

/** Asserts the error is the modelled class, named like the wire code, with metadata from the response. */
function expectModelled(e: any, ctor: abstract new (...args: any[]) => unknown, name: string, status: number | number[] = 400): void {
  expect(e).toBeInstanceOf(ctor);
  expect(e).toBeInstanceOf(Route53ProfilesServiceException);
  expect(e).toBeInstanceOf(ServiceException);
  expect(e.name).toBe(name);
  expect(e.$fault).toBe('client');
  expect(Array.isArray(status) ? status : [status]).toContain(e.$metadata.httpStatusCode);
  expect(e.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(typeof e.message).toBe('string');
  expect(e.message.length).toBeGreaterThan(0);
}

/** Our parsed output in the CLI's representation: no $metadata, Dates as epoch seconds. */
function wireForm(v: unknown): unknown {
  if (v instanceof Date) return v.getTime() / 1000;
  if (Array.isArray(v)) return v.map(wireForm);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k !== '$metadata')
        .map(([k, x]) => [k, wireForm(x)]),
    );
  }
  return v;
}

/** Polls a read until `done` (bounded; the twin's lifecycles run at delayScale 0.01). */
async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await read();
    if (done(v)) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not reached');
}

async function injectFault(t: TestTwin, fault: object): Promise<void> {
  const res = await fetch(`${t.url}/_twin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
  expect(res.status).toBe(200);
}

/** A request handler that records what goes on the wire, then sends it with NodeHttpHandler. */
class RecordingHandler {
  readonly requests: { method: string; path: string; query: Record<string, unknown>; headers: Record<string, string>; body?: string }[] = [];
  private inner = new NodeHttpHandler();
  async handle(request: HttpRequest, options?: HttpHandlerOptions) {
    this.requests.push({
      method: request.method,
      path: request.path,
      query: { ...request.query },
      headers: { ...request.headers },
      body: typeof request.body === 'string' ? request.body : undefined,
    });
    return this.inner.handle(request, options);
  }
  destroy() {
    this.inner.destroy();
  }
}

const zoneArn = (zoneId: string) => `arn:aws:route53:::hostedzone/${zoneId}`;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------------------------------------
// 1. Every command

describe('Route53ProfilesClient: every command against the twin', () => {
  let t: TestTwin;
  let owner: Route53ProfilesClient;
  let spoke: Route53ProfilesClient;
  let sharedProfileId: string;

  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'direct', vpcs: 4, endpoints: 2, accounts: 2, delayScale: 0.01 });
    owner = clientFor(t, 0);
    spoke = clientFor(t, 1);
    sharedProfileId = t.world.profiles[0]!.id;
    // Two more VPCs for the owner account (the scenario gives spokes to account 1).
    for (const n of [1, 2]) {
      t.world.vpcs.push({ id: `vpc-0a00000000000000${n}`, ownerId: t.accounts[0]!.id, region: t.world.region, cidr: `10.20${n}.0.0/16`, name: `owner-extra-${n}` });
    }
  });
  afterAll(async () => {
    owner?.destroy();
    spoke?.destroy();
    await t?.close();
  });

  it('CreateProfile fills the idempotency token (UUID v4) and parses epoch-second timestamps into Dates', async () => {
    const out = await owner.send(new CreateProfileCommand({ Name: 'created-by-client', Tags: [{ Key: 'team', Value: 'dns' }] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.$metadata.attempts).toBe(1);
    expect(out.$metadata.totalRetryDelay).toBe(0);
    const p = out.Profile!;
    expect(p.Name).toBe('created-by-client');
    expect(p.ClientToken).toMatch(UUID_V4);
    expect(p.Id).toMatch(/^rp-/);
    expect(p.OwnerId).toBe(t.accounts[0]!.id);
    expect(p.CreationTime).toBeInstanceOf(Date);
    const stored = t.world.profiles.find((x) => x.id === p.Id)!;
    expect(p.CreationTime!.getTime()).toBe(stored.creationTime);
    expect(p.ModificationTime!.getTime()).toBe(stored.modificationTime);
    // A caller-chosen ClientToken goes on the wire unchanged: the same token is the same Profile.
    const again = await owner.send(new CreateProfileCommand({ Name: 'created-by-client', ClientToken: p.ClientToken }));
    expect(again.Profile!.Id).toBe(p.Id);
  });

  it('GetProfile and ListProfiles read the shared Profile; an unknown id is ResourceNotFoundException (ResourceType PROFILE)', async () => {
    const got = await owner.send(new GetProfileCommand({ ProfileId: sharedProfileId }));
    expect(got.Profile).toMatchObject({ Id: sharedProfileId, Name: 'shared-dns', ShareStatus: 'SHARED_BY_ME', Status: 'COMPLETE' });
    const seenBySpoke = await spoke.send(new GetProfileCommand({ ProfileId: sharedProfileId }));
    expect(seenBySpoke.Profile!.ShareStatus).toBe('SHARED_WITH_ME');
    const list = await owner.send(new ListProfilesCommand({}));
    expect(list.ProfileSummaries!.map((s) => s.Id)).toContain(sharedProfileId);
    expect(Object.keys(list.ProfileSummaries![0]!).sort()).toEqual(['Arn', 'Id', 'Name', 'ShareStatus']);

    const e = await rejection(owner.send(new GetProfileCommand({ ProfileId: 'rp-0000000000000000' })));
    expectModelled(e, ResourceNotFoundException, 'ResourceNotFoundException');
    expect(e.ResourceType).toBe('PROFILE');
    expect(e.$metadata.attempts).toBe(1);
  });

  it('AssociateProfile / GetProfileAssociation / ListProfileAssociations / DisassociateProfile, and ResourceExistsException for a second association', async () => {
    const vpc = t.world.vpcs.find((v) => v.ownerId === t.accounts[0]!.id && v.name !== 'shared-services')!;
    const created = await owner.send(new AssociateProfileCommand({ ProfileId: sharedProfileId, ResourceId: vpc.id, Name: 'assoc-one' }));
    const a = created.ProfileAssociation!;
    expect(a).toMatchObject({ ProfileId: sharedProfileId, ResourceId: vpc.id, Name: 'assoc-one', OwnerId: t.accounts[0]!.id });
    expect(['CREATING', 'COMPLETE']).toContain(a.Status);
    expect(a.CreationTime).toBeInstanceOf(Date);

    const got = await owner.send(new GetProfileAssociationCommand({ ProfileAssociationId: a.Id }));
    expect(got.ProfileAssociation!.Id).toBe(a.Id);

    // Query members by locationName: profileId and resourceId filter the listing.
    const byVpc = await owner.send(new ListProfileAssociationsCommand({ ResourceId: vpc.id }));
    expect(byVpc.ProfileAssociations!.map((x) => x.Id)).toEqual([a.Id]);
    const byOtherProfile = await owner.send(new ListProfileAssociationsCommand({ ProfileId: 'rp-ffffffffffffffff' }));
    expect(byOtherProfile.ProfileAssociations).toEqual([]);

    const dup = await rejection(owner.send(new AssociateProfileCommand({ ProfileId: sharedProfileId, ResourceId: vpc.id, Name: 'assoc-two' })));
    expectModelled(dup, ResourceExistsException, 'ResourceExistsException');
    expect(dup.ResourceType).toBe('PROFILE_ASSOCIATION');

    const notMine = await rejection(owner.send(new GetProfileAssociationCommand({ ProfileAssociationId: 'rpassoc-00000000000000000' })));
    expectModelled(notMine, ResourceNotFoundException, 'ResourceNotFoundException');

    const gone = await owner.send(new DisassociateProfileCommand({ ProfileId: sharedProfileId, ResourceId: vpc.id }));
    expect(gone.ProfileAssociation!.Status).toBe('DELETING');
    const again = await rejection(owner.send(new DisassociateProfileCommand({ ProfileId: sharedProfileId, ResourceId: vpc.id })));
    expectModelled(again, ResourceNotFoundException, 'ResourceNotFoundException');
    expect(again.ResourceType).toBe('PROFILE_ASSOCIATION');
  });

  it('resource associations: associate, get, list by resourceType, update, disassociate (ARN percent-encoded as one path segment)', async () => {
    const recorder = new RecordingHandler();
    const client = clientFor(t, 0, { requestHandler: recorder });
    const zone = t.world.zones.find((z) => z.privateZone && z.ownerId === t.accounts[0]!.id)!;
    const arn = zoneArn(zone.id);
    const created = await client.send(new AssociateResourceToProfileCommand({ ProfileId: sharedProfileId, ResourceArn: arn, Name: 'phz-one' }));
    const r = created.ProfileResourceAssociation!;
    expect(r).toMatchObject({ ProfileId: sharedProfileId, ResourceArn: arn, Name: 'phz-one' });
    expect(r.ModificationTime).toBeInstanceOf(Date);

    // A second association of the same resource is a ConflictException; updating while CREATING too.
    const dup = await rejection(client.send(new AssociateResourceToProfileCommand({ ProfileId: sharedProfileId, ResourceArn: arn, Name: 'phz-two' })));
    expectModelled(dup, ConflictException, 'ConflictException');

    const complete = await until(
      () => client.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id })),
      (o) => o.ProfileResourceAssociation!.Status === 'COMPLETE',
    );
    const type = complete.ProfileResourceAssociation!.ResourceType!;
    const listed = await client.send(new ListProfileResourceAssociationsCommand({ ProfileId: sharedProfileId, ResourceType: type }));
    expect(listed.ProfileResourceAssociations!.map((x) => x.Id)).toContain(r.Id);
    const none = await client.send(new ListProfileResourceAssociationsCommand({ ProfileId: sharedProfileId, ResourceType: 'NO_SUCH_TYPE' }));
    expect(none.ProfileResourceAssociations).toEqual([]);

    const updated = await client.send(new UpdateProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id, Name: 'phz-renamed' }));
    expect(updated.ProfileResourceAssociation).toMatchObject({ Id: r.Id, Name: 'phz-renamed', Status: 'UPDATING' });
    await until(
      () => client.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id })),
      (o) => o.ProfileResourceAssociation!.Status === 'COMPLETE',
    );

    const removed = await client.send(new DisassociateResourceFromProfileCommand({ ProfileId: sharedProfileId, ResourceArn: arn }));
    expect(removed.ProfileResourceAssociation!.Status).toBe('DELETING');

    // What went on the wire, per the model: method + requestUri, the ARN one encoded segment,
    // query members by locationName, JSON bodies with Content-Type only where there is a body.
    const sent = (m: string, prefix: string) => recorder.requests.find((q) => q.method === m && q.path.startsWith(prefix))!;
    const del = sent('DELETE', '/profileresourceassociation/profileid/');
    expect(del.path).toBe(`/profileresourceassociation/profileid/${sharedProfileId}/resourcearn/arn%3Aaws%3Aroute53%3A%3A%3Ahostedzone%2F${zone.id}`);
    expect(del.headers['content-type']).toBeUndefined();
    expect(del.body).toBeUndefined();
    const list = sent('GET', '/profileresourceassociations/profileid/');
    expect(list.query).toEqual({ resourceType: type });
    const post = sent('POST', '/profileresourceassociation');
    expect(post.headers['content-type']).toBe('application/json');
    expect(JSON.parse(post.body!)).toEqual({ Name: 'phz-one', ProfileId: sharedProfileId, ResourceArn: arn });
    const patch = sent('PATCH', `/profileresourceassociation/${r.Id}`);
    expect(JSON.parse(patch.body!)).toEqual({ Name: 'phz-renamed' });
    expect(post.headers['user-agent']).toMatch(/^r53migrate\/\d+\.\d+\.\d+ /);
    expect(post.headers['x-amz-user-agent']).toContain('r53migrate/');
    expect(post.headers['amz-sdk-invocation-id']).toMatch(UUID_V4);
    expect(post.headers['amz-sdk-request']).toBe('attempt=1; max=1');
    client.destroy();
  });

  it('a public hosted zone is InvalidParameterException with FieldName ResourceArn', async () => {
    t.world.zones.push({
      id: 'Z0PUBLICZONE0000CLIENT',
      name: 'example.org.',
      ownerId: t.accounts[0]!.id,
      callerReference: 'public-1',
      comment: '',
      privateZone: false,
      vpcs: [],
      authorizations: [],
      records: [],
      busyUntil: 0,
    });
    const e = await rejection(
      owner.send(new AssociateResourceToProfileCommand({ ProfileId: sharedProfileId, ResourceArn: zoneArn('Z0PUBLICZONE0000CLIENT'), Name: 'public' })),
    );
    expectModelled(e, InvalidParameterException, 'InvalidParameterException');
    expect(e.FieldName).toBe('ResourceArn');
  });

  it('TagResource / ListTagsForResource / UntagResource (tagKeys repeated in the query)', async () => {
    const p = (await owner.send(new CreateProfileCommand({ Name: 'tagged' }))).Profile!;
    const tagged = await owner.send(new TagResourceCommand({ ResourceArn: p.Arn, Tags: { env: 'prod', team: 'dns', keep: 'yes' } }));
    expect(tagged.$metadata.httpStatusCode).toBe(204);
    expect(Object.keys(tagged).filter((k) => k !== '$metadata')).toEqual([]);
    expect((await owner.send(new ListTagsForResourceCommand({ ResourceArn: p.Arn }))).Tags).toEqual({ env: 'prod', team: 'dns', keep: 'yes' });
    const untagged = await owner.send(new UntagResourceCommand({ ResourceArn: p.Arn, TagKeys: ['env', 'team'] }));
    expect(untagged.$metadata.httpStatusCode).toBe(204);
    expect((await owner.send(new ListTagsForResourceCommand({ ResourceArn: p.Arn }))).Tags).toEqual({ keep: 'yes' });

    const missing = `arn:aws:route53profiles:${t.world.region}:${t.accounts[0]!.id}:profile/rp-0000000000000000`;
    const e = await rejection(owner.send(new ListTagsForResourceCommand({ ResourceArn: missing })));
    expectModelled(e, ResourceNotFoundException, 'ResourceNotFoundException');
    // Only the owner may change a shared Profile's tags.
    const denied = await rejection(spoke.send(new TagResourceCommand({ ResourceArn: t.world.profiles[0]!.arn, Tags: { a: 'b' } })));
    expectModelled(denied, AccessDeniedException, 'AccessDeniedException');
  });

  it('DeleteProfile: ConflictException while a VPC is associated, AccessDeniedException for a consumer, DELETED when empty', async () => {
    const p = (await owner.send(new CreateProfileCommand({ Name: 'to-delete' }))).Profile!;
    const vpc = t.world.vpcs.filter((v) => v.ownerId === t.accounts[0]!.id).find((v) => !t.world.profileAssociations.some((a) => a.resourceId === v.id))!;
    await owner.send(new AssociateProfileCommand({ ProfileId: p.Id, ResourceId: vpc.id, Name: 'blocker' }));
    const conflict = await rejection(owner.send(new DeleteProfileCommand({ ProfileId: p.Id })));
    expectModelled(conflict, ConflictException, 'ConflictException');

    const denied = await rejection(spoke.send(new DeleteProfileCommand({ ProfileId: sharedProfileId })));
    expectModelled(denied, AccessDeniedException, 'AccessDeniedException');

    await owner.send(new DisassociateProfileCommand({ ProfileId: p.Id, ResourceId: vpc.id }));
    await until(
      () => owner.send(new ListProfileAssociationsCommand({ ProfileId: p.Id })),
      (o) => o.ProfileAssociations!.length === 0,
    );
    const deleted = await owner.send(new DeleteProfileCommand({ ProfileId: p.Id }));
    expect(deleted.Profile).toMatchObject({ Id: p.Id, Status: 'DELETED' });
  });

  it('ValidationException (Name pattern) and InvalidNextTokenException (a token the service never issued)', async () => {
    const v = await rejection(owner.send(new CreateProfileCommand({ Name: '12345' })));
    expectModelled(v, ValidationException, 'ValidationException');
    expect(v.message).toContain("at 'name' failed to satisfy constraint");
    const n = await rejection(owner.send(new ListProfilesCommand({ NextToken: 'not-a-token' })));
    expectModelled(n, InvalidNextTokenException, 'InvalidNextTokenException');
  });

  it('a missing path label fails before sending, as the SDK does', async () => {
    await expect(owner.send(new GetProfileCommand({ ProfileId: undefined }))).rejects.toThrow('No value provided for input HTTP label: ProfileId.');
    await expect(owner.send(new GetProfileCommand({ ProfileId: '' }))).rejects.toThrow('Empty value provided for input HTTP label: ProfileId.');
  });

  it('ThrottlingException (429) and InternalServiceErrorException (500) map to their classes', async () => {
    await injectFault(t, { kind: 'throttle', service: 'route53profiles', count: 1 });
    const th = await rejection(owner.send(new ListProfilesCommand({})));
    // AWS sends Profiles throttling as 400 or 429 [unconfirmed which]; the class comes from the code either way.
    expectModelled(th, ThrottlingException, 'ThrottlingException', [400, 429]);
    await injectFault(t, { kind: 'error', service: 'route53profiles', count: 1 });
    const ise = await rejection(owner.send(new ListProfilesCommand({})));
    // The official client declares every Profiles error @error("client"), this one included.
    expectModelled(ise, InternalServiceErrorException, 'InternalServiceErrorException', 500);
  });

  it('error codes are read like the SDK: ":uri" suffix and "namespace#" prefix stripped; unknown codes keep their wire name', async () => {
    await injectFault(t, { kind: 'error', service: 'route53profiles', count: 1, status: 409, code: 'ConflictException:http://internal.amazon.com/coral/com.amazonaws.route53profiles/' });
    const withUri = await rejection(owner.send(new ListProfilesCommand({})));
    expectModelled(withUri, ConflictException, 'ConflictException', 409);
    await injectFault(t, { kind: 'error', service: 'route53profiles', count: 1, status: 400, code: 'com.amazonaws.route53profiles#LimitExceededException' });
    const withNs = await rejection(owner.send(new ListProfilesCommand({})));
    expectModelled(withNs, LimitExceededException, 'LimitExceededException');

    await injectFault(t, { kind: 'error', service: 'route53profiles', count: 1, status: 503, code: 'BrandNewException', message: 'something new' });
    const unknown = await rejection(owner.send(new ListProfilesCommand({})));
    expect(unknown).toBeInstanceOf(Route53ProfilesServiceException);
    expect(unknown).not.toBeInstanceOf(ConflictException);
    expect(unknown.name).toBe('BrandNewException');
    expect(unknown.message).toBe('something new');
    expect(unknown.$fault).toBe('server');
    expect(unknown.$metadata).toMatchObject({ httpStatusCode: 503, attempts: 1 });
    expect(unknown.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('an already-aborted signal stops the call with AbortError', async () => {
    const ac = new AbortController();
    ac.abort();
    const e = await rejection(owner.send(new ListProfilesCommand({}), { abortSignal: ac.signal }));
    expect(e.name).toBe('AbortError');
  });
});

describe('LimitExceededException: a Profile takes 1,000 VPCs [doc: AssociateProfile API reference]', () => {
  it('the 1,001st VPC is LimitExceededException with ResourceType, and is not retried', async () => {
    const t = await startTestTwin({ scenario: 'via-profile', vpcs: 1000, endpoints: 1, accounts: 1, delayScale: 0.01 });
    try {
      const extra = { id: 'vpc-0fffffffffffffff9', ownerId: t.accounts[0]!.id, region: t.world.region, cidr: '10.250.0.0/16', name: 'one-too-many' };
      t.world.vpcs.push(extra);
      const client = clientFor(t, 0, { maxAttempts: 3 });
      const before = t.twin.log.length;
      const e = await rejection(client.send(new AssociateProfileCommand({ ProfileId: t.world.profiles[0]!.id, ResourceId: extra.id, Name: 'too-many' })));
      expectModelled(e, LimitExceededException, 'LimitExceededException');
      expect(e.ResourceType).toBe('PROFILE_ASSOCIATION');
      // The SDK's throttling list names LimitExceededException; for Profiles it is a quota, so we do not retry.
      expect(e.$metadata.attempts).toBe(1);
      expect(t.twin.log.length - before).toBe(1);
      client.destroy();
    } finally {
      await t.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// 2. The AWS CLI as referee

const cliAvailable = referee('aws', 'AWS CLI fidelity of the Route 53 Profiles client');

describe.skipIf(!cliAvailable)('referee: the AWS CLI parses the same twin state to the same result', () => {
  let t: TestTwin;
  let ours: Route53ProfilesClient;
  let profileId: string;
  const cli = async (...args: string[]) => {
    const r = await awsCli(['route53profiles', ...args], t.cli(0));
    if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed: ${r.stderr}`);
    return r.json;
  };

  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'via-profile', vpcs: 3, endpoints: 2, accounts: 1, delayScale: 0.01 });
    ours = clientFor(t, 0);
    profileId = t.world.profiles[0]!.id;
    await ours.send(new TagResourceCommand({ ResourceArn: t.world.profiles[0]!.arn, Tags: { owner: 'network', env: 'test' } }));
  });
  afterAll(async () => {
    ours?.destroy();
    await t?.close();
  });

  it('GetProfile, ListProfiles', async () => {
    expect(wireForm(await ours.send(new GetProfileCommand({ ProfileId: profileId })))).toEqual(await cli('get-profile', '--profile-id', profileId));
    expect(wireForm(await ours.send(new ListProfilesCommand({})))).toEqual(await cli('list-profiles', '--no-paginate'));
  });

  it('GetProfileAssociation, ListProfileAssociations', async () => {
    const list = await ours.send(new ListProfileAssociationsCommand({ ProfileId: profileId }));
    expect(list.ProfileAssociations!.length).toBe(3);
    expect(wireForm(list)).toEqual(await cli('list-profile-associations', '--profile-id', profileId, '--no-paginate'));
    const id = list.ProfileAssociations![1]!.Id!;
    expect(wireForm(await ours.send(new GetProfileAssociationCommand({ ProfileAssociationId: id })))).toEqual(
      await cli('get-profile-association', '--profile-association-id', id),
    );
  });

  it('GetProfileResourceAssociation, ListProfileResourceAssociations', async () => {
    const list = await ours.send(new ListProfileResourceAssociationsCommand({ ProfileId: profileId }));
    expect(list.ProfileResourceAssociations!.length).toBeGreaterThan(1);
    expect(wireForm(list)).toEqual(await cli('list-profile-resource-associations', '--profile-id', profileId, '--no-paginate'));
    const id = list.ProfileResourceAssociations![0]!.Id!;
    expect(wireForm(await ours.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: id })))).toEqual(
      await cli('get-profile-resource-association', '--profile-resource-association-id', id),
    );
  });

  it('ListTagsForResource', async () => {
    const arn = t.world.profiles[0]!.arn;
    expect(wireForm(await ours.send(new ListTagsForResourceCommand({ ResourceArn: arn })))).toEqual(await cli('list-tags-for-resource', '--resource-arn', arn));
  });

  it('a page and its NextToken: ours and the CLI agree, and each accepts the other’s token', async () => {
    const first = await ours.send(new ListProfileAssociationsCommand({ ProfileId: profileId, MaxResults: 2 }));
    const cliFirst = await cli('list-profile-associations', '--profile-id', profileId, '--max-results', '2', '--no-paginate');
    expect(wireForm(first)).toEqual(cliFirst);
    const second = await ours.send(new ListProfileAssociationsCommand({ ProfileId: profileId, MaxResults: 2, NextToken: cliFirst.NextToken }));
    expect(wireForm(second)).toEqual(
      await cli('list-profile-associations', '--profile-id', profileId, '--max-results', '2', '--next-token', first.NextToken!, '--no-paginate'),
    );
  });

  it('mutations: what our client writes the CLI reads, and what the CLI writes our client reads', async () => {
    // Ours → CLI: a new Profile, its tags, a resource association.
    const p = (await ours.send(new CreateProfileCommand({ Name: 'written-by-us', Tags: [{ Key: 'k', Value: 'v' }] }))).Profile!;
    expect(await cli('get-profile', '--profile-id', p.Id!)).toEqual(wireForm({ Profile: p }));
    expect((await cli('list-tags-for-resource', '--resource-arn', p.Arn!)).Tags).toEqual({ k: 'v' });
    const zone = t.world.zones.find((z) => z.privateZone)!;
    const r = (await ours.send(new AssociateResourceToProfileCommand({ ProfileId: p.Id, ResourceArn: zoneArn(zone.id), Name: 'ours' }))).ProfileResourceAssociation!;
    expect((await cli('get-profile-resource-association', '--profile-resource-association-id', r.Id!)).ProfileResourceAssociation).toMatchObject({
      Id: r.Id,
      Name: 'ours',
      ResourceArn: zoneArn(zone.id),
    });
    await until(
      () => ours.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id })),
      (o) => o.ProfileResourceAssociation!.Status === 'COMPLETE',
    );

    // CLI → ours: update the association's name, untag, then the CLI disassociates.
    await cli('update-profile-resource-association', '--profile-resource-association-id', r.Id!, '--name', 'renamed-by-cli');
    expect((await ours.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id }))).ProfileResourceAssociation!.Name).toBe(
      'renamed-by-cli',
    );
    await cli('untag-resource', '--resource-arn', p.Arn!, '--tag-keys', 'k');
    expect((await ours.send(new ListTagsForResourceCommand({ ResourceArn: p.Arn }))).Tags).toEqual({});
    await until(
      () => ours.send(new GetProfileResourceAssociationCommand({ ProfileResourceAssociationId: r.Id })),
      (o) => o.ProfileResourceAssociation!.Status === 'COMPLETE',
    );
    const cliCreated = await cli('create-profile', '--name', 'written-by-cli');
    expect(wireForm(await ours.send(new GetProfileCommand({ ProfileId: cliCreated.Profile.Id })))).toEqual(cliCreated);

    // Ours disassociates; the CLI sees DELETING (or the association gone).
    await ours.send(new DisassociateResourceFromProfileCommand({ ProfileId: p.Id, ResourceArn: zoneArn(zone.id) }));
    const after = await awsCli(['route53profiles', 'get-profile-resource-association', '--profile-resource-association-id', r.Id!], t.cli(0));
    if (after.code === 0) expect(after.json.ProfileResourceAssociation.Status).toBe('DELETING');
    else expect(cliErrorCode(after.stderr)).toBe('ResourceNotFoundException');
  });

  it('the same modelled error code from both (ResourceNotFoundException)', async () => {
    const ours404 = await rejection(ours.send(new GetProfileCommand({ ProfileId: 'rp-0000000000000000' })));
    const r = await awsCli(['route53profiles', 'get-profile', '--profile-id', 'rp-0000000000000000'], t.cli(0));
    expect(r.code).not.toBe(0);
    expect(cliErrorCode(r.stderr)).toBe(ours404.name);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Pagination

describe('paginators (route53profiles.paginators-1.json: NextToken in and out, MaxResults as page size)', () => {
  let t: TestTwin;
  let client: Route53ProfilesClient;
  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'via-profile', vpcs: 25, endpoints: 12, accounts: 1, delayScale: 0.01 });
    client = clientFor(t, 0);
  });
  afterAll(async () => {
    client?.destroy();
    await t?.close();
  });

  it('paginateListProfileAssociations walks 25 VPC associations in pages of 10, 10, 5', async () => {
    const profileId = t.world.profiles[0]!.id;
    const before = t.twin.log.length;
    const pages = [];
    for await (const page of paginateListProfileAssociations({ client, pageSize: 10 }, { ProfileId: profileId })) pages.push(page);
    expect(pages.map((p) => p.ProfileAssociations!.length)).toEqual([10, 10, 5]);
    expect(pages[2]!.NextToken).toBeUndefined();
    const ids = pages.flatMap((p) => p.ProfileAssociations!.map((a) => a.Id));
    expect(new Set(ids).size).toBe(25);
    expect(new Set(ids)).toEqual(new Set(t.world.profileAssociations.map((a) => a.id)));
    expect(t.twin.log.slice(before).filter((e) => e.operation === 'ListProfileAssociations')).toHaveLength(3);
  });

  it('paginateListProfileResourceAssociations and paginateListProfiles reach every item', async () => {
    const profileId = t.world.profiles[0]!.id;
    const pages = [];
    for await (const page of paginateListProfileResourceAssociations({ client, pageSize: 5 }, { ProfileId: profileId })) pages.push(page);
    const total = t.world.resourceAssociations.filter((r) => r.profileId === profileId).length;
    expect(total).toBeGreaterThan(10);
    expect(pages.length).toBe(Math.ceil(total / 5));
    expect(pages.flatMap((p) => p.ProfileResourceAssociations!).length).toBe(total);

    for (const name of ['extra-1', 'extra-2', 'extra-3']) await client.send(new CreateProfileCommand({ Name: name }));
    const names = [];
    let pageCount = 0;
    for await (const page of paginateListProfiles({ client, pageSize: 2 }, {})) {
      pageCount++;
      names.push(...page.ProfileSummaries!.map((s) => s.Name));
    }
    expect(pageCount).toBe(2);
    expect(names.sort()).toEqual(['extra-1', 'extra-2', 'extra-3', 'shared-dns']);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Endpoint and credential resolution

const AWS_ENV = Object.keys(process.env).filter((k) => k.startsWith('AWS_'));

/** Runs fn with only the given AWS_* variables set (and none of the caller's), then restores. */
async function withAwsEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved: Record<string, string | undefined> = {};
  for (const k of [...AWS_ENV, ...Object.keys(vars)]) saved[k] = process.env[k];
  for (const k of AWS_ENV) delete process.env[k];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

describe('endpoint and credential resolution, as the SDKs do it', () => {
  let a: TestTwin;
  let b: TestTwin;
  let dir: string;
  let seq = 0;
  /** A fresh file per test: the SDK caches shared config files by path. */
  const file = (text: string) => {
    const path = join(dir, `f${++seq}`);
    writeFileSync(path, text);
    return path;
  };
  const emptyConfig = () => file('');
  const staticCreds = (t: TestTwin, i = 0) => ({ accessKeyId: t.accounts[i]!.accessKeyId, secretAccessKey: t.accounts[i]!.secretAccessKey });
  // The same seed makes both twins accept the same keys; the request logs tell them apart.
  const served = (t: TestTwin, since: number) => t.twin.log.slice(since).filter((e) => e.service === 'route53profiles');

  beforeAll(async () => {
    a = await startTestTwin({ scenario: 'direct', vpcs: 2, endpoints: 1, accounts: 2 });
    b = await startTestTwin({ scenario: 'direct', vpcs: 2, endpoints: 1, accounts: 2 });
    dir = mkdtempSync(join(tmpdir(), 'r53p-client-'));
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('AWS_ENDPOINT_URL_ROUTE53PROFILES beats AWS_ENDPOINT_URL', async () => {
    await withAwsEnv({ AWS_CONFIG_FILE: emptyConfig(), AWS_SHARED_CREDENTIALS_FILE: emptyConfig(), AWS_ENDPOINT_URL_ROUTE53PROFILES: b.url, AWS_ENDPOINT_URL: a.url }, async () => {
      const [la, lb] = [a.twin.log.length, b.twin.log.length];
      const client = new Route53ProfilesClient({ region: 'us-east-1', credentials: staticCreds(a), maxAttempts: 1 });
      await client.send(new ListProfilesCommand({}));
      expect(served(b, lb)).toHaveLength(1);
      expect(served(a, la)).toHaveLength(0);
      client.destroy();
    });
  });

  it('AWS_ENDPOINT_URL alone is used', async () => {
    await withAwsEnv({ AWS_CONFIG_FILE: emptyConfig(), AWS_ENDPOINT_URL: a.url }, async () => {
      const la = a.twin.log.length;
      const client = new Route53ProfilesClient({ region: 'us-east-1', credentials: staticCreds(a), maxAttempts: 1 });
      await client.send(new ListProfilesCommand({}));
      expect(served(a, la)).toHaveLength(1);
    });
  });

  it('an explicit endpoint beats both variables', async () => {
    await withAwsEnv({ AWS_CONFIG_FILE: emptyConfig(), AWS_ENDPOINT_URL_ROUTE53PROFILES: b.url, AWS_ENDPOINT_URL: b.url }, async () => {
      const [la, lb] = [a.twin.log.length, b.twin.log.length];
      const client = new Route53ProfilesClient({ region: 'us-east-1', endpoint: a.url, credentials: staticCreds(a), maxAttempts: 1 });
      await client.send(new ListProfilesCommand({}));
      expect(served(a, la)).toHaveLength(1);
      expect(served(b, lb)).toHaveLength(0);
    });
  });

  it('endpoint_url of the AWS_PROFILE profile in AWS_CONFIG_FILE is used (profile level and the services-section form)', async () => {
    const config = file(
      [
        '[profile flat]',
        'region = us-east-1',
        `endpoint_url = ${b.url}`,
        '',
        '[profile via-services]',
        'region = us-east-1',
        `endpoint_url = ${a.url}`,
        'services = twin-b',
        '',
        '[services twin-b]',
        'route53profiles =',
        `  endpoint_url = ${b.url}`,
        '',
      ].join('\n'),
    );
    for (const profile of ['flat', 'via-services']) {
      await withAwsEnv({ AWS_CONFIG_FILE: config, AWS_PROFILE: profile }, async () => {
        const [la, lb] = [a.twin.log.length, b.twin.log.length];
        // No region given either: it comes from the profile.
        const client = new Route53ProfilesClient({ credentials: staticCreds(b), maxAttempts: 1 });
        await client.send(new ListProfilesCommand({}));
        expect(served(b, lb)).toHaveLength(1);
        expect(served(a, la)).toHaveLength(0);
      });
    }
  });

  it('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS falls back to the regional endpoint route53profiles.<region>.amazonaws.com', async () => {
    const config = file(`[default]\nendpoint_url = ${b.url}\n`);
    await withAwsEnv({ AWS_CONFIG_FILE: config, AWS_ENDPOINT_URL: a.url, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }, async () => {
      const client = new Route53ProfilesClient({ region: 'eu-west-2', credentials: staticCreds(a) });
      expect(await client.config.endpoint()).toMatchObject({ protocol: 'https:', hostname: 'route53profiles.eu-west-2.amazonaws.com' });
    });
    await withAwsEnv({ AWS_CONFIG_FILE: emptyConfig() }, async () => {
      const cn = new Route53ProfilesClient({ region: 'cn-north-1', credentials: staticCreds(a) });
      expect((await cn.config.endpoint()).hostname).toBe('route53profiles.cn-north-1.amazonaws.com.cn');
    });
  });

  it('credentials of a named profile in AWS_SHARED_CREDENTIALS_FILE act as that account', async () => {
    const acct = a.accounts[1]!;
    const creds = file(`[spoke]\naws_access_key_id = ${acct.accessKeyId}\naws_secret_access_key = ${acct.secretAccessKey}\n`);
    await withAwsEnv({ AWS_CONFIG_FILE: emptyConfig(), AWS_SHARED_CREDENTIALS_FILE: creds, AWS_PROFILE: 'spoke' }, async () => {
      const la = a.twin.log.length;
      const client = new Route53ProfilesClient({ region: 'us-east-1', endpoint: a.url, maxAttempts: 1 });
      await client.send(new ListProfilesCommand({}));
      expect(served(a, la).map((e) => e.accountId)).toEqual([acct.id]);
    });
  });

  it('an assume-role profile (role_arn + source_profile) acts as the role account', async () => {
    const base = a.accounts[0]!;
    const target = a.accounts[1]!;
    const creds = file(`[base]\naws_access_key_id = ${base.accessKeyId}\naws_secret_access_key = ${base.secretAccessKey}\n`);
    const config = file(
      [
        '[profile spoke-role]',
        `role_arn = arn:aws:iam::${target.id}:role/r53migrate`,
        'source_profile = base',
        'region = us-east-1',
        // STS is reached through the same configured endpoint (the twin serves every service on one port).
        `endpoint_url = ${a.url}`,
        '',
      ].join('\n'),
    );
    await withAwsEnv({ AWS_CONFIG_FILE: config, AWS_SHARED_CREDENTIALS_FILE: creds, AWS_PROFILE: 'spoke-role' }, async () => {
      const la = a.twin.log.length;
      const client = new Route53ProfilesClient({ maxAttempts: 1 });
      await client.send(new ListProfilesCommand({}));
      const log = a.twin.log.slice(la);
      expect(log.find((e) => e.operation === 'AssumeRole')).toMatchObject({ service: 'sts', accountId: base.id, outcome: 'ok' });
      expect(log.filter((e) => e.service === 'route53profiles').map((e) => e.accountId)).toEqual([target.id]);
      expect(log.find((e) => e.service === 'route53profiles')!.accessKeyId).toMatch(/^ASIA/);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Retries

describe('retries: the SDK standard strategy', () => {
  let t: TestTwin;
  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'direct', vpcs: 2, endpoints: 1, accounts: 1 });
  });
  afterAll(async () => {
    await t?.close();
  });
  const attemptsOf = (op: string, since: number) => t.twin.log.slice(since).filter((e) => e.operation === op);

  it('two injected throttles are absorbed with maxAttempts 3 ($metadata.attempts === 3)', async () => {
    await injectFault(t, { kind: 'throttle', service: 'route53profiles', count: 2 });
    const client = clientFor(t, 0, { maxAttempts: 3 });
    const since = t.twin.log.length;
    const out = await client.send(new ListProfilesCommand({}));
    expect(out.$metadata.attempts).toBe(3);
    expect(out.ProfileSummaries!.length).toBeGreaterThan(0);
    expect(attemptsOf('ListProfiles', since).map((e) => e.outcome)).toEqual(['throttled', 'throttled', 'ok']);
  });

  it('throttling beyond maxAttempts surfaces the ThrottlingException with attempts counted', async () => {
    await injectFault(t, { kind: 'throttle', service: 'route53profiles', count: 2 });
    const client = clientFor(t, 0, { maxAttempts: 2 });
    const since = t.twin.log.length;
    const e = await rejection(client.send(new ListProfilesCommand({})));
    expect(e).toBeInstanceOf(ThrottlingException);
    expect(e.$metadata.attempts).toBe(2);
    expect(attemptsOf('ListProfiles', since)).toHaveLength(2);
  });

  it('a 500 is transient and retried', async () => {
    await injectFault(t, { kind: 'error', service: 'route53profiles', count: 1 });
    const client = clientFor(t, 0, { maxAttempts: 2 });
    const out = await client.send(new ListProfilesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
  });

  it('a ValidationException is not retried (one request in the twin log)', async () => {
    const client = clientFor(t, 0, { maxAttempts: 3 });
    const since = t.twin.log.length;
    const e = await rejection(client.send(new CreateProfileCommand({ Name: 'not valid!' })));
    expect(e).toBeInstanceOf(ValidationException);
    expect(e.$metadata.attempts).toBe(1);
    expect(attemptsOf('CreateProfile', since)).toHaveLength(1);
  });

  it('maxAttempts defaults from AWS_MAX_ATTEMPTS like the SDK', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53p-retry-'));
    try {
      writeFileSync(join(dir, 'config'), '');
      await withAwsEnv({ AWS_CONFIG_FILE: join(dir, 'config'), AWS_MAX_ATTEMPTS: '4' }, async () => {
        const a = t.accounts[0]!;
        const client = new Route53ProfilesClient({ region: 'us-east-1', endpoint: t.url, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
        expect(await client.config.maxAttempts()).toBe(4);
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('clock skew: like the SDK, the client learns AWS time from the Date header and re-signs', () => {
  // AWS refuses a signature dated outside a window around its own clock (see src/twin/sigv4.ts);
  // the twin's clock here runs 2 hours ahead of this machine's.
  let t: TestTwin;
  beforeAll(async () => {
    t = await startTestTwin({ scenario: 'direct', vpcs: 2, endpoints: 1, accounts: 1, clock: new ManualClock(Date.now() + 2 * 3600_000) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the official SDK (Route53Client) is refused once, corrects its clock and succeeds: the twin behaves as AWS does', async () => {
    const a = t.accounts[0]!;
    const client = new Route53Client({ endpoint: t.url, region: t.world.region, maxAttempts: 3, credentials: { accessKeyId: a.accessKeyId, secretAccessKey: a.secretAccessKey } });
    const since = t.twin.log.length;
    const out = await client.send(new ListHostedZonesCommand({}));
    expect(out.$metadata.attempts).toBe(2);
    expect(t.twin.log.slice(since).map((e) => e.outcome)).toEqual(['auth-failed', 'ok']);
  });

  it('our Route 53 Profiles client does the same: one refused attempt, then every call signed with the corrected clock', async () => {
    const client = clientFor(t, 0, { maxAttempts: 3 });
    const since = t.twin.log.length;
    const first = await client.send(new ListProfilesCommand({}));
    expect(first.$metadata.attempts).toBe(2);
    const second = await client.send(new ListProfilesCommand({}));
    expect(second.$metadata.attempts).toBe(1);
    expect(t.twin.log.slice(since).map((e) => e.outcome)).toEqual(['auth-failed', 'ok', 'ok']);
  });
});
