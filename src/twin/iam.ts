// IAM identity-policy evaluation, pure: documents in, a decision out. What the twin's enforcement
// (iam-authz.ts) and its policy simulator (wire/iam.ts) both use. Each rule below is AWS's
// documented behaviour (docs/aws-facts.md "IAM: how the twin evaluates policies"):
//   - explicit Deny wins, else an Allow, else implicit deny [IAM UG evaluation-logic_AccessPolicyLanguage_Interplay];
//   - Action / NotAction: `service:Action`, case-insensitive, `*` and `?` wildcards [IAM UG policies_elements_action];
//   - Resource / NotResource: ARNs with `*` and `?`, case-sensitive [IAM UG policies_elements_resource];
//   - Condition: operators AND, keys AND, values OR (NOR for negated operators); a key missing from
//     the request context fails a positive operator and satisfies a negated one; ...IfExists and
//     Null test presence; ForAnyValue / ForAllValues compare sets [IAM UG condition_operators,
//     condition-logic-multiple-context-keys-or-values, condition-single-vs-multi-valued-context-keys].
// An operator the twin does not know fails closed: an Allow it guards does not apply, a Deny does.

export type Effect = 'Allow' | 'Deny';

export interface PolicyStatement {
  Sid?: string;
  Effect: Effect;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  /** operator → condition key → value(s). */
  Condition?: Record<string, Record<string, ConditionValue | ConditionValue[]>>;
}

export type ConditionValue = string | number | boolean;

export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** The request as IAM sees it: one action on one resource, with its context keys. */
export interface AuthorizationRequest {
  /** `service:Action`, e.g. route53:AssociateVPCWithHostedZone. */
  action: string;
  /** An ARN, or `*` for actions that take no resource. */
  resource: string;
  /** Context key → values (a single-valued key has one). Key names compare case-insensitively. */
  context: Record<string, string[]>;
}

/** A policy attached to the principal, as the simulator reports it (PolicySourceType). */
export interface PolicySource {
  id: string;
  type: 'user' | 'group' | 'role' | 'aws-managed' | 'user-managed' | 'resource' | 'none';
  document: PolicyDocument;
}

export type Decision = 'allowed' | 'implicitDeny' | 'explicitDeny';

export interface MatchedStatement {
  /** Index into the sources given to evaluatePolicies. */
  source: number;
  /** Index of the statement in its document (0 for a lone statement object). */
  statement: number;
  sid?: string;
  effect: Effect;
}

export interface Evaluation {
  decision: Decision;
  /** explicitDeny: the Deny statements that applied; allowed: the Allow statements that applied; implicitDeny: none. */
  matched: MatchedStatement[];
  /** Condition keys that statements matching the action and resource test but the context lacks. */
  missingContextKeys: string[];
  /** Why a condition failed closed (an operator the twin does not know). */
  notes: string[];
}

// ---------------------------------------------------------------------------------------------
// Wildcards

const globCache = new Map<string, RegExp>();

/** `*` any run of characters, `?` exactly one; everything else literal. */
export function globToRegExp(pattern: string, ignoreCase = false): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let re = globCache.get(key);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
    re = new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
    if (globCache.size > 5000) globCache.clear();
    globCache.set(key, re);
  }
  return re;
}

/** Action names: the service prefix and the action name are case-insensitive [IAM UG policies_elements_action]. */
export function actionMatches(pattern: string, action: string): boolean {
  return globToRegExp(pattern, true).test(action);
}

/** Resource ARNs: wildcards anywhere, case-sensitive [IAM UG policies_elements_resource]. */
export function resourceMatches(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  return globToRegExp(pattern).test(resource);
}

/** ArnEquals / ArnLike: the six colon-delimited parts are matched one by one, each may hold `*` / `?` [IAM UG condition_operators ARN]. */
export function arnLike(pattern: string, value: string): boolean {
  const p = splitArn(pattern);
  const v = splitArn(value);
  if (!p || !v) return false;
  return p.every((part, i) => globToRegExp(part).test(v[i]!));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

// ---------------------------------------------------------------------------------------------
// Conditions

type Matcher = (requestValue: string, policyValue: string) => boolean;

const num = (s: string): number | undefined => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : undefined);
const numeric = (cmp: (a: number, b: number) => boolean): Matcher => (r, p) => {
  const a = num(r);
  const b = num(p);
  return a !== undefined && b !== undefined && cmp(a, b);
};

/** Base operators: the positive matcher, and whether the operator is the negated form of it. */
const OPERATORS: Record<string, { match: Matcher; negated: boolean }> = {
  StringEquals: { match: (r, p) => r === p, negated: false },
  StringNotEquals: { match: (r, p) => r === p, negated: true },
  StringEqualsIgnoreCase: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  StringNotEqualsIgnoreCase: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: true },
  StringLike: { match: (r, p) => globToRegExp(p).test(r), negated: false },
  StringNotLike: { match: (r, p) => globToRegExp(p).test(r), negated: true },
  ArnEquals: { match: (r, p) => arnLike(p, r), negated: false },
  ArnLike: { match: (r, p) => arnLike(p, r), negated: false },
  ArnNotEquals: { match: (r, p) => arnLike(p, r), negated: true },
  ArnNotLike: { match: (r, p) => arnLike(p, r), negated: true },
  Bool: { match: (r, p) => r.toLowerCase() === p.toLowerCase(), negated: false },
  NumericEquals: { match: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { match: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { match: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { match: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { match: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { match: numeric((a, b) => a >= b), negated: false },
};

/** Operators IAM has that the twin does not evaluate (a policy using them is refused with a reason). */
const UNSUPPORTED_OPERATORS = new Set([
  'DateEquals',
  'DateNotEquals',
  'DateLessThan',
  'DateLessThanEquals',
  'DateGreaterThan',
  'DateGreaterThanEquals',
  'IpAddress',
  'NotIpAddress',
  'BinaryEquals',
]);

export interface ParsedOperator {
  set?: 'ForAnyValue' | 'ForAllValues';
  base: string;
  ifExists: boolean;
}

export function parseOperator(name: string): ParsedOperator {
  let rest = name;
  let set: ParsedOperator['set'];
  const m = /^(ForAnyValue|ForAllValues):(.*)$/.exec(rest);
  if (m) {
    set = m[1] as ParsedOperator['set'];
    rest = m[2]!;
  }
  const ifExists = rest !== 'Null' && rest.endsWith('IfExists');
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  return { ...(set ? { set } : {}), base: rest, ifExists };
}

/** Why an operator can't be evaluated, or undefined when the twin knows it. */
export function operatorProblem(name: string): string | undefined {
  const op = parseOperator(name);
  if (op.base === 'Null') return op.set ? `${name}: Null takes no ForAnyValue/ForAllValues prefix` : undefined;
  if (OPERATORS[op.base]) return undefined;
  if (UNSUPPORTED_OPERATORS.has(op.base)) return `condition operator ${name} is valid IAM but not supported by the twin`;
  return `unknown condition operator ${name}`;
}

function lookup(context: Record<string, string[]>, key: string): string[] | undefined {
  const want = key.toLowerCase();
  for (const [k, v] of Object.entries(context)) if (k.toLowerCase() === want) return v;
  return undefined;
}

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** One operator block (all its keys must hold). `unknown` when the operator can't be evaluated. */
function evaluateOperator(
  name: string,
  keys: Record<string, ConditionValue | ConditionValue[]>,
  context: Record<string, string[]>,
): boolean | 'unknown' {
  if (operatorProblem(name)) return 'unknown';
  const op = parseOperator(name);
  for (const [key, raw] of Object.entries(keys ?? {})) {
    const policyValues = asList(raw).map((v) => String(v));
    const found = lookup(context, key);
    const present = found !== undefined && found.length > 0;
    if (op.base === 'Null') {
      // "Null": {"key": "true"} holds when the key is absent; "false" when it is present [IAM UG Conditions_Null].
      const wantAbsent = policyValues.some((v) => v.toLowerCase() === 'true');
      const wantPresent = policyValues.some((v) => v.toLowerCase() === 'false');
      if (!((wantAbsent && !present) || (wantPresent && present))) return false;
      continue;
    }
    const { match, negated } = OPERATORS[op.base]!;
    // One request value satisfies the operator: positive → it matches a policy value (OR);
    // negated → it matches none of them (NOR).
    const satisfies = (value: string) => (negated ? !policyValues.some((p) => match(value, p)) : policyValues.some((p) => match(value, p)));
    let holds: boolean;
    if (op.set === 'ForAllValues') holds = !present || found!.every(satisfies); // also true when the key is absent
    else if (op.set === 'ForAnyValue') holds = present && found!.some(satisfies); // false when the key is absent
    else if (!present) holds = op.ifExists || negated;
    else holds = negated ? found!.every(satisfies) : found!.some(satisfies); // [inference] a plain operator on a multi-valued key
    if (!holds) return false;
  }
  return true;
}

function conditionKeys(statement: PolicyStatement): string[] {
  const out: string[] = [];
  for (const keys of Object.values(statement.Condition ?? {})) out.push(...Object.keys(keys ?? {}));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Statements and policies

export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return asList(doc.Statement);
}

/** Whether the statement's Action/NotAction and Resource/NotResource cover the request. */
export function statementCovers(s: PolicyStatement, action: string, resource: string): boolean {
  const actionOk = s.NotAction !== undefined ? !asList(s.NotAction).some((p) => actionMatches(p, action)) : asList(s.Action).some((p) => actionMatches(p, action));
  if (!actionOk) return false;
  return s.NotResource !== undefined ? !asList(s.NotResource).some((p) => resourceMatches(p, resource)) : asList(s.Resource).some((p) => resourceMatches(p, resource));
}

/** Evaluates the identity-based policies attached to a principal for one request. */
export function evaluatePolicies(sources: PolicySource[], req: AuthorizationRequest): Evaluation {
  const allows: MatchedStatement[] = [];
  const denies: MatchedStatement[] = [];
  const missing = new Set<string>();
  const notes: string[] = [];
  sources.forEach((src, si) => {
    statementsOf(src.document).forEach((s, i) => {
      if (!statementCovers(s, req.action, req.resource)) return;
      for (const key of conditionKeys(s)) if (!lookup(req.context, key)?.length) missing.add(key);
      let applies = true;
      for (const [name, keys] of Object.entries(s.Condition ?? {})) {
        const r = evaluateOperator(name, keys, req.context);
        if (r === 'unknown') {
          // Fail closed: an Allow guarded by an operator we can't judge doesn't apply; a Deny does.
          notes.push(`${src.id} statement ${i}: ${operatorProblem(name)} (failed closed: this ${s.Effect} ${s.Effect === 'Deny' ? 'applies' : 'does not apply'})`);
          applies = s.Effect === 'Deny';
          break;
        }
        if (!r) {
          applies = false;
          break;
        }
      }
      if (!applies) return;
      const m: MatchedStatement = { source: si, statement: i, effect: s.Effect, ...(s.Sid ? { sid: s.Sid } : {}) };
      (s.Effect === 'Deny' ? denies : allows).push(m);
    });
  });
  const decision: Decision = denies.length ? 'explicitDeny' : allows.length ? 'allowed' : 'implicitDeny';
  return {
    decision,
    matched: decision === 'explicitDeny' ? denies : decision === 'allowed' ? allows : [],
    missingContextKeys: [...missing].sort(),
    notes,
  };
}

// ---------------------------------------------------------------------------------------------
// Validation

export class PolicyDocumentError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'PolicyDocumentError';
  }
}

const VERSIONS = ['2012-10-17', '2008-10-17'];
const DOC_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition', 'Principal', 'NotPrincipal']);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every problem with a document, each naming the statement index and field; [] when it is a valid identity policy. */
export function validatePolicyDocument(doc: unknown): string[] {
  const problems: string[] = [];
  if (!isObject(doc)) return ['the policy document must be a JSON object'];
  for (const k of Object.keys(doc)) if (!DOC_KEYS.has(k)) problems.push(`unknown top-level field ${k} (expected Version, Id, Statement)`);
  if (doc.Version !== undefined && !VERSIONS.includes(doc.Version as string)) {
    problems.push(`Version must be "2012-10-17" (or the legacy "2008-10-17"), not ${JSON.stringify(doc.Version)}`);
  }
  if (doc.Id !== undefined && typeof doc.Id !== 'string') problems.push('Id must be a string');
  const raw = doc.Statement;
  if (raw === undefined) return [...problems, 'Statement is missing'];
  const list = Array.isArray(raw) ? raw : [raw];
  if (list.length === 0) problems.push('Statement must hold at least one statement');
  const sids = new Set<string>();
  list.forEach((s, i) => {
    const at = `Statement[${i}]`;
    if (!isObject(s)) {
      problems.push(`${at} must be an object`);
      return;
    }
    for (const k of Object.keys(s)) if (!STATEMENT_KEYS.has(k)) problems.push(`${at}: unknown field ${k}`);
    if (s.Principal !== undefined || s.NotPrincipal !== undefined) problems.push(`${at}: an identity-based policy must not specify Principal/NotPrincipal`);
    if (s.Sid !== undefined) {
      if (typeof s.Sid !== 'string' || !/^[A-Za-z0-9]*$/.test(s.Sid)) problems.push(`${at}.Sid must hold only letters and digits`);
      else if (s.Sid !== '' && sids.has(s.Sid)) problems.push(`${at}.Sid ${s.Sid} is not unique in the policy`);
      else sids.add(s.Sid);
    }
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') problems.push(`${at}.Effect must be "Allow" or "Deny", not ${JSON.stringify(s.Effect)}`);
    problems.push(...exactlyOne(s, at, 'Action', 'NotAction', actionProblem));
    problems.push(...exactlyOne(s, at, 'Resource', 'NotResource', resourceProblem));
    if (s.Condition !== undefined) problems.push(...conditionProblems(s.Condition, `${at}.Condition`));
  });
  return problems;
}

function exactlyOne(s: Record<string, unknown>, at: string, a: string, b: string, check: (v: string) => string | undefined): string[] {
  if (s[a] !== undefined && s[b] !== undefined) return [`${at} has both ${a} and ${b}; use one`];
  const field = s[a] !== undefined ? a : s[b] !== undefined ? b : undefined;
  if (!field) return [`${at} needs ${a} or ${b}`];
  const v = s[field];
  const values = Array.isArray(v) ? v : [v];
  if (values.length === 0) return [`${at}.${field} must not be empty`];
  const out: string[] = [];
  values.forEach((x, j) => {
    const where = Array.isArray(v) ? `${at}.${field}[${j}]` : `${at}.${field}`;
    if (typeof x !== 'string') out.push(`${where} must be a string`);
    else {
      const p = check(x);
      if (p) out.push(`${where}: ${p}`);
    }
  });
  return out;
}

function actionProblem(a: string): string | undefined {
  if (a === '*') return undefined;
  if (!/^[A-Za-z0-9-]+:[A-Za-z0-9*?]+$/.test(a)) return `${JSON.stringify(a)} is not service:Action (actions must be prefaced by a service, e.g. route53:GetChange)`;
  return undefined;
}

function resourceProblem(r: string): string | undefined {
  if (r.includes('${')) return `${JSON.stringify(r)} uses a policy variable, which the twin does not support`;
  if (r === '*' || r.startsWith('arn:')) return undefined;
  return `${JSON.stringify(r)} must be an ARN or "*"`;
}

function conditionProblems(cond: unknown, at: string): string[] {
  if (!isObject(cond)) return [`${at} must be an object of operator → {key: value(s)}`];
  const out: string[] = [];
  for (const [name, block] of Object.entries(cond)) {
    const p = operatorProblem(name);
    if (p) out.push(`${at}: ${p}`);
    if (!isObject(block) || Object.keys(block).length === 0) {
      out.push(`${at}.${name} must be a non-empty object of condition key → value(s)`);
      continue;
    }
    for (const [key, v] of Object.entries(block)) {
      if (!/^[A-Za-z0-9-]+:[^\s]+$/.test(key)) out.push(`${at}.${name}: ${JSON.stringify(key)} is not a condition key (service:Name, e.g. route53:VPCs)`);
      const values = Array.isArray(v) ? v : [v];
      if (values.length === 0) out.push(`${at}.${name}.${key} must not be empty`);
      for (const x of values) {
        if (!['string', 'number', 'boolean'].includes(typeof x)) out.push(`${at}.${name}.${key}: values must be strings, numbers or booleans`);
        else if (typeof x === 'string' && x.includes('${')) out.push(`${at}.${name}.${key}: ${JSON.stringify(x)} uses a policy variable, which the twin does not support`);
      }
    }
  }
  return out;
}

/** The document, checked; throws PolicyDocumentError listing every problem. */
export function parsePolicyDocument(doc: unknown): PolicyDocument {
  const problems = validatePolicyDocument(doc);
  if (problems.length) throw new PolicyDocumentError(problems);
  return doc as PolicyDocument;
}

/** Every condition key a document's statements test (for GetContextKeys-style reports). */
export function policyConditionKeys(doc: PolicyDocument): string[] {
  return [...new Set(statementsOf(doc).flatMap(conditionKeys))].sort();
}
