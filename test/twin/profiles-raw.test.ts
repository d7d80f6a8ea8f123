// Route 53 Profiles wire format with hand-made, correctly signed requests: what a well-behaved SDK
// never sends (malformed JSON, missing or mistyped members, out-of-range query values) must get
// AWS's REST-JSON error (x-amzn-ErrorType header + {"__type","Message"} body), never a crash.
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PROFILES_OPERATIONS } from '../../src/twin/wire/profiles.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { A, buildFixture, REGION, zoneArn, type Fixture } from './profiles-fixture.js';

interface RawResult {
  status: number;
  headers: Headers;
  text: string;
  json: any;
}

describe('Route 53 Profiles raw REST-JSON requests', () => {
  let f: Fixture;
  let twin: TestTwin;

  /** Sends a SigV4-signed request as account A. `path` is sent as given (already percent-encoded). */
  async function send(method: string, path: string, body?: string, query: Record<string, string | string[]> = {}): Promise<RawResult> {
    const account = twin.accounts.find((a) => a.id === A)!;
    const url = new URL(twin.url);
    const signer = new SignatureV4({
      service: 'route53profiles',
      region: REGION,
      credentials: { accessKeyId: account.accessKeyId, secretAccessKey: account.secretAccessKey },
      sha256: Sha256,
    });
    const headers: Record<string, string> = { host: url.host };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const signed = await signer.sign({ method, protocol: url.protocol, hostname: url.hostname, port: Number(url.port), path, query, headers, body });
    const qs = Object.entries(query)
      .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeURIComponent(k)}=${encodeURIComponent(x)}`))
      .join('&');
    const res = await fetch(`${twin.url}${path}${qs ? `?${qs}` : ''}`, { method, headers: signed.headers as Record<string, string>, body });
    const text = await res.text();
    let json: any;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  function expectError(r: RawResult, code: string, status = 400) {
    expect(r.status, r.text).toBe(status);
    expect(r.headers.get('x-amzn-errortype')).toBe(code);
    expect(r.json.__type).toBe(code);
    expect(typeof r.json.Message).toBe('string');
    expect(r.headers.get('x-amzn-requestid')).toBeTruthy();
  }

  beforeAll(async () => {
    f = buildFixture(0.01);
    twin = await startTestTwin({ world: f.world });
  });
  afterAll(async () => {
    await twin?.close();
  });

  it('every operation of the botocore model is routed, by the model\'s method and requestUri', () => {
    const model = JSON.parse(readFileSync('/work/shared/reference/models/route53profiles.service-2.json', 'utf8'));
    expect([...PROFILES_OPERATIONS].sort()).toEqual(Object.keys(model.operations).sort());
  });

  it('malformed JSON is SerializationException (400) with x-amzn-ErrorType and a __type body [unconfirmed: usual REST-JSON practice]', async () => {
    expectError(await send('POST', '/profile', '{"Name": "x", '), 'SerializationException');
    expectError(await send('POST', '/profile', '[1,2]'), 'SerializationException');
    expectError(await send('POST', '/profile', '"just a string"'), 'SerializationException');
  });

  it('missing required members are ValidationException, one clause per member, in AWS\'s "N validation errors detected" style', async () => {
    const r = await send('POST', '/profileassociation', '{}');
    expectError(r, 'ValidationException');
    expect(r.json.Message).toBe(
      "3 validation errors detected: Value null at 'name' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'profileId' failed to satisfy constraint: Member must not be null; " +
        "Value null at 'resourceId' failed to satisfy constraint: Member must not be null",
    );
    // An empty body is an empty object, not a parse error.
    expectError(await send('POST', '/profile', ''), 'ValidationException');
  });

  it('Name constraints from the model (pattern, max 64) are ValidationException', async () => {
    const digits = await send('POST', '/profile', JSON.stringify({ ClientToken: 't1', Name: '123' }));
    expectError(digits, 'ValidationException');
    expect(digits.json.Message).toContain("Value '123' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern");
    const long = await send('POST', '/profile', JSON.stringify({ ClientToken: 't2', Name: 'n'.repeat(65) }));
    expectError(long, 'ValidationException');
    expect(long.json.Message).toContain('Member must have length less than or equal to 64');
  });

  it('a member of the wrong JSON type is SerializationException', async () => {
    expectError(await send('POST', '/profile', JSON.stringify({ ClientToken: 't', Name: 123 })), 'SerializationException');
    expectError(await send('POST', '/profile', JSON.stringify({ ClientToken: 't', Name: 'ok', Tags: 'x' })), 'SerializationException');
    expectError(await send('POST', '/profile', JSON.stringify({ ClientToken: 't', Name: 'ok', Tags: [{ Key: 'k' }] })), 'SerializationException');
  });

  it('maxResults outside the model\'s 1..100 is ValidationException; a non-number is refused too', async () => {
    expectError(await send('GET', '/profiles', undefined, { maxResults: '0' }), 'ValidationException');
    expectError(await send('GET', '/profileassociations', undefined, { maxResults: '101' }), 'ValidationException');
    expectError(await send('GET', '/profiles', undefined, { maxResults: 'abc' }), 'SerializationException');
    expectError(await send('GET', '/profiles', undefined, { nextToken: 'bm9wZQ' }), 'InvalidNextTokenException');
  });

  it('DisassociateProfile answers only on /profileassociation/Profileid/… with the capital P of the model', async () => {
    const created = await send('POST', '/profile', JSON.stringify({ ClientToken: 'cap-p', Name: 'cap-p' }));
    const id = created.json.Profile.Id as string;
    const assoc = await send('POST', '/profileassociation', JSON.stringify({ ProfileId: id, ResourceId: 'vpc-0aaaaaaaaaaaaaaa2', Name: 'x' }));
    expect(assoc.status).toBe(200);
    expectError(await send('DELETE', `/profileassociation/profileid/${id}/resourceid/vpc-0aaaaaaaaaaaaaaa2`), 'UnknownOperationException', 404);
    const ok = await send('DELETE', `/profileassociation/Profileid/${id}/resourceid/vpc-0aaaaaaaaaaaaaaa2`);
    expect(ok.status).toBe(200);
    expect(ok.json.ProfileAssociation.Status).toBe('DELETING');
  });

  it('DisassociateResourceFromProfile decodes the percent-encoded ARN in the path', async () => {
    const created = await send('POST', '/profile', JSON.stringify({ ClientToken: 'arn-path', Name: 'arn-path' }));
    const id = created.json.Profile.Id as string;
    const arn = zoneArn(f.zoneId);
    const r = await send('POST', '/profileresourceassociation', JSON.stringify({ ProfileId: id, ResourceArn: arn, Name: 'phz' }));
    expect(r.status).toBe(200);
    for (let i = 0; i < 50 && twin.twin.snapshot().resourceAssociations.find((x) => x.resourceArn === arn && x.profileId === id)?.status !== 'COMPLETE'; i++) {
      await new Promise((res) => setTimeout(res, 20));
    }
    const del = await send('DELETE', `/profileresourceassociation/profileid/${id}/resourcearn/${encodeURIComponent(arn)}`);
    expect(del.status, del.text).toBe(200);
    expect(del.json.ProfileResourceAssociation).toMatchObject({ ResourceArn: arn, Status: 'DELETING' });
  });

  it('modelled error members travel in the body: ResourceType on ResourceNotFoundException, FieldName on InvalidParameterException', async () => {
    const nf = await send('GET', '/profile/rp-0000000000000000');
    expectError(nf, 'ResourceNotFoundException');
    expect(nf.json.ResourceType).toBe('PROFILE');
    const created = await send('POST', '/profile', JSON.stringify({ ClientToken: 'fieldname', Name: 'fieldname' }));
    const bad = await send('POST', '/profileresourceassociation', JSON.stringify({ ProfileId: created.json.Profile.Id, ResourceArn: 'arn:aws:s3:::bucket', Name: 'x' }));
    expectError(bad, 'InvalidParameterException');
    expect(bad.json.FieldName).toBe('ResourceArn');
  });

  it('every response, success or error, carries x-amzn-RequestId; TagResource answers 204 with no body [doc: model responseCode]', async () => {
    const created = await send('POST', '/profile', JSON.stringify({ ClientToken: 'rid', Name: 'rid' }));
    expect(created.status).toBe(200);
    expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof created.json.Profile.CreationTime).toBe('number');
    const tagged = await send('POST', `/tags/${encodeURIComponent(created.json.Profile.Arn)}`, JSON.stringify({ Tags: { a: 'b' } }));
    expect(tagged.status).toBe(204);
    expect(tagged.text).toBe('');
    expect(tagged.headers.get('x-amzn-requestid')).toBeTruthy();
    const untag = await send('DELETE', `/tags/${encodeURIComponent(created.json.Profile.Arn)}`);
    expectError(untag, 'ValidationException'); // tagKeys is required
  });

  it('never a crash: garbage bodies on every body-taking route answer a 4xx modelled error, never 500', async () => {
    const routes: [string, string][] = [
      ['POST', '/profile'],
      ['POST', '/profileassociation'],
      ['POST', '/profileresourceassociation'],
      ['PATCH', '/profileresourceassociation/rpr-00000000000000000'],
      ['POST', `/tags/${encodeURIComponent('arn:aws:route53profiles:us-east-1:111111111111:profile/rp-x')}`],
    ];
    const bodies = ['{', 'null', '[]', '123', '"s"', '{"Name":{"a":1}}', '{"Tags":[1]}', '{"Tags":{"k":1}}', '{"ProfileId":[],"ResourceId":1}', '\u0000', '{"Name":"ok","ProfileId":"rp-x","ResourceArn":"%%%"}'];
    for (const [method, path] of routes) {
      for (const body of bodies) {
        const r = await send(method, path, body);
        expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${r.text}`).toBeGreaterThanOrEqual(400);
        expect(r.status, `${method} ${path} ${JSON.stringify(body)} → ${r.text}`).toBeLessThan(500);
        expect(r.headers.get('x-amzn-errortype')).toBeTruthy();
      }
    }
  });
});
