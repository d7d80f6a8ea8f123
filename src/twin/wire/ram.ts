// AWS RAM's wire format: REST-JSON (botocore model ram-2018-01-04, signing name `ram`). Each
// operation is one method + path from the model's http trait (POST /createresourceshare, ...);
// members travel in the JSON body except DeleteResourceShare's, which are query parameters.
// Errors: x-amzn-ErrorType header and {"__type", "message"} body (RAM's error shapes have a
// lower-case `message` member [model]).
import { parseBody } from './profiles.js';
import { AwsApiError } from '../errors.js';
import * as ops from '../ops/ram.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';

type Kind = 'string' | 'boolean' | 'integer' | 'stringList' | 'tagList';

interface Member {
  name: string;
  kind: Kind;
  required?: boolean;
  /** Query parameter (DeleteResourceShare); default: body. */
  query?: boolean;
}

interface Route {
  operation: string;
  method: string;
  path: string;
  members: Member[];
  mutating: boolean;
  run(ctx: CallContext, input: any): object;
}

const s = (name: string, required = false): Member => ({ name, kind: 'string', required });
const list = (name: string): Member => ({ name, kind: 'stringList' });
const page: Member[] = [s('nextToken'), { name: 'maxResults', kind: 'integer' }];

const ROUTES: Route[] = [
  {
    operation: 'CreateResourceShare',
    method: 'POST',
    path: '/createresourceshare',
    members: [s('name', true), list('resourceArns'), list('principals'), { name: 'tags', kind: 'tagList' }, { name: 'allowExternalPrincipals', kind: 'boolean' }, s('clientToken'), list('permissionArns'), list('sources')],
    mutating: true,
    run: ops.createResourceShare,
  },
  {
    operation: 'GetResourceShares',
    method: 'POST',
    path: '/getresourceshares',
    members: [s('resourceOwner', true), list('resourceShareArns'), s('resourceShareStatus'), s('name'), ...page],
    mutating: false,
    run: ops.getResourceShares,
  },
  { operation: 'AssociateResourceShare', method: 'POST', path: '/associateresourceshare', members: [s('resourceShareArn', true), list('resourceArns'), list('principals'), s('clientToken')], mutating: true, run: ops.associateResourceShare },
  { operation: 'DisassociateResourceShare', method: 'POST', path: '/disassociateresourceshare', members: [s('resourceShareArn', true), list('resourceArns'), list('principals'), s('clientToken')], mutating: true, run: ops.disassociateResourceShare },
  {
    operation: 'DeleteResourceShare',
    method: 'DELETE',
    path: '/deleteresourceshare',
    members: [
      { name: 'resourceShareArn', kind: 'string', required: true, query: true },
      { name: 'clientToken', kind: 'string', query: true },
    ],
    mutating: true,
    run: ops.deleteResourceShare,
  },
  {
    operation: 'GetResourceShareAssociations',
    method: 'POST',
    path: '/getresourceshareassociations',
    members: [s('associationType', true), list('resourceShareArns'), s('resourceArn'), s('principal'), s('associationStatus'), ...page],
    mutating: false,
    run: ops.getResourceShareAssociations,
  },
  {
    operation: 'GetResourceShareInvitations',
    method: 'POST',
    path: '/getresourceshareinvitations',
    members: [list('resourceShareInvitationArns'), list('resourceShareArns'), ...page],
    mutating: false,
    run: ops.getResourceShareInvitations,
  },
  { operation: 'AcceptResourceShareInvitation', method: 'POST', path: '/acceptresourceshareinvitation', members: [s('resourceShareInvitationArn', true), s('clientToken')], mutating: true, run: ops.acceptResourceShareInvitation },
  // Not in the trimmed reference model; method and path from the RAM API reference (RejectResourceShareInvitation).
  { operation: 'RejectResourceShareInvitation', method: 'POST', path: '/rejectresourceshareinvitation', members: [s('resourceShareInvitationArn', true), s('clientToken')], mutating: true, run: ops.rejectResourceShareInvitation },
  {
    operation: 'ListResources',
    method: 'POST',
    path: '/listresources',
    members: [s('resourceOwner', true), s('principal'), s('resourceType'), list('resourceArns'), list('resourceShareArns'), s('resourceRegionScope'), ...page],
    mutating: false,
    run: ops.listResources,
  },
  { operation: 'EnableSharingWithAwsOrganization', method: 'POST', path: '/enablesharingwithawsorganization', members: [], mutating: true, run: ops.enableSharingWithAwsOrganization },
];

const BY_OPERATION = new Map(ROUTES.map((r) => [r.operation, r]));

function findRoute(req: RawRequest): Route | undefined {
  // A trailing slash is tolerated (moto's routes accept /deleteresourceshare/ too).
  const path = req.path.replace(/\/+$/, '') || '/';
  return ROUTES.find((r) => r.method === req.method.toUpperCase() && r.path === path);
}


/**
 * Reads and type-checks the members. A missing required member or a mistyped one is
 * InvalidParameterException, the validation error RAM models for every operation [unconfirmed:
 * AWS may answer a mistyped body with SerializationException].
 */
function parseInput(route: Route, req: RawRequest): Record<string, unknown> {
  const body = route.members.some((m) => !m.query) ? parseBody(req) : {};
  const input: Record<string, unknown> = {};
  for (const m of route.members) {
    let v: unknown = m.query ? (req.query.get(m.name) ?? undefined) : body[m.name];
    if (v === null) v = undefined;
    if (v === undefined) {
      if (m.required) throw new AwsApiError('InvalidParameterException', `The request is missing the required parameter ${m.name}.`, 400);
      continue;
    }
    const ok =
      m.kind === 'string'
        ? typeof v === 'string'
        : m.kind === 'boolean'
          ? typeof v === 'boolean'
          : m.kind === 'integer'
            ? typeof v === 'number' && Number.isInteger(v)
            : m.kind === 'stringList'
              ? Array.isArray(v) && v.every((x) => typeof x === 'string')
              : Array.isArray(v) && v.every((t) => t && typeof t === 'object' && typeof (t as { key?: unknown }).key === 'string');
    if (!ok) throw new AwsApiError('InvalidParameterException', `The value of parameter ${m.name} is not a valid ${m.kind}.`, 400);
    input[m.name] = v;
  }
  return input;
}

function jsonResponse(payload: object, requestId: string): RawResponse {
  return { status: 200, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(payload) };
}

export const ramFrontEnd: ServiceFrontEnd = {
  service: 'ram',
  operationOf(req) {
    return findRoute(req)?.operation;
  },
  isMutating(operation) {
    return BY_OPERATION.get(operation)?.mutating ?? false;
  },
  /** Query members, then body members (unvalidated; never throws). */
  members(_operation, req) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of req.query) out[k] ??= v;
    try {
      for (const [k, v] of Object.entries(parseBody(req))) out[k] ??= v;
    } catch {
      // not JSON: the operation answers SerializationException itself
    }
    return out;
  },
  handle(operation, req, ctx) {
    const route = BY_OPERATION.get(operation);
    if (!route || findRoute(req) !== route) throw new AwsApiError('UnknownOperationException', `${req.method} ${req.path} does not match ${operation}`, 404);
    return jsonResponse(route.run(ctx, parseInput(route, req)), ctx.requestId);
  },
  renderError(err, requestId) {
    return {
      status: err.httpStatus,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': err.code, 'x-amzn-requestid': requestId },
      body: JSON.stringify({ __type: err.code, message: err.message, ...err.extra }),
    };
  },
};

/** Route table, exported for tests. */
export const RAM_OPERATIONS: readonly string[] = ROUTES.map((r) => r.operation);
