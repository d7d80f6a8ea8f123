// REST-JSON (de)serialisation for Route 53 Profiles, driven by a table transcribed from
// models/route53profiles.service-2.json: method + requestUri, which members are path labels,
// which are query strings (by locationName), the rest as the JSON body. It builds requests with
// the SDK's own RequestBuilder (so labels get extendedEncodeURIComponent, one segment each:
// an ARN's "/" and ":" are percent-encoded) and reads responses and errors with the SDK's
// parse helpers, the way the official client's generated protocol code does.
import { decorateServiceException } from '@smithy/core/client';
import { extendedEncodeURIComponent, loadRestJsonErrorCode, requestBuilder, type HttpRequest, type HttpResponse } from '@smithy/core/protocols';
import { expectNonNull, expectNumber, expectObject, expectString, generateIdempotencyToken, parseEpochTimestamp } from '@smithy/core/serde';
import type { Endpoint, ResponseMetadata } from '@smithy/types';
import { MODELLED_ERRORS, Route53ProfilesServiceException } from './errors.js';
import type { OperationName } from './models.js';

interface OperationSpec {
  method: 'GET' | 'POST' | 'DELETE' | 'PATCH';
  /** requestUri with {Label}s, exactly as the model spells it (note `Profileid` below). */
  uri: string;
  /** Path label members, in order of appearance. */
  labels?: readonly string[];
  /** Query members → locationName; `list` members repeat the key per item. */
  query?: Readonly<Record<string, { name: string; kind: 'string' | 'integer' | 'list' }>>;
  /** Body members (an operation that lists none sends no body and no Content-Type). */
  body?: readonly string[];
  /** The member the model marks idempotencyToken (filled with a UUID when absent). */
  idempotencyToken?: string;
  /** Output members and how to read each. */
  output: Readonly<Record<string, OutputKind>>;
}

type OutputKind = 'string' | 'profile' | 'profileAssociation' | 'profileAssociations' | 'resourceAssociation' | 'resourceAssociations' | 'summaries' | 'tagMap';

const page = {
  MaxResults: { name: 'maxResults', kind: 'integer' },
  NextToken: { name: 'nextToken', kind: 'string' },
} as const;

export const OPERATIONS: Readonly<Record<OperationName, OperationSpec>> = {
  AssociateProfile: {
    method: 'POST',
    uri: '/profileassociation',
    body: ['Name', 'ProfileId', 'ResourceId', 'Tags'],
    output: { ProfileAssociation: 'profileAssociation' },
  },
  AssociateResourceToProfile: {
    method: 'POST',
    uri: '/profileresourceassociation',
    body: ['Name', 'ProfileId', 'ResourceArn', 'ResourceProperties'],
    output: { ProfileResourceAssociation: 'resourceAssociation' },
  },
  CreateProfile: {
    method: 'POST',
    uri: '/profile',
    body: ['ClientToken', 'Name', 'Tags'],
    idempotencyToken: 'ClientToken',
    output: { Profile: 'profile' },
  },
  DeleteProfile: { method: 'DELETE', uri: '/profile/{ProfileId}', labels: ['ProfileId'], output: { Profile: 'profile' } },
  DisassociateProfile: {
    method: 'DELETE',
    uri: '/profileassociation/Profileid/{ProfileId}/resourceid/{ResourceId}',
    labels: ['ProfileId', 'ResourceId'],
    output: { ProfileAssociation: 'profileAssociation' },
  },
  DisassociateResourceFromProfile: {
    method: 'DELETE',
    uri: '/profileresourceassociation/profileid/{ProfileId}/resourcearn/{ResourceArn}',
    labels: ['ProfileId', 'ResourceArn'],
    output: { ProfileResourceAssociation: 'resourceAssociation' },
  },
  GetProfile: { method: 'GET', uri: '/profile/{ProfileId}', labels: ['ProfileId'], output: { Profile: 'profile' } },
  GetProfileAssociation: {
    method: 'GET',
    uri: '/profileassociation/{ProfileAssociationId}',
    labels: ['ProfileAssociationId'],
    output: { ProfileAssociation: 'profileAssociation' },
  },
  GetProfileResourceAssociation: {
    method: 'GET',
    uri: '/profileresourceassociation/{ProfileResourceAssociationId}',
    labels: ['ProfileResourceAssociationId'],
    output: { ProfileResourceAssociation: 'resourceAssociation' },
  },
  ListProfileAssociations: {
    method: 'GET',
    uri: '/profileassociations',
    query: { ResourceId: { name: 'resourceId', kind: 'string' }, ProfileId: { name: 'profileId', kind: 'string' }, ...page },
    output: { NextToken: 'string', ProfileAssociations: 'profileAssociations' },
  },
  ListProfileResourceAssociations: {
    method: 'GET',
    uri: '/profileresourceassociations/profileid/{ProfileId}',
    labels: ['ProfileId'],
    query: { ResourceType: { name: 'resourceType', kind: 'string' }, ...page },
    output: { NextToken: 'string', ProfileResourceAssociations: 'resourceAssociations' },
  },
  ListProfiles: { method: 'GET', uri: '/profiles', query: page, output: { NextToken: 'string', ProfileSummaries: 'summaries' } },
  ListTagsForResource: { method: 'GET', uri: '/tags/{ResourceArn}', labels: ['ResourceArn'], output: { Tags: 'tagMap' } },
  TagResource: { method: 'POST', uri: '/tags/{ResourceArn}', labels: ['ResourceArn'], body: ['Tags'], output: {} },
  UntagResource: {
    method: 'DELETE',
    uri: '/tags/{ResourceArn}',
    labels: ['ResourceArn'],
    query: { TagKeys: { name: 'tagKeys', kind: 'list' } },
    output: {},
  },
  UpdateProfileResourceAssociation: {
    method: 'PATCH',
    uri: '/profileresourceassociation/{ProfileResourceAssociationId}',
    labels: ['ProfileResourceAssociationId'],
    body: ['Name', 'ResourceProperties'],
    output: { ProfileResourceAssociation: 'resourceAssociation' },
  },
};

// ---------------------------------------------------------------------------------------------
// Requests

/** JSON value with null/undefined members and list items dropped, as the SDK's `_json` does. */
function plainJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v != null).map(plainJson);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v != null) out[k] = plainJson(v);
    return out;
  }
  return value;
}

export async function serializeRequest(operation: OperationName, input: object, endpoint: () => Promise<Endpoint>): Promise<HttpRequest> {
  const spec = OPERATIONS[operation];
  const members = input as Record<string, unknown>;
  const b = requestBuilder(input, { endpoint } as never);
  b.bp(spec.uri);
  for (const label of spec.labels ?? []) {
    b.p(label, () => members[label] as string, `{${label}}`, false);
  }
  const query: Record<string, string | string[]> = {};
  for (const [member, { name, kind }] of Object.entries(spec.query ?? {})) {
    const v = members[member];
    if (v == null) {
      // The SDK insists on a required list query member (UntagResource's TagKeys).
      if (kind === 'list') throw new TypeError(`Expected a non-null value for ${member}`);
      continue;
    }
    query[name] = kind === 'list' ? (v as unknown[]).map(String) : String(v);
  }
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (spec.body) {
    headers['content-type'] = 'application/json';
    const payload: Record<string, unknown> = {};
    for (const member of spec.body) {
      let v = members[member];
      if (member === spec.idempotencyToken) v ??= generateIdempotencyToken();
      if (v != null) payload[member] = plainJson(v);
    }
    body = JSON.stringify(payload);
  }
  b.m(spec.method).h(headers).q(query as Record<string, string>).b(body);
  return b.build();
}

/** Exposed for tests and logging: the path a label value takes on the wire. */
export const encodeLabel = extendedEncodeURIComponent;

// ---------------------------------------------------------------------------------------------
// Responses

export function responseMetadata(response: HttpResponse): ResponseMetadata {
  const h = response.headers;
  return {
    httpStatusCode: response.statusCode,
    requestId: h['x-amzn-requestid'] ?? h['x-amzn-request-id'] ?? h['x-amz-request-id'],
    extendedRequestId: h['x-amz-id-2'],
    cfId: h['x-amz-cf-id'],
  };
}

function parseJsonText(text: string): unknown {
  return text.length ? JSON.parse(text) : {};
}

const timestamp = (v: unknown): Date => expectNonNull(parseEpochTimestamp(expectNumber(v)), 'timestamp') as Date;

/** Copies the listed members that are present (SDK `take` semantics: nulls and unknown members dropped). */
function take(source: unknown, members: Record<string, (v: unknown) => unknown>): Record<string, unknown> {
  const obj = expectObject(source) ?? {};
  const out: Record<string, unknown> = {};
  for (const [name, read] of Object.entries(members)) {
    const v = obj[name];
    if (v != null) out[name] = read(v);
  }
  return out;
}

const str = (v: unknown) => expectString(v);

const PROFILE = {
  Arn: str,
  ClientToken: str,
  CreationTime: timestamp,
  Id: str,
  ModificationTime: timestamp,
  Name: str,
  OwnerId: str,
  ShareStatus: str,
  Status: str,
  StatusMessage: str,
};
const PROFILE_SUMMARY = { Arn: str, Id: str, Name: str, ShareStatus: str };
const PROFILE_ASSOCIATION = {
  CreationTime: timestamp,
  Id: str,
  ModificationTime: timestamp,
  Name: str,
  OwnerId: str,
  ProfileId: str,
  ResourceId: str,
  Status: str,
  StatusMessage: str,
};
const RESOURCE_ASSOCIATION = {
  CreationTime: timestamp,
  Id: str,
  ModificationTime: timestamp,
  Name: str,
  OwnerId: str,
  ProfileId: str,
  ResourceArn: str,
  ResourceProperties: str,
  ResourceType: str,
  Status: str,
  StatusMessage: str,
};

const listOf = (members: Record<string, (v: unknown) => unknown>) => (v: unknown) => {
  if (!Array.isArray(v)) throw new TypeError(`Expected a list, got ${typeof v}`);
  return v.filter((e) => e != null).map((e) => take(e, members));
};

const READERS: Record<OutputKind, (v: unknown) => unknown> = {
  string: str,
  profile: (v) => take(v, PROFILE),
  profileAssociation: (v) => take(v, PROFILE_ASSOCIATION),
  profileAssociations: listOf(PROFILE_ASSOCIATION),
  resourceAssociation: (v) => take(v, RESOURCE_ASSOCIATION),
  resourceAssociations: listOf(RESOURCE_ASSOCIATION),
  summaries: listOf(PROFILE_SUMMARY),
  tagMap: (v) => {
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(expectObject(v) ?? {})) if (x != null) out[k] = expectString(x)!;
    return out;
  },
};

/** A 2xx response → the operation's output members (without $metadata). */
export function deserializeOutput(operation: OperationName, bodyText: string): Record<string, unknown> {
  const spec = OPERATIONS[operation];
  if (Object.keys(spec.output).length === 0) return {};
  const data = expectNonNull(expectObject(parseJsonText(bodyText)), 'body');
  return take(data, Object.fromEntries(Object.entries(spec.output).map(([m, kind]) => [m, READERS[kind]])));
}

/**
 * An error response → the modelled exception (or the service base exception named after the
 * wire code). Code from x-amzn-ErrorType (":uri…" suffix dropped), else body `code`, else
 * `__type` ("namespace#" prefix dropped) — the SDK's loadRestJsonErrorCode order.
 */
export function deserializeError(response: HttpResponse, bodyText: string, $metadata: ResponseMetadata): Route53ProfilesServiceException {
  let data: Record<string, unknown> = {};
  try {
    const parsed = parseJsonText(bodyText);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) data = parsed as Record<string, unknown>;
  } catch {
    // A non-JSON error body (a proxy's HTML page, say) still yields an error named by status.
  }
  const code = loadRestJsonErrorCode(response, data) ?? 'Unknown';
  const message = String(data.message ?? data.Message ?? 'UnknownError');
  const modelled = MODELLED_ERRORS[code];
  let exception: Route53ProfilesServiceException;
  if (modelled) {
    const members: Record<string, unknown> = {};
    for (const m of modelled.members) if (data[m] != null) members[m] = expectString(data[m]);
    if (data.Message != null) members.Message = expectString(data.Message);
    exception = new modelled.ctor({ $metadata, message, ...members });
  } else {
    exception = new Route53ProfilesServiceException({ name: code, $fault: response.statusCode < 500 ? 'client' : 'server', $metadata, message });
  }
  const decorated = decorateServiceException(exception, { ...data, message }) as Route53ProfilesServiceException;
  Object.defineProperty(decorated, '$response', { value: response, enumerable: false, writable: true, configurable: true });
  return decorated;
}
