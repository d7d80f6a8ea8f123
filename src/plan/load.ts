// Reads a plan file (YAML or JSON) and reports every problem at once with file, line and field.
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_RATE_SHARE, Plan } from './schema.js';

/** A plan larger than this is not a plan (and would cost memory to parse). */
export const MAX_PLAN_BYTES = 1024 * 1024;

export interface PlanProblem {
  file: string;
  line?: number;
  column?: number;
  field: string;
  message: string;
}

export class PlanError extends Error {
  readonly code = 'INVALID_PLAN';
  readonly exitCode = 2;
  constructor(
    readonly file: string,
    readonly problems: PlanProblem[],
  ) {
    super(
      `${file}: ${problems.length === 1 ? 'a problem' : `${problems.length} problems`} in the plan:\n` +
        problems.map((p) => `  ${p.file}${p.line ? `:${p.line}${p.column ? `:${p.column}` : ''}` : ''} ${p.field || '(file)'}: ${p.message}`).join('\n'),
    );
    this.name = 'PlanError';
  }
}

export interface LoadedPlan {
  plan: Plan;
  file: string;
  /** sha256 of the normalised plan: `apply` and `resume` compare it to what was reviewed. */
  hash: string;
}

function fieldOf(path: PropertyKey[]): string {
  return path.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '');
}

function locate(doc: Document, lines: LineCounter, path: PropertyKey[]): { line?: number; column?: number } {
  // Walk down as far as the path exists: a missing field is reported at its parent.
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) {
      const pos = lines.linePos(node.range[0]);
      return { line: pos.line, column: pos.col };
    }
    if (n === 0 && isMap(doc.contents) && doc.contents.range) return { line: 1, column: 1 };
  }
  return {};
}

/** ", expected one of: ..." for the object at this path of the schema, when it is known. */
function knownKeysAt(path: PropertyKey[]): string {
  let shape: unknown = Plan;
  for (const key of path) {
    const def = (shape as { def?: { type?: string; shape?: Record<string, unknown>; innerType?: unknown; element?: unknown; valueType?: unknown; in?: unknown } }).def;
    shape = typeof key === 'number' ? def?.element : def?.shape?.[String(key)] ?? def?.valueType;
    while ((shape as { def?: { innerType?: unknown; in?: unknown } })?.def?.innerType || (shape as { def?: { in?: unknown } })?.def?.in) {
      const d = (shape as { def: { innerType?: unknown; in?: unknown } }).def;
      shape = d.innerType ?? d.in;
    }
  }
  const keys = Object.keys((shape as { def?: { shape?: object } })?.def?.shape ?? {});
  return keys.length ? `; expected one of: ${keys.join(', ')}` : '';
}

const EXPECTED: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list', string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false' };

/** zod's wording, except where it speaks JavaScript ("received undefined", "Invalid key in record"). */
function messageOf(issue: z.core.$ZodIssue, doc: Document): string {
  // A record key that fails its own check: say what the key should look like.
  if (issue.code === 'invalid_key') return `"${String(issue.path.at(-1))}" is not a valid key: ${issue.issues.map((i) => i.message).join('; ')}`;
  if (issue.code === 'invalid_type' && issue.message.startsWith('Invalid input') && !doc.hasIn(issue.path as (string | number)[])) {
    return `missing: expected ${EXPECTED[issue.expected] ?? issue.expected}`;
  }
  return issue.message;
}

export function parsePlanText(text: string, file: string): LoadedPlan {
  const lines = new LineCounter();
  // uniqueKeys: a key given twice is an error, not a silent override; maxAliasCount stops alias bombs.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  const problems: PlanProblem[] = doc.errors.map((e) => {
    // prettyErrors is off, so linePos is not filled in: the line comes from the error's offset.
    const pos = e.linePos?.[0] ?? lines.linePos(e.pos[0]);
    return { file, line: pos.line, column: pos.col, field: '', message: `not valid YAML/JSON: ${e.message.split('\n')[0]}` };
  });
  if (problems.length) throw new PlanError(file, problems);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new PlanError(file, [{ file, field: '', message: `cannot be read: ${(e as Error).message}` }]);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new PlanError(file, [{ file, line: 1, field: '', message: 'expected a mapping (name, region, accounts, profile, ...) at the top level' }]);
  }
  const parsed = Plan.safeParse(raw);
  if (!parsed.success) {
    const problemsOf = (issue: z.core.$ZodIssue): PlanProblem[] => {
      // An unknown key is reported where it stands, one problem per key, with what is allowed.
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          file,
          ...locate(doc, lines, [...issue.path, key]),
          field: fieldOf([...issue.path, key]),
          message: `unknown field "${key}"${knownKeysAt(issue.path)}`,
        }));
      }
      return [{ file, ...locate(doc, lines, issue.path), field: fieldOf(issue.path), message: messageOf(issue, doc) }];
    };
    throw new PlanError(file, parsed.error.issues.flatMap(problemsOf));
  }
  const hash = createHash('sha256').update(JSON.stringify(hashedForm(parsed.data))).digest('hex');
  return { plan: parsed.data, file, hash };
}

/**
 * What the plan's hash covers: the parsed plan, less settings added after hashes were first handed
 * out while they stay at their defaults, so a plan reviewed (or a run started) with an earlier
 * version keeps its hash; setting one changes it like any other field.
 */
function hashedForm(plan: Plan): unknown {
  if (plan.budgets.rateShare !== DEFAULT_RATE_SHARE) return plan;
  const { rateShare: _default, ...budgets } = plan.budgets;
  return { ...plan, budgets };
}

export async function loadPlan(file: string): Promise<LoadedPlan> {
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new PlanError(file, [{ file, field: '', message: 'is not a file' }]);
    size = st.size;
  } catch (e) {
    if (e instanceof PlanError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new PlanError(file, [{ file, field: '', message: `cannot read the plan: ${why}` }]);
  }
  if (size > MAX_PLAN_BYTES) {
    throw new PlanError(file, [{ file, field: '', message: `is ${size} bytes; a plan is at most ${MAX_PLAN_BYTES} bytes` }]);
  }
  const buf = await readFile(file);
  if (buf.includes(0)) throw new PlanError(file, [{ file, field: '', message: 'is binary, not YAML or JSON' }]);
  return parsePlanText(buf.toString('utf8'), file);
}
