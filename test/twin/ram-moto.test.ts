// AWS RAM: the twin against moto_server, the same signed REST-JSON requests to both. moto's RAM
// serves CreateResourceShare, GetResourceShares, DeleteResourceShare, GetResourceShareAssociations
// and EnableSharingWithAwsOrganization (moto/ram/urls.py); where the twin differs on purpose, the
// assertion says so and why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMoto, type MotoServer } from '../support/moto.js';
import { referee } from '../support/referees.js';
import { startTestTwin, type TestTwin } from '../support/twin.js';
import { A, buildFixture } from './profiles-fixture.js';
import { errorCode, ramRequest, type RawResult } from './ram-fixture.js';

const available = referee('moto_server', 'moto differential (RAM)');

type Kind = 'string' | 'number' | 'boolean' | 'object' | 'array';
const kinds = (o: Record<string, unknown>): Record<string, Kind> =>
  Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? 'array' : (typeof v as Kind)]));

describe.skipIf(!available)('RAM: twin vs moto_server', () => {
  let moto: MotoServer;
  let twin: TestTwin;
  const motoCreds = { accessKeyId: 'AKIAMOTOTEST00000000', secretAccessKey: 'moto-secret' };
  const both = async (method: string, path: string, body?: object, query?: Record<string, string>): Promise<{ t: RawResult; m: RawResult }> => {
    const acct = twin.accounts.find((a) => a.id === A)!;
    const [t, m] = await Promise.all([ramRequest(twin.url, acct, method, path, body, query), ramRequest(moto.url, motoCreds, method, path, body, query)]);
    return { t, m };
  };

  beforeAll(async () => {
    moto = await startMoto();
    twin = await startTestTwin({ world: buildFixture(0.01).world });
  });
  afterAll(async () => {
    await twin?.close();
    await moto?.stop();
  });

  it('CreateResourceShare with no resources or principals: same status and member types; the twin adds featureSet', async () => {
    const { t, m } = await both('POST', '/createresourceshare', { name: 'empty-share' });
    expect([t.status, m.status]).toEqual([200, 200]);
    const tk = kinds(t.json.resourceShare);
    const mk = kinds(m.json.resourceShare);
    for (const k of Object.keys(mk)) expect({ k, kind: tk[k] }).toEqual({ k, kind: mk[k] });
    // Deliberate: moto drops featureSet from CreateResourceShare's answer (models.py pops it);
    // the RAM API reference's CreateResourceShare response syntax includes it.
    expect(Object.keys(tk).filter((k) => !(k in mk))).toEqual(expect.arrayContaining(['featureSet']));
    expect(t.json.resourceShare).toMatchObject({ name: 'empty-share', allowExternalPrincipals: true, status: 'ACTIVE' });
    expect(m.json.resourceShare).toMatchObject({ name: 'empty-share', allowExternalPrincipals: true, status: 'ACTIVE' });
  });

  it('GetResourceShares SELF finds the share on both; a resourceOwner other than SELF/OTHER-ACCOUNTS is InvalidParameterException on both', async () => {
    const { t, m } = await both('POST', '/getresourceshares', { resourceOwner: 'SELF' });
    expect(t.json.resourceShares.map((s: { name: string }) => s.name)).toContain('empty-share');
    expect(m.json.resourceShares.map((s: { name: string }) => s.name)).toContain('empty-share');
    const bad = await both('POST', '/getresourceshares', { resourceOwner: 'NOBODY' });
    expect([bad.t.status, errorCode(bad.t)]).toEqual([400, 'InvalidParameterException']);
    expect([bad.m.status, errorCode(bad.m)]).toEqual([400, 'InvalidParameterException']);
    expect(bad.t.json.message).toBe(bad.m.json.message);
  });

  it('a malformed resource ARN is MalformedArnException on both, with the same message', async () => {
    const { t, m } = await both('POST', '/createresourceshare', { name: 'x', resourceArns: ['not-an-arn'] });
    expect([t.status, errorCode(t)]).toEqual([400, 'MalformedArnException']);
    expect([m.status, errorCode(m)]).toEqual([400, 'MalformedArnException']);
    expect(t.json.message).toBe(m.json.message);
  });

  it('a malformed principal is InvalidParameterException on both, with the same message', async () => {
    const { t, m } = await both('POST', '/createresourceshare', { name: 'x', principals: ['o-notanarn'] });
    expect([errorCode(t), errorCode(m)]).toEqual(['InvalidParameterException', 'InvalidParameterException']);
    expect(t.json.message).toBe(m.json.message);
  });

  it('a Route 53 Profile ARN: deliberately different — moto refuses the type, the twin shares it', async () => {
    const arn = 'arn:aws:route53profiles:us-east-1:123456789012:profile/rp-0000000000000000';
    const { t, m } = await both('POST', '/createresourceshare', { name: 'x', resourceArns: [arn] });
    // moto's SHAREABLE_RESOURCES has no route53profiles profile ("You cannot share the selected
    // resource type."); the RAM User Guide lists route53profiles:Profile as shareable. The twin
    // answers UnknownResourceException because this Profile does not exist in it.
    expect(errorCode(m)).toBe('MalformedArnException');
    expect(errorCode(t)).toBe('UnknownResourceException');
  });

  it('DeleteResourceShare (DELETE, members in the query): returnValue true and status DELETED on both; an unknown share is UnknownResourceException on both', async () => {
    const { t: tc, m: mc } = await both('POST', '/createresourceshare', { name: 'to-delete' });
    const acct = twin.accounts.find((a) => a.id === A)!;
    const [t, m] = await Promise.all([
      ramRequest(twin.url, acct, 'DELETE', '/deleteresourceshare', undefined, { resourceShareArn: tc.json.resourceShare.resourceShareArn }),
      ramRequest(moto.url, motoCreds, 'DELETE', '/deleteresourceshare', undefined, { resourceShareArn: mc.json.resourceShare.resourceShareArn }),
    ]);
    expect([t.status, m.status]).toEqual([200, 200]);
    expect(t.json.returnValue).toBe(true);
    expect(m.json.returnValue).toBe(true);
    const list = await both('POST', '/getresourceshares', { resourceOwner: 'SELF', name: 'to-delete' });
    // moto ignores the name filter; pick the share by ARN on both.
    const status = (r: RawResult, arn: string) => r.json.resourceShares.find((s: { resourceShareArn: string }) => s.resourceShareArn === arn)?.status;
    expect(status(list.t, tc.json.resourceShare.resourceShareArn)).toBe('DELETED');
    expect(status(list.m, mc.json.resourceShare.resourceShareArn)).toBe('DELETED');
    const gone = await both('DELETE', '/deleteresourceshare', undefined, { resourceShareArn: 'arn:aws:ram:us-east-1:123456789012:resource-share/00000000-0000-0000-0000-000000000000' });
    expect([errorCode(gone.t), errorCode(gone.m)]).toEqual(['UnknownResourceException', 'UnknownResourceException']);
  });

  it('EnableSharingWithAwsOrganization without an organization: OperationNotPermittedException on both, same message', async () => {
    const { t, m } = await both('POST', '/enablesharingwithawsorganization');
    expect([errorCode(t), errorCode(m)]).toEqual(['OperationNotPermittedException', 'OperationNotPermittedException']);
    expect(t.json.message).toBe(m.json.message);
  });

  it('invitations: deliberately different — moto serves no invitation operations, the twin does', async () => {
    const { t, m } = await both('POST', '/getresourceshareinvitations', {});
    // moto/ram/urls.py routes no /getresourceshareinvitations; the RAM API reference documents it.
    expect(t.status).toBe(200);
    expect(m.status).not.toBe(200);
  });
});
