// AWS RAM over HTTP against a twin server, with requests signed as the SDK signs them
// (SignatureV4, service `ram`). @aws-sdk/client-ram is not installed: the registry has no release
// on the house's ^3.1169.0 line, so this file speaks the wire directly (REST-JSON per the botocore
// model ram-2018-01-04); ram-cli.test.ts has botocore parse the same answers.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAM_OPERATIONS } from '../../src/twin/wire/ram.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { A, B, buildFixture, type Fixture } from './profiles-fixture.js';
import { errorCode, ramRequest, type RawResult } from './ram-fixture.js';

describe('RAM REST-JSON against the twin', () => {
  let f: Fixture;
  let twin: TestTwin;
  const creds = (id: string) => twin.accounts.find((a) => a.id === id)!;
  const ram = (id: string, method: string, path: string, body?: object | string, query?: Record<string, string>) => ramRequest(twin.url, creds(id), method, path, body, query);
  const profiles = async (id: string, method: string, path: string, body?: object) => {
    const { SignatureV4 } = await import('@smithy/signature-v4');
    const { Sha256 } = await import('@aws-crypto/sha256-js');
    const url = new URL(twin.url);
    const signer = new SignatureV4({ service: 'route53profiles', region: 'us-east-1', credentials: creds(id), sha256: Sha256 });
    const text = body ? JSON.stringify(body) : undefined;
    const headers: Record<string, string> = { host: url.host, ...(text ? { 'content-type': 'application/json' } : {}) };
    const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, headers, body: text });
    const res = await fetch(`${twin.url}${path}`, { method, headers: signed.headers as Record<string, string>, body: text });
    return { status: res.status, json: await res.json().catch(() => undefined) };
  };
  function expectError(r: RawResult, code: string, status = 400) {
    expect(r.status, r.text).toBe(status);
    expect(r.headers.get('x-amzn-errortype')).toBe(code);
    expect(r.json.__type).toBe(code);
    // RAM's error shapes carry a lower-case `message` member [model].
    expect(typeof r.json.message).toBe('string');
    expect(r.headers.get('x-amzn-requestid')).toBeTruthy();
  }

  beforeAll(async () => {
    f = buildFixture(0.01);
    twin = await startTestTwin({ world: f.world });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('every operation of the reference model is routed (plus RejectResourceShareInvitation from the API reference)', () => {
    const model = JSON.parse(readFileSync('/work/shared/reference/models/ram.service-2.json', 'utf8'));
    const served = new Set(RAM_OPERATIONS);
    for (const op of Object.keys(model.operations)) {
      if (op === 'ListPrincipals') continue; // not served yet (see the report)
      expect(served.has(op), op).toBe(true);
      const route = model.operations[op].http;
      expect(route.requestUri).toMatch(/^\/[a-z]+$/);
    }
    expect(served.has('RejectResourceShareInvitation')).toBe(true);
  });

  it('share a Profile across accounts: create (POST /createresourceshare), the receiver accepts, the Profile becomes visible [API CreateResourceShare, AcceptResourceShareInvitation]', async () => {
    const created = await profiles(A, 'POST', '/profile', { Name: 'wire-dns', ClientToken: 'wire-1' });
    expect(created.status).toBe(200);
    const profileArn = created.json.Profile.Arn as string;
    const profileId = created.json.Profile.Id as string;

    const share = await ram(A, 'POST', '/createresourceshare', { name: 'dns', resourceArns: [profileArn], principals: [B], clientToken: 'c-1' });
    expect(share.status, share.text).toBe(200);
    expect(share.headers.get('content-type')).toBe('application/json');
    expect(share.json.clientToken).toBe('c-1');
    expect(share.json.resourceShare).toMatchObject({ name: 'dns', owningAccountId: A, allowExternalPrincipals: true, status: 'ACTIVE', featureSet: 'STANDARD' });
    // Timestamps are epoch seconds, as REST-JSON bodies carry them.
    expect(typeof share.json.resourceShare.creationTime).toBe('number');
    const shareArn = share.json.resourceShare.resourceShareArn as string;

    expect((await profiles(B, 'GET', `/profile/${profileId}`)).status).toBe(400);

    const inv = await ram(B, 'POST', '/getresourceshareinvitations', {});
    expect(inv.status).toBe(200);
    expect(inv.json.resourceShareInvitations).toHaveLength(1);
    const invArn = inv.json.resourceShareInvitations[0].resourceShareInvitationArn as string;
    const assocBefore = await ram(A, 'POST', '/getresourceshareassociations', { associationType: 'PRINCIPAL', resourceShareArns: [shareArn] });
    expect(assocBefore.json.resourceShareAssociations[0]).toMatchObject({ associatedEntity: B, status: 'ASSOCIATING', associationType: 'PRINCIPAL' });

    const accepted = await ram(B, 'POST', '/acceptresourceshareinvitation', { resourceShareInvitationArn: invArn });
    expect(accepted.status).toBe(200);
    expect(accepted.json.resourceShareInvitation.status).toBe('ACCEPTED');
    const assocAfter = await ram(A, 'POST', '/getresourceshareassociations', { associationType: 'PRINCIPAL', resourceShareArns: [shareArn] });
    expect(assocAfter.json.resourceShareAssociations[0].status).toBe('ASSOCIATED');

    const seen = await profiles(B, 'GET', `/profile/${profileId}`);
    expect(seen.status).toBe(200);
    expect(seen.json.Profile.ShareStatus).toBe('SHARED_WITH_ME');
    const assoc = await profiles(B, 'POST', '/profileassociation', { Name: 'b', ProfileId: profileId, ResourceId: 'vpc-0bbbbbbbbbbbbbbb1' });
    expect(assoc.status).toBe(200);

    expectError(await ram(B, 'POST', '/acceptresourceshareinvitation', { resourceShareInvitationArn: invArn }), 'ResourceShareInvitationAlreadyAcceptedException');

    // DELETE /deleteresourceshare takes its members from the query string [model: location querystring].
    const del = await ram(A, 'DELETE', '/deleteresourceshare', undefined, { resourceShareArn: shareArn, clientToken: 'd-1' });
    expect(del.status, del.text).toBe(200);
    expect(del.json).toEqual({ returnValue: true, clientToken: 'd-1' });
  });

  it('errors are REST-JSON: x-amzn-ErrorType, {"__type","message"}, HTTP 400 for client errors [model httpStatusCode]', async () => {
    expectError(await ram(A, 'POST', '/createresourceshare', { name: 'x', resourceArns: ['nope'] }), 'MalformedArnException');
    expectError(await ram(A, 'POST', '/getresourceshares', { resourceOwner: 'ME' }), 'InvalidParameterException');
    expectError(await ram(A, 'POST', '/getresourceshares', {}), 'InvalidParameterException');
    expectError(await ram(A, 'POST', '/getresourceshares', '{"resourceOwner": '), 'SerializationException');
    expectError(await ram(A, 'POST', '/enablesharingwithawsorganization'), 'OperationNotPermittedException');
  });

  it('an unknown path is UnknownOperationException 404; an unsigned request gets RAM\'s authentication error', async () => {
    expectError(await ram(A, 'POST', '/nosuchoperation', {}), 'UnknownOperationException', 404);
    const res = await fetch(`${twin.url}/getresourceshares`, { method: 'POST', body: '{"resourceOwner":"SELF"}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('IAM: ram:CreateResourceShare is authorized on resource-share/* with ram:RequestedAllowsExternalPrincipals; a denial is AccessDeniedException 403 [RAM UG control-access examples; peer: landing-zone-accelerator-on-aws#230]', async () => {
    twin.twin.setPolicy(B, {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'ram:*', Resource: '*' },
        { Effect: 'Deny', Action: 'ram:CreateResourceShare', Resource: '*', Condition: { Bool: { 'ram:RequestedAllowsExternalPrincipals': 'true' } } },
      ],
    });
    try {
      const denied = await ram(B, 'POST', '/createresourceshare', { name: 'open' });
      expectError(denied, 'AccessDeniedException', 403);
      expect(denied.json.message).toContain(`ram:CreateResourceShare on resource: arn:aws:ram:us-east-1:${B}:resource-share/*`);
      const allowed = await ram(B, 'POST', '/createresourceshare', { name: 'closed', allowExternalPrincipals: false });
      expect(allowed.status, allowed.text).toBe(200);
    } finally {
      twin.twin.setPolicy(B, undefined);
    }
  });

  it('the request log records RAM calls with their operation and account', async () => {
    await ram(A, 'POST', '/getresourceshares', { resourceOwner: 'SELF' });
    const last = twin.twin.log.filter((e) => e.service === 'ram').at(-1)!;
    expect(last).toMatchObject({ operation: 'GetResourceShares', accountId: A, mutating: false, outcome: 'ok' });
    expect(errorCode({ status: 400, headers: new Headers({ 'x-amzn-errortype': 'X:http://internal' }), text: '', json: {} })).toBe('X');
  });
});
