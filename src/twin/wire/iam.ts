// IAM (query protocol, API 2010-05-08, a global service: SigV4 credential scope `iam`,
// us-east-1): the policy simulator, SimulatePrincipalPolicy, so a client can ask before it changes
// anything whether the policies attached to a user or role allow what it is about to do.
// Wire contract from botocore's model (data/iam/2010-05-08/service-2.json): inputs PolicySourceArn,
// ActionNames.member.N, ResourceArns.member.N, ContextEntries.member.N.{ContextKeyName,
// ContextKeyValues.member.M, ContextKeyType}, PolicyInputList.member.N, MaxItems, Marker; output
// wrapped in SimulatePrincipalPolicyResult: EvaluationResults (EvalActionName, EvalResourceName,
// EvalDecision allowed | explicitDeny | implicitDeny, MatchedStatements, MissingContextValues,
// ResourceSpecificResults), IsTruncated, Marker. Errors: NoSuchEntity 404, InvalidInput 400.
import { AwsApiError } from '../errors.js';
import { policySourcesFor } from '../iam-authz.js';
import { evaluatePolicies, parsePolicyDocument, PolicyDocumentError, statementsOf, type Evaluation, type PolicyDocument, type PolicySource } from '../iam.js';
import type { CallContext, RawRequest, RawResponse, ServiceFrontEnd } from '../protocol.js';
import { queryMembers, queryParams } from './query.js';
import { xmlDocument, type XmlNode } from './xml.js';

export const IAM_NAMESPACE = 'https://iam.amazonaws.com/doc/2010-05-08/';
const OPERATIONS = ['SimulatePrincipalPolicy'];

/**
 * What the twin simulates for an account with no policy attached (where it allows every call):
 * an AWS managed AdministratorAccess-like document, so the simulator agrees with enforcement.
 */
const ALLOW_ALL: PolicySource = {
  id: 'AdministratorAccess',
  type: 'aws-managed',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
};

const CONTEXT_KEY_TYPES = ['string', 'stringList', 'numeric', 'numericList', 'boolean', 'booleanList', 'ip', 'ipList', 'binary', 'binaryList', 'date', 'dateList'];

const invalid = (message: string) => new AwsApiError('InvalidInput', message, 400);
const validation = (message: string) => new AwsApiError('ValidationError', message, 400);

/** `Prefix.member.N` values in index order. */
function memberList(p: URLSearchParams, prefix: string): string[] {
  const re = new RegExp(`^${prefix.replace(/\./g, '\\.')}\\.member\\.(\\d+)$`);
  const found: [number, string][] = [];
  for (const [k, v] of p) {
    const m = re.exec(k);
    if (m) found.push([Number(m[1]), v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function contextEntries(p: URLSearchParams): Record<string, string[]> {
  const indexes = new Set<number>();
  for (const k of p.keys()) {
    const m = /^ContextEntries\.member\.(\d+)\./.exec(k);
    if (m) indexes.add(Number(m[1]));
  }
  const out: Record<string, string[]> = {};
  for (const i of [...indexes].sort((a, b) => a - b)) {
    const at = `ContextEntries.member.${i}`;
    const name = p.get(`${at}.ContextKeyName`);
    if (!name || name.length < 5 || name.length > 256) throw validation(`${at}.ContextKeyName must be 5 to 256 characters (got ${JSON.stringify(name ?? null)})`);
    const type = p.get(`${at}.ContextKeyType`);
    if (type !== null && !CONTEXT_KEY_TYPES.includes(type)) {
      throw validation(`1 validation error detected: Value '${type}' at 'contextEntries.${i}.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [${CONTEXT_KEY_TYPES.join(', ')}]`);
    }
    out[name] = [...(out[name] ?? []), ...memberList(p, `${at}.ContextKeyValues`)];
  }
  return out;
}

/** The entity whose policies are simulated: a user or role of the caller's account. */
function policySources(arn: string, ctx: CallContext): PolicySource[] {
  const m = /^arn:aws:iam::(\d{12}):(user|role|group)\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]+)$/.exec(arn);
  if (!m) {
    // e.g. an arn:aws:sts::...:assumed-role/... session ARN [unconfirmed: AWS's wording].
    throw invalid(`PolicySourceArn ${arn} is not the ARN of an IAM user, group or role`);
  }
  const [, account, kind, name] = m;
  const notFound = () => new AwsApiError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`, 404);
  if (account !== ctx.accountId) throw notFound(); // [unconfirmed] another account's entity is not visible to the caller
  if (kind === 'group') throw notFound();
  if (kind === 'user' && arn !== `arn:aws:iam::${account}:user/twin`) throw notFound();
  if (kind === 'role' && !ctx.world.roles.some((r) => r.arn === arn)) throw notFound();
  return policySourcesFor(ctx.world, account!, arn) ?? [ALLOW_ALL];
}

function inputPolicies(p: URLSearchParams): PolicySource[] {
  return memberList(p, 'PolicyInputList').map((text, i) => {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      throw new AwsApiError('MalformedPolicyDocument', `PolicyInputList.member.${i + 1} is not valid JSON`, 400);
    }
    try {
      return { id: `PolicyInputList.${i + 1}`, type: 'none' as const, document: parsePolicyDocument(doc) };
    } catch (e) {
      if (e instanceof PolicyDocumentError) throw new AwsApiError('MalformedPolicyDocument', `PolicyInputList.member.${i + 1}: ${e.message}`, 400);
      throw e;
    }
  });
}

/** Line and column (both 1-based) of each statement's first and last character in the document as the twin prints it (2-space JSON). */
export function statementPositions(doc: PolicyDocument): { start: { line: number; column: number }; end: { line: number; column: number } }[] {
  const text = JSON.stringify(doc, null, 2);
  const lone = !Array.isArray(doc.Statement);
  return statementsOf(doc).map((_, i) => {
    const marker = '@@r53m-statement@@';
    const replaced = lone ? { ...doc, Statement: marker } : { ...doc, Statement: (doc.Statement as unknown[]).map((s, j) => (j === i ? marker : s)) };
    const withMarker = JSON.stringify(replaced, null, 2);
    const startOffset = withMarker.indexOf(`"${marker}"`);
    const tail = withMarker.length - (startOffset + marker.length + 2);
    const endOffset = text.length - tail - 1;
    return { start: position(text, startOffset), end: position(text, endOffset) };
  });
}

function position(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

function matchedStatements(sources: PolicySource[], e: Evaluation): XmlNode {
  return {
    member: e.matched.map((m) => {
      const src = sources[m.source]!;
      const pos = statementPositions(src.document)[m.statement];
      return {
        SourcePolicyId: src.id,
        SourcePolicyType: src.type,
        StartPosition: pos ? { Line: pos.start.line, Column: pos.start.column } : undefined,
        EndPosition: pos ? { Line: pos.end.line, Column: pos.end.column } : undefined,
      };
    }),
  };
}

function simulatePrincipalPolicy(req: RawRequest, ctx: CallContext): RawResponse {
  const p = queryParams(req);
  const sourceArn = p.get('PolicySourceArn');
  if (!sourceArn) throw validation("1 validation error detected: Value null at 'policySourceArn' failed to satisfy constraint: Member must not be null");
  const actions = memberList(p, 'ActionNames');
  if (actions.length === 0) throw validation("1 validation error detected: Value null at 'actionNames' failed to satisfy constraint: Member must not be null");
  for (const unsupported of ['PermissionsBoundaryPolicyInputList', 'ResourcePolicy', 'ResourceOwner', 'CallerArn', 'ResourceHandlingOption']) {
    if ([...p.keys()].some((k) => k === unsupported || k.startsWith(`${unsupported}.`))) throw invalid(`${unsupported} is not supported by the twin's policy simulator`);
  }
  const given = memberList(p, 'ResourceArns');
  const resources = given.length ? given : ['*'];
  const context = contextEntries(p);
  const sources = [...policySources(sourceArn, ctx), ...inputPolicies(p)];

  // Each action is evaluated against each resource [model: ActionNames / ResourceArns documentation].
  const results: XmlNode[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      const e = evaluatePolicies(sources, { action, resource, context });
      const missing = { member: e.missingContextKeys };
      // Missing context values sit at the top level for "*" and under ResourceSpecificResults
      // when resources were listed [model: EvaluationResult.MissingContextValues].
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: e.decision,
        MatchedStatements: matchedStatements(sources, e),
        MissingContextValues: given.length ? { member: [] } : missing,
        ResourceSpecificResults: given.length
          ? {
              member: [
                {
                  EvalResourceName: resource,
                  EvalResourceDecision: e.decision,
                  MatchedStatements: matchedStatements(sources, e),
                  MissingContextValues: missing,
                },
              ],
            }
          : undefined,
      });
    }
  }

  const maxItemsRaw = p.get('MaxItems');
  const maxItems = maxItemsRaw === null ? 100 : Number(maxItemsRaw);
  if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 1000) {
    throw validation(`1 validation error detected: Value '${maxItemsRaw}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000`);
  }
  const markerRaw = p.get('Marker');
  const start = markerRaw === null ? 0 : Number(markerRaw);
  if (!Number.isInteger(start) || start < 0 || start > results.length) throw invalid(`Invalid Marker ${JSON.stringify(markerRaw)}`);
  const page = results.slice(start, start + maxItems);
  const next = start + page.length;
  const truncated = next < results.length;

  const body = xmlDocument('SimulatePrincipalPolicyResponse', IAM_NAMESPACE, {
    SimulatePrincipalPolicyResult: {
      EvaluationResults: { member: page },
      IsTruncated: truncated,
      Marker: truncated ? String(next) : undefined,
    },
    ResponseMetadata: { RequestId: ctx.requestId },
  });
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

export const iamFrontEnd: ServiceFrontEnd = {
  service: 'iam',
  operationOf(req) {
    const action = queryParams(req).get('Action') ?? undefined;
    return action && OPERATIONS.includes(action) ? action : undefined;
  },
  isMutating: () => false,
  members: (_operation, req) => queryMembers(req),
  handle(operation, req, ctx) {
    if (operation === 'SimulatePrincipalPolicy') return simulatePrincipalPolicy(req, ctx);
    throw new AwsApiError('InvalidAction', `The action ${operation} is not valid for this web service.`);
  },
  renderError(err, requestId) {
    const body = xmlDocument('ErrorResponse', IAM_NAMESPACE, {
      Error: { Type: err.fault, Code: err.code, Message: err.message },
      RequestId: requestId,
    });
    return { status: err.httpStatus, headers: { 'content-type': 'text/xml' }, body };
  },
};
