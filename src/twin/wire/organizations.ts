// AWS Organizations wire front end (AWS JSON 1.1, API 2016-11-28, signing name `organizations`):
// POST / with `X-Amz-Target: AWSOrganizationsV20161128.<Op>` and a JSON body [model metadata:
// protocol json, jsonVersion 1.1, targetPrefix AWSOrganizationsV20161128]. The real endpoint is
// global (organizations.us-east-1.amazonaws.com, signed for us-east-1 [botocore
// endpoint-rule-set-1]); with a custom endpoint the SDKs sign for the configured region, so the
// twin accepts any region. Errors: HTTP 400 + {"__type": code, "Message": text} (Organizations'
// error shapes have an upper-case `Message` member [model]; botocore and the v3 SDKs read either).
import { jsonObjectBody } from './ssm.js';
import { AwsApiError } from '../errors.js';
import * as ops from '../ops/organizations.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';

export const ORGANIZATIONS_TARGET_PREFIX = 'AWSOrganizationsV20161128.';

const OPERATIONS: Record<string, (ctx: CallContext, input: Record<string, unknown>) => object> = {
  DescribeOrganization: ops.describeOrganization,
};


export const organizationsFrontEnd: ServiceFrontEnd = {
  service: 'organizations',

  operationOf(req) {
    const target = req.headers['x-amz-target'] ?? '';
    if (req.method !== 'POST' || !target.startsWith(ORGANIZATIONS_TARGET_PREFIX)) return undefined;
    const op = target.slice(ORGANIZATIONS_TARGET_PREFIX.length);
    return Object.hasOwn(OPERATIONS, op) ? op : undefined;
  },

  isMutating: () => false,

  /** DescribeOrganization has no input members; IAM authorizes it on "*". */
  members: () => ({}),

  handle(operation, req, ctx) {
    const run = OPERATIONS[operation];
    if (!run) throw new AwsApiError('UnknownOperationException', '');
    const out = run(ctx, jsonObjectBody(req));
    return { status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(out) };
  },

  renderError(err: AwsApiError, _requestId: string): RawResponse {
    return {
      status: err.httpStatus,
      headers: { 'content-type': 'application/x-amz-json-1.1' },
      body: JSON.stringify({ __type: err.code, Message: err.message, ...err.extra }),
    };
  },
};
