// Route 53's REST-XML face: routes by method + path (the model's requestUri), parses the XML
// request bodies and query strings into ops inputs, renders responses in the 2013-04-01
// namespace, and errors as <ErrorResponse>. Malformed XML gets AWS's own answers:
// MalformedInput for unparseable bodies or the wrong root element, InvalidInput "Invalid XML ; …"
// for schema violations [peer: aws-sdk-js#71, erlcloud#592, aws-sdk-perl#204].
import { AwsApiError } from '../errors.js';
import * as ops from '../ops/route53.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import type { Change, HostedZone, RecordSet } from '../world.js';
import { parseXml, xmlChildren, xmlDocument, type XmlNode, type XmlValue } from './xml.js';

export const ROUTE53_NS = 'https://route53.amazonaws.com/doc/2013-04-01/';
const V = '/2013-04-01';

interface Route {
  method: string;
  pattern: RegExp;
  operation: string;
}

// Path parameters are matched raw (still percent-encoded) so an encoded `/hostedzone/` prefix stays one segment.
const ROUTES: Route[] = [
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/?$/, operation: 'CreateHostedZone' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzone\/?$/, operation: 'ListHostedZones' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzonesbyname\/?$/, operation: 'ListHostedZonesByName' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzonesbyvpc\/?$/, operation: 'ListHostedZonesByVPC' },
  { method: 'GET', pattern: /^\/2013-04-01\/change\/([^/]+)$/, operation: 'GetChange' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)$/, operation: 'GetHostedZone' },
  { method: 'DELETE', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)$/, operation: 'DeleteHostedZone' },
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/associatevpc\/?$/, operation: 'AssociateVPCWithHostedZone' },
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/disassociatevpc\/?$/, operation: 'DisassociateVPCFromHostedZone' },
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, operation: 'ChangeResourceRecordSets' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset\/?$/, operation: 'ListResourceRecordSets' },
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/authorizevpcassociation\/?$/, operation: 'CreateVPCAssociationAuthorization' },
  { method: 'GET', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/authorizevpcassociation\/?$/, operation: 'ListVPCAssociationAuthorizations' },
  { method: 'POST', pattern: /^\/2013-04-01\/hostedzone\/([^/]+)\/deauthorizevpcassociation\/?$/, operation: 'DeleteVPCAssociationAuthorization' },
  { method: 'POST', pattern: /^\/2013-04-01\/tags\/([^/]+)\/([^/]+)$/, operation: 'ChangeTagsForResource' },
  { method: 'GET', pattern: /^\/2013-04-01\/tags\/([^/]+)\/([^/]+)$/, operation: 'ListTagsForResource' },
];

const MUTATING = new Set([
  'CreateHostedZone',
  'DeleteHostedZone',
  'AssociateVPCWithHostedZone',
  'DisassociateVPCFromHostedZone',
  'ChangeResourceRecordSets',
  'CreateVPCAssociationAuthorization',
  'DeleteVPCAssociationAuthorization',
  'ChangeTagsForResource',
]);

function matchRoute(req: RawRequest): { route: Route; params: string[] } | undefined {
  for (const route of ROUTES) {
    if (route.method !== req.method) continue;
    const m = route.pattern.exec(req.path);
    if (m) return { route, params: m.slice(1) };
  }
  return undefined;
}

/** The path parameters, percent-decoded, in order. */
function pathParams(req: RawRequest): string[] {
  return (matchRoute(req)?.params ?? []).map((raw) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      throw new AwsApiError('InvalidInput', `Invalid resource ID: ${JSON.stringify(raw)}`, 400);
    }
  });
}

function pathParam(req: RawRequest): string {
  return pathParams(req)[0] ?? '';
}

// ---------------------------------------------------------------------------------------------
// Request XML

type XmlObj = Record<string, unknown>;

const malformed = (message: string) => new AwsApiError('MalformedInput', message, 400);
const invalidXml = (detail: string) => new AwsApiError('InvalidInput', `Invalid XML ; ${detail}`, 400);
const incomplete = (parent: string, child: string) =>
  invalidXml(`cvc-complex-type.2.4.b: The content of element '${parent}' is not complete. One of '{"${ROUTE53_NS}":${child}}' is expected.`);
/** A list over its model maximum, as the schema reports it [peer: cloud-custodian/cloud-custodian#2356, ResourceId × 11]. */
const tooMany = (child: string, max: number) =>
  invalidXml(`cvc-complex-type.2.4.f: '${child}' can occur a maximum of '${max}' times in the current sequence. This limit was exceeded. No child element is expected at this point.`);

/** Parses the body and returns the root element's content (checked name and namespace). */
function parseRequest(req: RawRequest, rootName: string, listTags: string[] = []): XmlObj {
  const text = req.body.toString('utf8');
  if (text.trim() === '') throw malformed('Could not parse XML');
  let doc: XmlObj;
  try {
    doc = parseXml(text, listTags);
  } catch {
    throw malformed('Could not parse XML');
  }
  const rootKey = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (rootKey === undefined) throw malformed('Could not parse XML');
  if (rootKey !== rootName) throw malformed(`${rootKey} is not valid, expected ${rootName}`);
  const rootTag = new RegExp(`<(?:[\\w.-]+:)?${rootName}\\b[^>]*\\bxmlns(?::[\\w.-]+)?=["']${ROUTE53_NS.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}["']`);
  if (!rootTag.test(text)) throw invalidXml(`cvc-elt.1: Cannot find the declaration of element '${rootName}'.`);
  const content = doc[rootKey];
  return isObj(content) ? content : {};
}

function isObj(v: unknown): v is XmlObj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function text(parent: XmlObj, name: string): string | undefined {
  const v = parent[name];
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  throw invalidXml(`cvc-type.3.1.2: Element '${name}' is a simple type, so it must have no element information item [children].`);
}

function requiredText(parent: XmlObj, parentName: string, name: string): string {
  const v = text(parent, name);
  if (v === undefined) throw incomplete(parentName, name);
  return v;
}

function element(parent: XmlObj, name: string): XmlObj | undefined {
  const v = parent[name];
  if (v === undefined) return undefined;
  if (v === '') return {};
  if (isObj(v)) return v;
  throw invalidXml(`cvc-complex-type.2.3: Element '${name}' cannot have character [children], because the type's content type is element-only.`);
}

function requiredElement(parent: XmlObj, parentName: string, name: string): XmlObj {
  const v = element(parent, name);
  if (v === undefined) throw incomplete(parentName, name);
  return v;
}

function list(parent: XmlObj | undefined, name: string): unknown[] {
  const v = parent?.[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function vpcOf(parent: XmlObj, parentName: string, required: boolean): ops.VpcInput | undefined {
  const vpc = required ? requiredElement(parent, parentName, 'VPC') : element(parent, 'VPC');
  if (!vpc) return undefined;
  return { vpcId: text(vpc, 'VPCId'), vpcRegion: text(vpc, 'VPCRegion') };
}

function bool(value: string, name: string): boolean {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalidXml(`cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'boolean'. (${name})`);
}

function integer(value: string, name: string): number {
  if (!/^-?\d+$/.test(value)) throw invalidXml(`cvc-datatype-valid.1.2.1: '${value}' is not a valid value for 'integer'. (${name})`);
  return Number(value);
}

function parseChange(raw: unknown): ops.ChangeInput {
  if (!isObj(raw)) throw incomplete('Change', 'Action');
  const action = requiredText(raw, 'Change', 'Action');
  const rrs = requiredElement(raw, 'Change', 'ResourceRecordSet');
  const recordSet: ops.RecordSetInput = {
    name: requiredText(rrs, 'ResourceRecordSet', 'Name'),
    type: requiredText(rrs, 'ResourceRecordSet', 'Type'),
  };
  const setIdentifier = text(rrs, 'SetIdentifier');
  if (setIdentifier !== undefined) recordSet.setIdentifier = setIdentifier;
  const ttl = text(rrs, 'TTL');
  if (ttl !== undefined) recordSet.ttl = integer(ttl, 'TTL');
  const records = element(rrs, 'ResourceRecords');
  if (records) {
    const items = list(records, 'ResourceRecord');
    if (items.length === 0) throw incomplete('ResourceRecords', 'ResourceRecord');
    recordSet.values = items.map((item) => {
      if (!isObj(item)) throw incomplete('ResourceRecord', 'Value');
      return requiredText(item, 'ResourceRecord', 'Value');
    });
  }
  const alias = element(rrs, 'AliasTarget');
  if (alias) {
    recordSet.alias = {
      hostedZoneId: requiredText(alias, 'AliasTarget', 'HostedZoneId'),
      dnsName: requiredText(alias, 'AliasTarget', 'DNSName'),
      evaluateTargetHealth: bool(requiredText(alias, 'AliasTarget', 'EvaluateTargetHealth'), 'EvaluateTargetHealth'),
    };
  }
  const routing = parseRouting(rrs);
  if (Object.keys(routing).length > 0) recordSet.routing = routing;
  const healthCheckId = text(rrs, 'HealthCheckId');
  if (healthCheckId !== undefined) recordSet.healthCheckId = healthCheckId;
  return { action, recordSet };
}

/** Drops the members a request left out, so the world keeps exactly what was sent. */
function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The routing-policy elements of a ResourceRecordSet (model shapes; enumerations are checked in ops). */
function parseRouting(rrs: XmlObj): ops.RoutingInput {
  const routing: ops.RoutingInput = {};
  const weight = text(rrs, 'Weight');
  if (weight !== undefined) routing.weight = integer(weight, 'Weight');
  const region = text(rrs, 'Region');
  if (region !== undefined) routing.region = region;
  const failover = text(rrs, 'Failover');
  if (failover !== undefined) routing.failover = failover;
  const geo = element(rrs, 'GeoLocation');
  if (geo) {
    routing.geoLocation = defined({
      continentCode: text(geo, 'ContinentCode'),
      countryCode: text(geo, 'CountryCode'),
      subdivisionCode: text(geo, 'SubdivisionCode'),
    });
  }
  const multiValue = text(rrs, 'MultiValueAnswer');
  if (multiValue !== undefined) routing.multiValueAnswer = bool(multiValue, 'MultiValueAnswer');
  const cidr = element(rrs, 'CidrRoutingConfig');
  if (cidr) {
    routing.cidrRoutingConfig = {
      collectionId: requiredText(cidr, 'CidrRoutingConfig', 'CollectionId'),
      locationName: requiredText(cidr, 'CidrRoutingConfig', 'LocationName'),
    };
  }
  const proximity = element(rrs, 'GeoProximityLocation');
  if (proximity) {
    const coordinates = element(proximity, 'Coordinates');
    const bias = text(proximity, 'Bias');
    routing.geoProximityLocation = defined({
      awsRegion: text(proximity, 'AWSRegion'),
      localZoneGroup: text(proximity, 'LocalZoneGroup'),
      coordinates: coordinates
        ? { latitude: requiredText(coordinates, 'Coordinates', 'Latitude'), longitude: requiredText(coordinates, 'Coordinates', 'Longitude') }
        : undefined,
      bias: bias === undefined ? undefined : integer(bias, 'Bias'),
    });
  }
  return routing;
}

function query(req: RawRequest, name: string): string | undefined {
  return req.query.get(name) ?? undefined;
}

// ---------------------------------------------------------------------------------------------
// Response XML

const iso = (ms: number) => new Date(ms).toISOString();

function changeInfo(change: Change, now: number): XmlNode {
  return {
    Id: `/change/${change.id}`,
    Status: ops.changeStatusAt(change, now),
    SubmittedAt: iso(change.submittedAt),
    Comment: change.comment,
  };
}

function hostedZone(zone: HostedZone): XmlNode {
  return {
    Id: `/hostedzone/${zone.id}`,
    Name: ops.wireName(zone.name),
    CallerReference: zone.callerReference,
    Config: { Comment: zone.comment === '' ? undefined : zone.comment, PrivateZone: zone.privateZone },
    ResourceRecordSetCount: zone.records.length,
  };
}

function delegationSet(zone: HostedZone): XmlNode | undefined {
  if (zone.privateZone) return undefined;
  return { NameServers: { NameServer: ops.NAME_SERVERS.map((n) => n.replace(/\.$/, '')) } };
}

function vpcs(refs: { vpcId: string; region: string }[]): XmlNode {
  return { VPC: refs.map((v) => ({ VPCRegion: v.region, VPCId: v.vpcId })) };
}

/** Members in the model's order: Name, Type, SetIdentifier, Weight, Region, GeoLocation, Failover, MultiValueAnswer, TTL, ... */
function recordSet(r: RecordSet): XmlNode {
  const p = r.routing ?? {};
  const node: XmlNode = {
    Name: ops.wireName(r.name),
    Type: r.type,
    SetIdentifier: r.setIdentifier,
    Weight: p.weight,
    Region: p.region,
    GeoLocation: p.geoLocation
      ? { ContinentCode: p.geoLocation.continentCode, CountryCode: p.geoLocation.countryCode, SubdivisionCode: p.geoLocation.subdivisionCode }
      : undefined,
    Failover: p.failover,
    MultiValueAnswer: p.multiValueAnswer,
  };
  if (r.alias) {
    node.AliasTarget = {
      HostedZoneId: r.alias.hostedZoneId,
      DNSName: r.alias.dnsName,
      EvaluateTargetHealth: r.alias.evaluateTargetHealth,
    };
  } else {
    node.TTL = r.ttl;
    node.ResourceRecords = { ResourceRecord: (r.values ?? []).map((v) => ({ Value: v })) };
  }
  node.HealthCheckId = r.healthCheckId;
  if (p.cidrRoutingConfig) node.CidrRoutingConfig = { CollectionId: p.cidrRoutingConfig.collectionId, LocationName: p.cidrRoutingConfig.locationName };
  if (p.geoProximityLocation) {
    const g = p.geoProximityLocation;
    node.GeoProximityLocation = {
      AWSRegion: g.awsRegion,
      LocalZoneGroup: g.localZoneGroup,
      Coordinates: g.coordinates ? { Latitude: g.coordinates.latitude, Longitude: g.coordinates.longitude } : undefined,
      Bias: g.bias,
    };
  }
  return node;
}

function ok(operation: string, body: Record<string, XmlValue>, status = 200, headers: Record<string, string> = {}): RawResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml', ...headers },
    body: xmlDocument(`${operation}Response`, ROUTE53_NS, body as XmlNode),
  };
}

// ---------------------------------------------------------------------------------------------
// Operations

type Handler = (req: RawRequest, ctx: CallContext) => RawResponse;

const HANDLERS: Record<string, Handler> = {
  CreateHostedZone(req, ctx) {
    const root = 'CreateHostedZoneRequest';
    const body = parseRequest(req, root);
    const config = element(body, 'HostedZoneConfig');
    const privateZone = config ? text(config, 'PrivateZone') : undefined;
    const input: ops.CreateHostedZoneInput = {
      name: requiredText(body, root, 'Name'),
      callerReference: requiredText(body, root, 'CallerReference'),
      vpc: vpcOf(body, root, false),
      comment: config ? text(config, 'Comment') : undefined,
      privateZone: privateZone === undefined ? undefined : bool(privateZone, 'PrivateZone'),
      delegationSetId: text(body, 'DelegationSetId'),
    };
    const { zone, change } = ops.createHostedZone(ctx, input);
    return ok(
      'CreateHostedZone',
      {
        HostedZone: hostedZone(zone),
        ChangeInfo: changeInfo(change, ctx.now),
        DelegationSet: delegationSet(zone),
        VPC: zone.vpcs[0] ? { VPCRegion: zone.vpcs[0].region, VPCId: zone.vpcs[0].vpcId } : undefined,
      },
      201,
      { location: `https://route53.amazonaws.com${V}/hostedzone/${zone.id}` },
    );
  },

  GetHostedZone(req, ctx) {
    const zone = ops.getHostedZone(ctx, { id: pathParam(req) });
    return ok('GetHostedZone', {
      HostedZone: hostedZone(zone),
      DelegationSet: delegationSet(zone),
      VPCs: zone.privateZone ? vpcs(zone.vpcs) : undefined,
    });
  },

  DeleteHostedZone(req, ctx) {
    const change = ops.deleteHostedZone(ctx, { id: pathParam(req) });
    return ok('DeleteHostedZone', { ChangeInfo: changeInfo(change, ctx.now) });
  },

  ListHostedZones(req, ctx) {
    const out = ops.listHostedZones(ctx, {
      marker: query(req, 'marker'),
      maxItems: query(req, 'maxitems'),
      hostedZoneType: query(req, 'hostedzonetype'),
      delegationSetId: query(req, 'delegationsetid'),
    });
    return ok('ListHostedZones', {
      HostedZones: { HostedZone: out.zones.map(hostedZone) },
      Marker: out.marker,
      IsTruncated: out.isTruncated,
      NextMarker: out.nextMarker,
      MaxItems: out.maxItems,
    });
  },

  ListHostedZonesByName(req, ctx) {
    const out = ops.listHostedZonesByName(ctx, {
      dnsName: query(req, 'dnsname'),
      hostedZoneId: query(req, 'hostedzoneid'),
      maxItems: query(req, 'maxitems'),
    });
    return ok('ListHostedZonesByName', {
      HostedZones: { HostedZone: out.zones.map(hostedZone) },
      DNSName: out.dnsName,
      HostedZoneId: out.hostedZoneId,
      IsTruncated: out.isTruncated,
      NextDNSName: out.nextDnsName,
      NextHostedZoneId: out.nextHostedZoneId,
      MaxItems: out.maxItems,
    });
  },

  ListHostedZonesByVPC(req, ctx) {
    const out = ops.listHostedZonesByVpc(ctx, {
      vpcId: query(req, 'vpcid'),
      vpcRegion: query(req, 'vpcregion'),
      maxItems: query(req, 'maxitems'),
      nextToken: query(req, 'nexttoken'),
    });
    return ok('ListHostedZonesByVPC', {
      HostedZoneSummaries: {
        HostedZoneSummary: out.summaries.map((s) => ({
          HostedZoneId: s.zone.id,
          Name: ops.wireName(s.zone.name),
          Owner: { OwningAccount: s.owningAccount },
        })),
      },
      MaxItems: out.maxItems,
      NextToken: out.nextToken,
    });
  },

  AssociateVPCWithHostedZone(req, ctx) {
    const root = 'AssociateVPCWithHostedZoneRequest';
    const body = parseRequest(req, root);
    const change = ops.associateVpcWithHostedZone(ctx, {
      zoneId: pathParam(req),
      vpc: vpcOf(body, root, true),
      comment: text(body, 'Comment'),
    });
    return ok('AssociateVPCWithHostedZone', { ChangeInfo: changeInfo(change, ctx.now) });
  },

  DisassociateVPCFromHostedZone(req, ctx) {
    const root = 'DisassociateVPCFromHostedZoneRequest';
    const body = parseRequest(req, root);
    const change = ops.disassociateVpcFromHostedZone(ctx, {
      zoneId: pathParam(req),
      vpc: vpcOf(body, root, true),
      comment: text(body, 'Comment'),
    });
    return ok('DisassociateVPCFromHostedZone', { ChangeInfo: changeInfo(change, ctx.now) });
  },

  CreateVPCAssociationAuthorization(req, ctx) {
    const root = 'CreateVPCAssociationAuthorizationRequest';
    const body = parseRequest(req, root);
    const out = ops.createVpcAssociationAuthorization(ctx, { zoneId: pathParam(req), vpc: vpcOf(body, root, true) });
    return ok('CreateVPCAssociationAuthorization', {
      HostedZoneId: out.zoneId,
      VPC: { VPCRegion: out.vpc.region, VPCId: out.vpc.vpcId },
    });
  },

  DeleteVPCAssociationAuthorization(req, ctx) {
    const root = 'DeleteVPCAssociationAuthorizationRequest';
    const body = parseRequest(req, root);
    ops.deleteVpcAssociationAuthorization(ctx, { zoneId: pathParam(req), vpc: vpcOf(body, root, true) });
    return ok('DeleteVPCAssociationAuthorization', {});
  },

  ListVPCAssociationAuthorizations(req, ctx) {
    const out = ops.listVpcAssociationAuthorizations(ctx, {
      zoneId: pathParam(req),
      nextToken: query(req, 'nexttoken'),
      maxResults: query(req, 'maxresults'),
    });
    return ok('ListVPCAssociationAuthorizations', {
      HostedZoneId: out.zoneId,
      NextToken: out.nextToken,
      VPCs: vpcs(out.vpcs),
    });
  },

  ChangeResourceRecordSets(req, ctx) {
    const root = 'ChangeResourceRecordSetsRequest';
    const body = parseRequest(req, root, ['Change', 'ResourceRecord']);
    const batch = requiredElement(body, root, 'ChangeBatch');
    const changes = requiredElement(batch, 'ChangeBatch', 'Changes');
    const change = ops.changeResourceRecordSets(ctx, {
      zoneId: pathParam(req),
      comment: text(batch, 'Comment'),
      changes: list(changes, 'Change').map(parseChange),
    });
    return ok('ChangeResourceRecordSets', { ChangeInfo: changeInfo(change, ctx.now) });
  },

  ListResourceRecordSets(req, ctx) {
    const out = ops.listResourceRecordSets(ctx, {
      zoneId: pathParam(req),
      startRecordName: query(req, 'name'),
      startRecordType: query(req, 'type'),
      startRecordIdentifier: query(req, 'identifier'),
      maxItems: query(req, 'maxitems'),
    });
    return ok('ListResourceRecordSets', {
      ResourceRecordSets: { ResourceRecordSet: out.records.map(recordSet) },
      IsTruncated: out.isTruncated,
      NextRecordName: out.nextRecordName,
      NextRecordType: out.nextRecordType,
      NextRecordIdentifier: out.nextRecordIdentifier,
      MaxItems: out.maxItems,
    });
  },

  ChangeTagsForResource(req, ctx) {
    const root = 'ChangeTagsForResourceRequest';
    // Both members are optional, and the SDK sends no body at all when neither is set: a no-op
    // that still checks the resource [unconfirmed: AWS's answer to an empty body here].
    const body = req.body.toString('utf8').trim() === '' ? {} : parseRequest(req, root, ['Tag']);
    const [resourceType = '', resourceId = ''] = pathParams(req);
    const add = element(body, 'AddTags');
    let addTags: ops.TagInput[] | undefined;
    if (add) {
      const items = list(add, 'Tag');
      if (items.length === 0) throw incomplete('AddTags', 'Tag');
      if (items.length > 10) throw tooMany('Tag', 10);
      addTags = items.map((item) => {
        const tag = item === '' ? {} : item;
        if (!isObj(tag)) throw invalidXml("cvc-complex-type.2.3: Element 'Tag' cannot have character [children], because the type's content type is element-only.");
        return { key: text(tag, 'Key'), value: text(tag, 'Value') };
      });
    }
    const remove = element(body, 'RemoveTagKeys');
    let removeTagKeys: string[] | undefined;
    if (remove) {
      const keys = list(remove, 'Key');
      if (keys.length === 0) throw incomplete('RemoveTagKeys', 'Key');
      if (keys.length > 10) throw tooMany('Key', 10);
      removeTagKeys = keys.map((k) => {
        if (typeof k !== 'string') throw invalidXml("cvc-type.3.1.2: Element 'Key' is a simple type, so it must have no element information item [children].");
        return k;
      });
    }
    ops.changeTagsForResource(ctx, { resourceType, resourceId, addTags, removeTagKeys });
    return ok('ChangeTagsForResource', {});
  },

  ListTagsForResource(req, ctx) {
    const [resourceType = '', resourceId = ''] = pathParams(req);
    const out = ops.listTagsForResource(ctx, { resourceType, resourceId });
    return ok('ListTagsForResource', {
      ResourceTagSet: {
        ResourceType: out.resourceType,
        ResourceId: out.resourceId,
        Tags: { Tag: out.tags.map((t) => ({ Key: t.key, Value: t.value })) },
      },
    });
  },

  GetChange(req, ctx) {
    const { change } = ops.getChange(ctx, { id: pathParam(req) });
    return ok('GetChange', { ChangeInfo: changeInfo(change, ctx.now) });
  },
};

/**
 * The members IAM's request context needs (iam-actions.ts), read leniently: the zone or change Id
 * from the path, the VPC from the body (or ListHostedZonesByVPC's query), the changes of a
 * ChangeResourceRecordSets batch. Never throws; a malformed request yields what could be read.
 */
function requestMembers(operation: string, req: RawRequest): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const params = (matchRoute(req)?.params ?? []).map((raw) => {
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  });
  if (operation === 'ChangeTagsForResource' || operation === 'ListTagsForResource') {
    out.ResourceType = params[0];
    out.ResourceId = params[1];
  } else if (params[0] !== undefined) {
    out.Id = params[0];
  }
  if (operation === 'ListHostedZonesByVPC') out.VPC = { VPCId: query(req, 'vpcid'), VPCRegion: query(req, 'vpcregion') };
  const text = req.body.toString('utf8');
  if (text.trim() === '') return out;
  try {
    const doc = parseXml(text, ['Change']);
    const root = Object.entries(doc).find(([k]) => !k.startsWith('?'))?.[1];
    if (!isObj(root)) return out;
    const vpc = root.VPC;
    if (isObj(vpc)) out.VPC = { VPCId: typeof vpc.VPCId === 'string' ? vpc.VPCId : undefined, VPCRegion: typeof vpc.VPCRegion === 'string' ? vpc.VPCRegion : undefined };
    const batch = root.ChangeBatch;
    const changes = isObj(batch) && isObj(batch.Changes) ? list(batch.Changes, 'Change') : [];
    out.Changes = changes.filter(isObj).map((c) => {
      const rrs = isObj(c.ResourceRecordSet) ? c.ResourceRecordSet : {};
      return { Action: c.Action, Name: rrs.Name, Type: rrs.Type };
    });
  } catch {
    // unreadable XML: the operation answers MalformedInput itself
  }
  return out;
}

export const route53FrontEnd: ServiceFrontEnd = {
  service: 'route53',
  members: requestMembers,

  operationOf(req) {
    return matchRoute(req)?.route.operation;
  },

  isMutating(operation) {
    return MUTATING.has(operation);
  },

  handle(operation, req, ctx) {
    const handler = HANDLERS[operation];
    if (!handler) throw new AwsApiError('InvalidAction', `${operation} is not a Route 53 operation the twin serves`, 400);
    const res = handler(req, ctx);
    res.headers['x-amzn-requestid'] = ctx.requestId;
    return res;
  },

  renderError(e, requestId) {
    const body =
      `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ROUTE53_NS}">` +
      xmlChildren({ Error: { Type: e.fault, Code: e.code, Message: e.message, ...e.extra }, RequestId: requestId }) +
      `</ErrorResponse>`;
    return { status: e.httpStatus, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body };
  },
};

