// EC2 query protocol (API 2016-11-15): `Action=…&Version=…` in a form body (or the query string,
// which EC2 also accepts), flattened lists on input (`VpcEndpointId.1`, `Filter.1.Name`,
// `Filter.1.Value.1`), XML out with lists as `<xxxSet><item>…</item></xxxSet>`, errors as
// `<Response><Errors><Error>…</Error></Errors><RequestID>…</RequestID></Response>`.
// Member names are the model's (ec2.service-2.json): the EC2 protocol serialises a member under
// its locationName with the first letter capitalised, else its member name.
import { AwsApiError } from '../errors.js';
import {
  describeNetworkInterfaces,
  describeVpcEndpointServices,
  describeInstances,
  describeVpcEndpoints,
  describeVpcs,
  modifyVpcEndpoint,
  type DescribeInput,
  type Filter,
  type Page,
} from '../ops/ec2.js';
import type { RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import { queryMembers, queryParams } from './query.js';
import { escapeXml, xmlDocument, type XmlNode, type XmlValue } from './xml.js';

export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
const OPERATIONS = [
  'DescribeVpcs',
  'DescribeVpcEndpoints',
  'DescribeNetworkInterfaces',
  'ModifyVpcEndpoint',
  'DescribeVpcEndpointServices',
  'DescribeInstances',
] as const;
type Operation = (typeof OPERATIONS)[number];
const MUTATING = new Set<string>(['ModifyVpcEndpoint']);

// ---------- input ----------

/** `Prefix.N` members in index order (EC2 lists are 1-based and may arrive in any order). */
function listParam(p: URLSearchParams, prefix: string): string[] | undefined {
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.(\\d+)$`);
  const found: [number, string][] = [];
  for (const [k, v] of p) {
    const m = re.exec(k);
    if (m) found.push([Number(m[1]), v]);
  }
  if (found.length === 0) return undefined;
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function filtersParam(p: URLSearchParams): Filter[] | undefined {
  const indexes = new Set<number>();
  for (const k of p.keys()) {
    const m = /^Filter\.(\d+)\./.exec(k);
    if (m) indexes.add(Number(m[1]));
  }
  if (indexes.size === 0) return undefined;
  return [...indexes]
    .sort((a, b) => a - b)
    .map((i) => {
      const name = p.get(`Filter.${i}.Name`);
      if (name === null || name === '') {
        throw new AwsApiError('MissingParameter', `The request must contain the parameter Filter.${i}.Name`);
      }
      return { name, values: listParam(p, `Filter.${i}.Value`) ?? [] };
    });
}

function boolParam(p: URLSearchParams, name: string): boolean | undefined {
  const raw = p.get(name);
  if (raw === null) return undefined;
  const v = raw.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new AwsApiError('InvalidParameterValue', `Value (${raw}) for parameter ${name} is invalid. Expecting a boolean.`);
}

function intParam(p: URLSearchParams, name: string): number | undefined {
  const raw = p.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new AwsApiError('InvalidParameterValue', `Value (${raw}) for parameter ${name} is invalid. Expecting an integer.`);
  }
  return Number(raw);
}

function describeParams(p: URLSearchParams): DescribeInput {
  return {
    filters: filtersParam(p),
    maxResults: intParam(p, 'MaxResults'),
    nextToken: p.get('NextToken') ?? undefined,
    dryRun: boolParam(p, 'DryRun'),
  };
}

// ---------- output ----------

/** Turns a view into XML children: arrays under `…Set` keys become `<…Set><item>…</item></…Set>`. */
function toXml(value: unknown): XmlValue {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return { item: value.map(toXml) };
  if (typeof value === 'object') {
    const node: XmlNode = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) node[k] = toXml(v);
    return node;
  }
  return value as string | number | boolean;
}

function xmlResponse(operation: string, body: XmlNode): RawResponse {
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: xmlDocument(`${operation}Response`, EC2_NAMESPACE, body),
  };
}

function pageResponse<T>(operation: string, requestId: string, setName: string, page: Page<T>): RawResponse {
  return xmlResponse(operation, { requestId, [setName]: toXml(page.items), nextToken: page.nextToken });
}

// ---------- front end ----------

function actionOf(req: RawRequest): string | undefined {
  return queryParams(req).get('Action') ?? undefined;
}

export const ec2FrontEnd: ServiceFrontEnd = {
  service: 'ec2',

  operationOf(req) {
    try {
      const action = actionOf(req);
      return action && (OPERATIONS as readonly string[]).includes(action) ? action : undefined;
    } catch {
      return undefined;
    }
  },

  isMutating: (operation) => MUTATING.has(operation),

  members: (_operation, req) => queryMembers(req),

  handle(operation, req, ctx) {
    const p = queryParams(req);
    if (!p.get('Version')) {
      // Every SDK sends it; what AWS answers without one is [unconfirmed]: we refuse (stricter).
      throw new AwsApiError('MissingParameter', 'The request must contain the parameter Version');
    }
    const { requestId } = ctx;
    switch (operation as Operation) {
      case 'DescribeVpcs':
        return pageResponse(operation, requestId, 'vpcSet', describeVpcs(ctx, { ...describeParams(p), vpcIds: listParam(p, 'VpcId') }));
      case 'DescribeVpcEndpoints':
        return pageResponse(
          operation,
          requestId,
          'vpcEndpointSet',
          describeVpcEndpoints(ctx, { ...describeParams(p), vpcEndpointIds: listParam(p, 'VpcEndpointId') }),
        );
      case 'DescribeNetworkInterfaces':
        return pageResponse(
          operation,
          requestId,
          'networkInterfaceSet',
          describeNetworkInterfaces(ctx, { ...describeParams(p), networkInterfaceIds: listParam(p, 'NetworkInterfaceId') }),
        );
      case 'DescribeVpcEndpointServices': {
        // Request members ServiceNames/ServiceRegions have locationNames ServiceName/ServiceRegion;
        // the result's lists are serviceNameSet and serviceDetailSet [doc: model].
        const page = describeVpcEndpointServices(ctx, {
          ...describeParams(p),
          serviceNames: listParam(p, 'ServiceName'),
          serviceRegions: listParam(p, 'ServiceRegion'),
        });
        return xmlResponse(operation, {
          requestId,
          serviceNameSet: toXml(page.serviceNames),
          serviceDetailSet: toXml(page.serviceDetails),
          nextToken: page.nextToken,
        });
      }
      case 'DescribeInstances':
        // Request member InstanceIds has locationName InstanceId; the result is reservationSet [doc: model].
        return pageResponse(operation, requestId, 'reservationSet', describeInstances(ctx, { ...describeParams(p), instanceIds: listParam(p, 'InstanceId') }));
      case 'ModifyVpcEndpoint': {
        const result = modifyVpcEndpoint(ctx, {
          vpcEndpointId: p.get('VpcEndpointId') ?? undefined,
          privateDnsEnabled: boolParam(p, 'PrivateDnsEnabled'),
          dryRun: boolParam(p, 'DryRun'),
        });
        return xmlResponse(operation, { requestId, return: result.return });
      }
      default:
        throw new AwsApiError('InvalidAction', `The action ${operation} is not valid for this web service.`);
    }
  },

  renderError(err: AwsApiError, requestId: string): RawResponse {
    const body =
      '<?xml version="1.0" encoding="UTF-8"?>\n' +
      `<Response><Errors><Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error></Errors>` +
      `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;
    return { status: err.httpStatus, headers: { 'content-type': 'text/xml;charset=UTF-8' }, body };
  },
};
