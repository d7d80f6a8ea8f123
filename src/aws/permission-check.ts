// The pre-flight permission check: before a run changes anything, each account's own policies are
// put to IAM's policy simulator (SimulatePrincipalPolicy, through the access layer like every
// other call) with exactly the requests the run will make (iam-policy.ts's needs: each action on
// its resources, with the request's condition context — route53:VPCs, route53profiles:* — one
// request shape per call). What is denied is reported before anything is sent; what the simulator
// can't decide (the policy tests keys r53migrate can't supply) is a warning; an account whose
// simulator can't be used (not allowed iam:SimulatePrincipalPolicy, root credentials) is said
// once, and the run goes on: a missing permission then stops it where it is first needed.
import { SimulatePrincipalPolicyCommand, type ContextEntry, type EvaluationResult } from '@aws-sdk/client-iam';
import type { Plan } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { AwsError } from './errors.js';
import type { Need } from './iam-policy.js';
import { principalOf } from './permissions.js';

/** Context keys whose request value is a list (IAM's "multivalued" keys): the simulator takes them as stringList. */
const MULTIVALUED = new Set(['route53:VPCs', 'route53:ChangeResourceRecordSetsActions']);

/** Resource ARNs per simulator call (the API takes a list; kept short so one answer stays small). */
const MAX_RESOURCES_PER_CALL = 20;

export interface Denial {
  account: string;
  accountId?: string;
  action: string;
  resource: string;
  decision: 'implicitDeny' | 'explicitDeny';
  /** The statement the generated policy would grant it in. */
  sid: string;
  context?: Record<string, string>;
}

export interface Undecided extends Omit<Denial, 'decision'> {
  /** Keys the identity's policy tests that the simulation was not given. */
  missingContext: string[];
}

export interface AccountCheck {
  account: string;
  accountId?: string;
  /** The IAM entity simulated (a role, a user). */
  principal?: string;
  /** Why the simulator could not be used for this account (nothing of it was checked). */
  unavailable?: string;
  /** Requests simulated (action × resource). */
  checked: number;
}

export interface PermissionReport {
  accounts: AccountCheck[];
  denials: Denial[];
  undecided: Undecided[];
}

export interface CheckOptions {
  signal?: AbortSignal;
  /** Accounts whose simulator was found unusable before (said once per run; not asked again). */
  skip?: ReadonlyMap<string, string>;
  /** Simulator calls under way at once per account. */
  concurrency?: number;
}

interface Call {
  account: string;
  actions: string[];
  resources: string[];
  context?: Record<string, string>;
  /** action|resource → the need's sid. */
  sids: Map<string, string>;
}

/** The needs of one account as simulator calls: one per distinct request context and resource set. */
export function simulatorCalls(needs: Need[]): Call[] {
  // First per (context, action): every resource; then per (context, resources): every action, so a
  // call's action × resource product holds only requests the run makes.
  const byAction = new Map<string, { account: string; action: string; context?: Record<string, string>; resources: Set<string>; sid: Map<string, string> }>();
  for (const n of needs) {
    const ctx = n.context && Object.keys(n.context).length ? n.context : undefined;
    const key = JSON.stringify([n.account, ctx ? Object.entries(ctx).sort() : null, n.action]);
    const entry = byAction.get(key) ?? { account: n.account, action: n.action, ...(ctx ? { context: ctx } : {}), resources: new Set<string>(), sid: new Map<string, string>() };
    for (const r of n.resources) {
      entry.resources.add(r);
      if (!entry.sid.has(r)) entry.sid.set(r, n.sid);
    }
    byAction.set(key, entry);
  }
  const calls = new Map<string, Call>();
  for (const e of byAction.values()) {
    const resources = [...e.resources].sort();
    for (let i = 0; i < resources.length; i += MAX_RESOURCES_PER_CALL) {
      const chunk = resources.slice(i, i + MAX_RESOURCES_PER_CALL);
      const key = JSON.stringify([e.account, e.context ? Object.entries(e.context).sort() : null, chunk]);
      const call = calls.get(key) ?? { account: e.account, actions: [], resources: chunk, ...(e.context ? { context: e.context } : {}), sids: new Map<string, string>() };
      call.actions.push(e.action);
      for (const r of chunk) call.sids.set(`${e.action}|${r}`, e.sid.get(r)!);
      calls.set(key, call);
    }
  }
  return [...calls.values()];
}

function contextEntries(context: Record<string, string> | undefined): ContextEntry[] | undefined {
  if (!context) return undefined;
  return Object.entries(context).map(([key, value]) => ({ ContextKeyName: key, ContextKeyType: MULTIVALUED.has(key) ? 'stringList' : 'string', ContextKeyValues: [value] }));
}

/** Each (action, resource) decision in an answer, whether it comes per resource or as one per result. */
function decisions(r: EvaluationResult, resources: string[]): { resource: string; decision: string; missing: string[] }[] {
  const specific = r.ResourceSpecificResults ?? [];
  if (specific.length) {
    return specific.map((s) => ({ resource: s.EvalResourceName ?? '*', decision: s.EvalResourceDecision ?? 'implicitDeny', missing: s.MissingContextValues ?? r.MissingContextValues ?? [] }));
  }
  const named = r.EvalResourceName && r.EvalResourceName !== '*' ? [r.EvalResourceName] : resources;
  return named.map((resource) => ({ resource, decision: r.EvalDecision ?? 'implicitDeny', missing: r.MissingContextValues ?? [] }));
}

/**
 * Simulates the needs of every account with its own policies. Throws only when the caller's
 * signal aborts; every other failure of the simulator is an account's `unavailable`.
 */
export async function checkPermissions(plan: Plan, access: AwsAccess, needs: Need[], o: CheckOptions = {}): Promise<PermissionReport> {
  const report: PermissionReport = { accounts: [], denials: [], undecided: [] };
  const accounts = [...new Set(needs.map((n) => n.account))];
  await Promise.all(
    accounts.map(async (account) => {
      const check: AccountCheck = { account, checked: 0 };
      report.accounts.push(check);
      try {
        check.accountId = await access.accountId(account, o.signal);
      } catch (e) {
        // The account can't be reached at all: the run's own first call says so, with its fix.
        if (o.signal?.aborted) throw o.signal.reason;
        check.unavailable = `its identity could not be read (${(e as Error).message})`;
        return;
      }
      const skipped = o.skip?.get(account);
      if (skipped) {
        check.unavailable = skipped;
        return;
      }
      const caller = await access.callerArn(account, o.signal);
      const principal = caller ? principalOf(caller, plan.accounts[account]?.assumeRole?.roleArn) : { why: 'GetCallerIdentity named no caller' };
      if (!('arn' in principal) || !principal.arn) {
        check.unavailable = 'why' in principal ? principal.why : 'no principal';
        return;
      }
      const arnOf = principal.arn;
      check.principal = arnOf;
      const mine = needs.filter((n) => n.account === account);
      const run = async (calls: Call[], answer: (call: Call, decided: Decided[]) => void) => {
        let next = 0;
        const worker = async () => {
          while (next < calls.length && !check.unavailable) {
            const call = calls[next++]!;
            try {
              answer(call, await simulate(access, account, arnOf, call, o.signal));
            } catch (e) {
              if (o.signal?.aborted) throw o.signal.reason;
              if (!(e instanceof AwsError)) throw e;
              // Not allowed to simulate, no such principal, the service unreachable: say so once for the account.
              check.unavailable = e.kind === 'access-denied' ? `it is not allowed iam:SimulatePrincipalPolicy on ${arnOf}` : `the IAM policy simulator failed for ${arnOf} (${e.awsCode})`;
            }
          }
        };
        await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency ?? 4, calls.length)) }, worker));
      };
      // First without the request contexts: a run asks one action of hundreds of VPCs, each its own
      // context (one simulator call each). A request allowed with no context key missing is allowed
      // whatever the context says; only the rest are asked again with theirs.
      const withContext = new Set(mine.filter((n) => n.context && Object.keys(n.context).length).flatMap((n) => n.resources.map((r) => requestKey(n.action, r))));
      const cleared = new Set<string>();
      await run(simulatorCalls(mine.map(({ context: _context, ...n }) => n)), (call, decided) => {
        const own = decided.filter((d) => !withContext.has(requestKey(d.action, d.resource)));
        record(report, check, call, own);
        for (const d of decided) {
          if (!withContext.has(requestKey(d.action, d.resource)) || d.decision !== 'allowed' || d.missing.length) continue;
          cleared.add(requestKey(d.action, d.resource));
          check.checked++;
        }
      });
      const again = mine.flatMap((n) => {
        const resources = n.context && Object.keys(n.context).length ? n.resources.filter((r) => !cleared.has(requestKey(n.action, r))) : [];
        return resources.length ? [{ ...n, resources }] : [];
      });
      if (!check.unavailable && again.length) await run(simulatorCalls(again), (call, decided) => record(report, check, call, decided));
      if (check.unavailable) check.checked = 0;
    }),
  );
  const order = new Map(Object.keys(plan.accounts).map((a, i) => [a, i]));
  report.accounts.sort((a, b) => order.get(a.account)! - order.get(b.account)!);
  const byAccount = (a: { account: string }, b: { account: string }) => order.get(a.account)! - order.get(b.account)!;
  report.denials.sort(byAccount);
  report.undecided.sort(byAccount);
  // An account whose simulator failed part-way: its partial answers say nothing reliable.
  const unusable = new Set(report.accounts.filter((a) => a.unavailable).map((a) => a.account));
  report.denials = report.denials.filter((d) => !unusable.has(d.account));
  report.undecided = report.undecided.filter((d) => !unusable.has(d.account));
  return report;
}

/** One simulated request's answer. */
interface Decided {
  action: string;
  resource: string;
  decision: string;
  missing: string[];
}

const requestKey = (action: string, resource: string) => `${action.toLowerCase()}|${resource}`;

async function simulate(access: AwsAccess, account: string, principal: string, call: Call, signal?: AbortSignal): Promise<Decided[]> {
  const out: Decided[] = [];
  let marker: string | undefined;
  do {
    const page = await access.read(
      account,
      'iam',
      new SimulatePrincipalPolicyCommand({
        PolicySourceArn: principal,
        ActionNames: call.actions,
        // "*" is the simulator's default for actions that take no resource.
        ...(call.resources.length === 1 && call.resources[0] === '*' ? {} : { ResourceArns: call.resources }),
        ...(call.context ? { ContextEntries: contextEntries(call.context) } : {}),
        ...(marker ? { Marker: marker } : {}),
      }),
      { signal, target: principal },
    );
    for (const r of page.EvaluationResults ?? []) for (const d of decisions(r, call.resources)) out.push({ action: r.EvalActionName ?? '', ...d });
    marker = page.IsTruncated ? page.Marker : undefined;
  } while (marker);
  return out;
}

/** A call's answers as the report's denials and undecided requests. */
function record(report: PermissionReport, check: AccountCheck, call: Call, decided: Decided[]): void {
  const given = new Set(Object.keys(call.context ?? {}).map((k) => k.toLowerCase()));
  for (const d of decided) {
    check.checked++;
    if (d.decision === 'allowed') continue;
    const action = d.action;
    const sid = call.sids.get(`${action}|${d.resource}`) ?? call.sids.get(`${action.toLowerCase()}|${d.resource}`) ?? [...call.sids.entries()].find(([k]) => k.toLowerCase().startsWith(`${action.toLowerCase()}|`))?.[1] ?? '';
    const base = { account: check.account, ...(check.accountId ? { accountId: check.accountId } : {}), action, resource: d.resource, sid, ...(call.context ? { context: call.context } : {}) };
    // Denied only because the policy tests a key nobody gave the simulator (aws:SourceIp,
    // aws:ResourceTag/...): the simulator can't tell, so neither can we.
    const unknown = d.missing.filter((k) => !given.has(k.toLowerCase()));
    if (d.decision === 'implicitDeny' && unknown.length) report.undecided.push({ ...base, missingContext: unknown });
    else report.denials.push({ ...base, decision: d.decision === 'explicitDeny' ? 'explicitDeny' : 'implicitDeny' });
  }
}

/**
 * One line per account, action and statement, for the operator: who may not do what, on which
 * resources, with which request values (a run asks the same action of many zones and VPCs).
 */
export function describeDenials(denials: Denial[]): string[] {
  const groups = new Map<string, Denial[]>();
  for (const d of denials) {
    const key = JSON.stringify([d.account, d.action, d.decision, d.sid]);
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  const list = (xs: string[]) => (xs.length > 4 ? `${xs.slice(0, 4).join(', ')} and ${xs.length - 4} more` : xs.join(', '));
  return [...groups.values()].map((g) => {
    const d = g[0]!;
    const resources = [...new Set(g.map((x) => x.resource))];
    const keys = [...new Set(g.flatMap((x) => Object.keys(x.context ?? {})))];
    const ctx = keys.map((k) => `${k}=${list([...new Set(g.map((x) => x.context?.[k] ?? ''))])}`).join('; ');
    const why = d.decision === 'explicitDeny' ? 'explicitly denied' : 'not allowed';
    return `account ${d.account}${d.accountId ? ` (${d.accountId})` : ''} is ${why} ${d.action} on ${list(resources)}${ctx ? ` (${ctx})` : ''}${d.sid ? ` [statement ${d.sid}]` : ''}`;
  });
}

/** One line per denial, for the operator: who, which action, on what, and what to do. */
export function describeDenial(d: Denial): string {
  const ctx = d.context ? ` (${Object.entries(d.context).map(([k, v]) => `${k}=${v}`).join(', ')})` : '';
  const why = d.decision === 'explicitDeny' ? 'explicitly denied' : 'not allowed';
  return `account ${d.account}${d.accountId ? ` (${d.accountId})` : ''} is ${why} ${d.action} on ${d.resource}${ctx}${d.sid ? ` [statement ${d.sid}]` : ''}`;
}
