// Route 53 Profiles wire front end (REST-JSON, API 2018-05-10): routes by method + path as the
// botocore model's requestUri says, reads members from path/query/body by location, validates
// them against the model's constraints, calls ops/profiles.ts and renders JSON or a REST-JSON
// error (x-amzn-ErrorType header + {"__type", "Message"} body).
import { AwsApiError } from '../errors.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import * as ops from '../ops/profiles.js';

// ---------------------------------------------------------------------------------------------
// Member specs (from models/route53profiles.service-2.json)

type Kind = 'string' | 'integer' | 'tagList' | 'tagMap' | 'stringList';

interface Member {
  /** Member name in the model (and in JSON bodies). */
  name: string;
  kind: Kind;
  location: 'body' | 'uri' | 'query';
  /** Path label or query key (locationName). */
  locationName?: string;
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
}

const NAME_PATTERN = /^(?!^[0-9]+$)([a-zA-Z0-9\-_' ']+)$/;
const NAME_PATTERN_TEXT = "^(?!^[0-9]+$)([a-zA-Z0-9\\-_' ']+)$";

const name = (required: boolean): Member => ({ name: 'Name', kind: 'string', location: 'body', required, min: 0, max: 64, pattern: NAME_PATTERN });
const resourceIdIn = (member: string, location: Member['location'], required = true, locationName?: string): Member => ({
  name: member,
  kind: 'string',
  location,
  locationName: locationName ?? member,
  required,
  min: 1,
  max: 64,
});
const arnIn = (location: Member['location']): Member => ({ name: 'ResourceArn', kind: 'string', location, locationName: 'ResourceArn', required: true, min: 1, max: 255 });
const tags: Member = { name: 'Tags', kind: 'tagList', location: 'body', max: 200 };
const page: Member[] = [
  { name: 'MaxResults', kind: 'integer', location: 'query', locationName: 'maxResults', min: 1, max: ops.MAX_RESULTS_LIMIT },
  { name: 'NextToken', kind: 'string', location: 'query', locationName: 'nextToken' },
];

interface Route {
  operation: string;
  method: string;
  /** Literal segments, `{Label}` for one segment, `{Label+}` for the rest of the path. */
  path: string;
  members: Member[];
  mutating: boolean;
  /** HTTP status of a success (the model's responseCode). */
  status: number;
  run(ctx: CallContext, input: any): object;
}

const ROUTES: Route[] = [
  {
    operation: 'CreateProfile',
    method: 'POST',
    path: '/profile',
    members: [{ name: 'ClientToken', kind: 'string', location: 'body', required: true, min: 1, max: 255 }, name(true), tags],
    mutating: true,
    status: 200,
    run: ops.createProfile,
  },
  { operation: 'GetProfile', method: 'GET', path: '/profile/{ProfileId}', members: [resourceIdIn('ProfileId', 'uri')], mutating: false, status: 200, run: ops.getProfile },
  { operation: 'DeleteProfile', method: 'DELETE', path: '/profile/{ProfileId}', members: [resourceIdIn('ProfileId', 'uri')], mutating: true, status: 200, run: ops.deleteProfile },
  { operation: 'ListProfiles', method: 'GET', path: '/profiles', members: page, mutating: false, status: 200, run: ops.listProfiles },
  {
    operation: 'AssociateProfile',
    method: 'POST',
    path: '/profileassociation',
    members: [name(true), resourceIdIn('ProfileId', 'body'), resourceIdIn('ResourceId', 'body'), tags],
    mutating: true,
    status: 200,
    run: ops.associateProfile,
  },
  {
    operation: 'GetProfileAssociation',
    method: 'GET',
    path: '/profileassociation/{ProfileAssociationId}',
    members: [resourceIdIn('ProfileAssociationId', 'uri')],
    mutating: false,
    status: 200,
    run: ops.getProfileAssociation,
  },
  {
    // Note the capital P in `Profileid`: that is the model's requestUri.
    operation: 'DisassociateProfile',
    method: 'DELETE',
    path: '/profileassociation/Profileid/{ProfileId}/resourceid/{ResourceId}',
    members: [resourceIdIn('ProfileId', 'uri'), resourceIdIn('ResourceId', 'uri')],
    mutating: true,
    status: 200,
    run: ops.disassociateProfile,
  },
  {
    operation: 'ListProfileAssociations',
    method: 'GET',
    path: '/profileassociations',
    members: [...page, resourceIdIn('ProfileId', 'query', false, 'profileId'), resourceIdIn('ResourceId', 'query', false, 'resourceId')],
    mutating: false,
    status: 200,
    run: ops.listProfileAssociations,
  },
  {
    operation: 'AssociateResourceToProfile',
    method: 'POST',
    path: '/profileresourceassociation',
    members: [name(true), resourceIdIn('ProfileId', 'body'), arnIn('body'), { name: 'ResourceProperties', kind: 'string', location: 'body' }],
    mutating: true,
    status: 200,
    run: ops.associateResourceToProfile,
  },
  {
    operation: 'GetProfileResourceAssociation',
    method: 'GET',
    path: '/profileresourceassociation/{ProfileResourceAssociationId}',
    members: [resourceIdIn('ProfileResourceAssociationId', 'uri')],
    mutating: false,
    status: 200,
    run: ops.getProfileResourceAssociation,
  },
  {
    operation: 'UpdateProfileResourceAssociation',
    method: 'PATCH',
    path: '/profileresourceassociation/{ProfileResourceAssociationId}',
    members: [resourceIdIn('ProfileResourceAssociationId', 'uri'), name(false), { name: 'ResourceProperties', kind: 'string', location: 'body' }],
    mutating: true,
    status: 200,
    run: ops.updateProfileResourceAssociation,
  },
  {
    // The ARN arrives percent-encoded in one segment; `+` also accepts a client that left the
    // ARN's slashes unencoded.
    operation: 'DisassociateResourceFromProfile',
    method: 'DELETE',
    path: '/profileresourceassociation/profileid/{ProfileId}/resourcearn/{ResourceArn+}',
    members: [resourceIdIn('ProfileId', 'uri'), arnIn('uri')],
    mutating: true,
    status: 200,
    run: ops.disassociateResourceFromProfile,
  },
  {
    operation: 'ListProfileResourceAssociations',
    method: 'GET',
    path: '/profileresourceassociations/profileid/{ProfileId}',
    members: [...page, resourceIdIn('ProfileId', 'uri'), { name: 'ResourceType', kind: 'string', location: 'query', locationName: 'resourceType' }],
    mutating: false,
    status: 200,
    run: ops.listProfileResourceAssociations,
  },
  { operation: 'ListTagsForResource', method: 'GET', path: '/tags/{ResourceArn+}', members: [arnIn('uri')], mutating: false, status: 200, run: ops.listTagsForResource },
  {
    operation: 'TagResource',
    method: 'POST',
    path: '/tags/{ResourceArn+}',
    members: [arnIn('uri'), { name: 'Tags', kind: 'tagMap', location: 'body', required: true, max: 200 }],
    mutating: true,
    status: 204,
    run: ops.tagResource,
  },
  {
    operation: 'UntagResource',
    method: 'DELETE',
    path: '/tags/{ResourceArn+}',
    members: [arnIn('uri'), { name: 'TagKeys', kind: 'stringList', location: 'query', locationName: 'tagKeys', required: true, max: 200 }],
    mutating: true,
    status: 204,
    run: ops.untagResource,
  },
];

const BY_OPERATION = new Map(ROUTES.map((r) => [r.operation, r]));

// ---------------------------------------------------------------------------------------------
// Routing

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw; // a stray % is kept literally; validation or lookup then refuses it
  }
}

/** Path labels of `route` when the request's path matches it, else undefined. */
function matchPath(route: Route, rawPath: string): Record<string, string> | undefined {
  const want = route.path.split('/').slice(1);
  const got = rawPath.split('/').slice(1);
  const labels: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    if (w.endsWith('+}')) {
      const rest = got.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      labels[w.slice(1, -2)] = decodeSegment(rest.join('/'));
      return labels;
    }
    const g = got[i];
    if (g === undefined) return undefined;
    if (w.startsWith('{')) {
      if (g === '') return undefined;
      labels[w.slice(1, -1)] = decodeSegment(g);
    } else if (w !== g) {
      return undefined;
    }
  }
  return got.length === want.length ? labels : undefined;
}

function findRoute(req: RawRequest): { route: Route; labels: Record<string, string> } | undefined {
  for (const route of ROUTES) {
    if (route.method !== req.method.toUpperCase()) continue;
    const labels = matchPath(route, req.path);
    if (labels) return { route, labels };
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Input parsing and validation

function serializationError(message: string): AwsApiError {
  return new AwsApiError('SerializationException', message, 400);
}

/** A REST-JSON request body: one JSON object (empty: {}), or AWS's SerializationException. */
export function parseBody(req: RawRequest): Record<string, unknown> {
  const text = req.body.toString('utf8').trim();
  if (text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw serializationError(`Could not parse the request body as JSON: ${(e as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serializationError('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

/** Coral-style member path in validation messages: `name`, `profileId`, `maxResults`. */
function lowerCamel(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

function typeError(member: Member, expected: string): AwsApiError {
  return serializationError(`Member ${member.name} must be ${expected}.`);
}

/** Reads one member from its location, checking its JSON type (type errors are SerializationException). */
function readMember(member: Member, req: RawRequest, body: Record<string, unknown>, labels: Record<string, string>): unknown {
  if (member.location === 'uri') return labels[member.locationName ?? member.name];
  if (member.location === 'query') {
    const key = member.locationName ?? member.name;
    if (member.kind === 'stringList') {
      const all = req.query.getAll(key);
      return all.length ? all : undefined;
    }
    const v = req.query.get(key);
    if (v === null) return undefined;
    if (member.kind === 'integer') {
      if (!/^-?\d+$/.test(v)) throw typeError(member, 'an integer');
      return Number(v);
    }
    return v;
  }
  const v = body[member.name];
  if (v === undefined || v === null) return undefined;
  switch (member.kind) {
    case 'string':
      if (typeof v !== 'string') throw typeError(member, 'a string');
      return v;
    case 'integer':
      if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(member, 'an integer');
      return v;
    case 'tagList':
      if (!Array.isArray(v)) throw typeError(member, 'a list of {Key, Value} objects');
      for (const t of v) {
        if (!t || typeof t !== 'object' || typeof (t as Record<string, unknown>).Key !== 'string' || typeof (t as Record<string, unknown>).Value !== 'string') {
          throw typeError(member, 'a list of {Key, Value} objects with string values');
        }
      }
      return v;
    case 'tagMap':
      if (typeof v !== 'object' || Array.isArray(v) || Object.values(v as object).some((x) => typeof x !== 'string')) {
        throw typeError(member, 'a map of string to string');
      }
      return v;
    case 'stringList':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw typeError(member, 'a list of strings');
      return v;
  }
}

/** Constraint violations in AWS's "N validation error(s) detected: ..." style. */
function violations(member: Member, value: unknown): string[] {
  const at = `at '${lowerCamel(member.name)}'`;
  if (value === undefined) return member.required ? [`Value null ${at} failed to satisfy constraint: Member must not be null`] : [];
  const out: string[] = [];
  const shown = typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
  if (member.kind === 'string' && typeof value === 'string') {
    if (member.min !== undefined && value.length < member.min) {
      out.push(`Value ${shown} ${at} failed to satisfy constraint: Member must have length greater than or equal to ${member.min}`);
    }
    if (member.max !== undefined && value.length > member.max) {
      out.push(`Value ${shown} ${at} failed to satisfy constraint: Member must have length less than or equal to ${member.max}`);
    }
    if (member.pattern && value.length > 0 && !member.pattern.test(value)) {
      out.push(`Value ${shown} ${at} failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`);
    }
  } else if (member.kind === 'integer' && typeof value === 'number') {
    if (member.min !== undefined && value < member.min) out.push(`Value '${value}' ${at} failed to satisfy constraint: Member must have value greater than or equal to ${member.min}`);
    if (member.max !== undefined && value > member.max) out.push(`Value '${value}' ${at} failed to satisfy constraint: Member must have value less than or equal to ${member.max}`);
  } else {
    const size = Array.isArray(value) ? value.length : Object.keys(value as object).length;
    if (member.max !== undefined && size > member.max) out.push(`Value ${at} failed to satisfy constraint: Member must have length less than or equal to ${member.max}`);
  }
  return out;
}

function parseInput(route: Route, req: RawRequest, labels: Record<string, string>): Record<string, unknown> {
  const hasBody = route.members.some((m) => m.location === 'body');
  const body = hasBody ? parseBody(req) : {};
  const input: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const member of route.members) {
    const value = readMember(member, req, body, labels);
    problems.push(...violations(member, value));
    if (value !== undefined) input[member.name] = value;
  }
  if (problems.length > 0) {
    const n = problems.length;
    throw new AwsApiError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`, 400);
  }
  return input;
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** JSON with undefined members dropped (JSON.stringify already omits them). */
function jsonResponse(status: number, payload: object, requestId: string): RawResponse {
  const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
  if (status === 204) return { status, headers, body: '' };
  headers['content-type'] = 'application/json';
  return { status, headers, body: JSON.stringify(payload) };
}

export const profilesFrontEnd: ServiceFrontEnd = {
  service: 'route53profiles',
  operationOf(req) {
    return findRoute(req)?.route.operation;
  },
  isMutating(operation) {
    return BY_OPERATION.get(operation)?.mutating ?? false;
  },
  /** Path labels, then query members, then body members (unvalidated; never throws). */
  members(_operation, req) {
    const out: Record<string, unknown> = { ...(findRoute(req)?.labels ?? {}) };
    for (const [k, v] of req.query) out[k] ??= v;
    try {
      const body = parseBody(req);
      for (const [k, v] of Object.entries(body)) out[k] ??= v;
    } catch {
      // not JSON: the operation answers SerializationException itself
    }
    return out;
  },
  handle(operation, req, ctx) {
    const found = findRoute(req);
    const route = BY_OPERATION.get(operation);
    if (!found || !route || found.route !== route) {
      throw new AwsApiError('UnknownOperationException', `${req.method} ${req.path} does not match ${operation}`, 404);
    }
    const input = parseInput(route, req, found.labels);
    return jsonResponse(route.status, route.run(ctx, input), ctx.requestId);
  },
  renderError(err, requestId) {
    const body: Record<string, string> = { __type: err.code, Message: err.message, ...err.extra };
    return {
      status: err.httpStatus,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code, 'x-amzn-requestid': requestId },
      body: JSON.stringify(body),
    };
  },
};

/** Route table, exported for tests that check every model operation is served. */
export const PROFILES_OPERATIONS: readonly string[] = ROUTES.map((r) => r.operation);
