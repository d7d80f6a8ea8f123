// SSM wire front end (AWS JSON 1.1, API 2014-11-06): POST / with `X-Amz-Target: AmazonSSM.<Op>`
// and a JSON body; errors as HTTP 400 + {"__type": code, "message": text} (the JSON protocol's
// error shape, which botocore and the v3 SDKs both read) [model metadata: protocol json 1.1].
import { AwsApiError } from '../errors.js';
import type { RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import * as ops from '../ops/ssm.js';

const TARGET_PREFIX = 'AmazonSSM.';

const OPERATIONS: Record<string, (ctx: Parameters<ServiceFrontEnd['handle']>[2], input: any) => object> = {
  DescribeInstanceInformation: ops.describeInstanceInformation,
  SendCommand: ops.sendCommand,
  ListCommandInvocations: ops.listCommandInvocations,
  GetCommandInvocation: ops.getCommandInvocation,
  ListCommands: ops.listCommands,
  CancelCommand: ops.cancelCommand,
};
const MUTATING = new Set(['SendCommand', 'CancelCommand']);

/** Member types of the inputs, checked before an operation sees them (a SerializationException on mismatch). */
const TYPES: Record<string, Record<string, 'string' | 'integer' | 'boolean' | 'stringList' | 'list' | 'map' | 'object'>> = {
  DescribeInstanceInformation: { InstanceInformationFilterList: 'list', Filters: 'list', MaxResults: 'integer', NextToken: 'string' },
  SendCommand: {
    InstanceIds: 'stringList',
    Targets: 'list',
    DocumentName: 'string',
    DocumentVersion: 'string',
    DocumentHash: 'string',
    DocumentHashType: 'string',
    TimeoutSeconds: 'integer',
    Comment: 'string',
    Parameters: 'map',
    OutputS3Region: 'string',
    OutputS3BucketName: 'string',
    OutputS3KeyPrefix: 'string',
    MaxConcurrency: 'string',
    MaxErrors: 'string',
    ServiceRoleArn: 'string',
    NotificationConfig: 'object',
    CloudWatchOutputConfig: 'object',
    AlarmConfiguration: 'object',
  },
  ListCommandInvocations: { CommandId: 'string', InstanceId: 'string', MaxResults: 'integer', NextToken: 'string', Filters: 'list', Details: 'boolean' },
  GetCommandInvocation: { CommandId: 'string', InstanceId: 'string', PluginName: 'string' },
  ListCommands: { CommandId: 'string', InstanceId: 'string', MaxResults: 'integer', NextToken: 'string', Filters: 'list' },
  CancelCommand: { CommandId: 'string', InstanceIds: 'stringList' },
};

function typeOk(kind: string, v: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof v === 'string';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'stringList':
      return Array.isArray(v) && v.every((x) => typeof x === 'string');
    case 'list':
      return Array.isArray(v);
    case 'map':
      // Parameters: map of string → list of strings [model Parameters].
      return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((l) => Array.isArray(l) && l.every((x) => typeof x === 'string'));
    default:
      return typeof v === 'object' && v !== null && !Array.isArray(v);
  }
}

/** A JSON 1.1 request body: one JSON object (empty: {}), or the SerializationException AWS's JSON services answer. */
export function jsonObjectBody(req: RawRequest): Record<string, unknown> {
  const text = req.body.toString('utf8');
  let body: unknown;
  try {
    body = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new AwsApiError('SerializationException', 'Start of structure or map found where not expected.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AwsApiError('SerializationException', 'Start of structure or map found where not expected.');
  }
  return body as Record<string, unknown>;
}

function parseInput(operation: string, req: RawRequest): Record<string, unknown> {
  const input = jsonObjectBody(req);
  const types = TYPES[operation] ?? {};
  for (const [k, v] of Object.entries(input)) {
    if (v === null) {
      delete input[k];
      continue;
    }
    const kind = types[k];
    if (kind === undefined) continue; // unknown members are ignored, as AWS's JSON services do
    if (!typeOk(kind, v)) throw new AwsApiError('SerializationException', `Unexpected value type in payload for member ${k}.`);
  }
  return input;
}

export const ssmFrontEnd: ServiceFrontEnd = {
  service: 'ssm',

  operationOf(req) {
    const target = req.headers['x-amz-target'] ?? '';
    if (req.method !== 'POST' || !target.startsWith(TARGET_PREFIX)) return undefined;
    const op = target.slice(TARGET_PREFIX.length);
    return Object.hasOwn(OPERATIONS, op) ? op : undefined;
  },

  isMutating: (operation) => MUTATING.has(operation),

  /** The JSON body's members (unvalidated; never throws). */
  members(_operation, req) {
    try {
      const body: unknown = JSON.parse(req.body.toString('utf8') || '{}');
      return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  },

  handle(operation, req, ctx) {
    const run = OPERATIONS[operation];
    if (!run) throw new AwsApiError('UnknownOperationException', '');
    const out = run(ctx, parseInput(operation, req));
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(out) };
  },

  renderError(err: AwsApiError, _requestId: string): RawResponse {
    return {
      status: err.httpStatus,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: err.code, message: err.message, ...err.extra }),
    };
  },
};
