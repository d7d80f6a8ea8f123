// The policies file `sandbox up|run --iam-policies FILE` attaches to the sandbox's accounts: the
// JSON `r53migrate iam-policy PLAN --json` prints,
//   {"accounts": {"<plan account name>": {"accountId": "111122223333" | null, "policy": {...}}}}
// Each entry is matched to a sandbox account by its accountId when given, else by its name (the
// plan the sandbox writes names accounts as the sandbox does: shared-services, spokes-1, ...).
// Other fields are ignored, so the generator may print more.
import { validatePolicyDocument, type PolicyDocument } from './iam.js';

export interface IamPoliciesFile {
  accounts: Record<string, { accountId?: string | null; policy: unknown }>;
}

export class IamPoliciesFileError extends Error {
  constructor(
    readonly label: string,
    readonly problems: string[],
  ) {
    super(`${label}: ${problems.join('; ')}`);
    this.name = 'IamPoliciesFileError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Maps the file's entries onto accounts: account id → policy document. Throws
 * IamPoliciesFileError naming `label` (the file) and every field that does not parse or match.
 */
export function resolveIamPolicies(file: unknown, accounts: { id: string; name: string }[], label: string): Record<string, PolicyDocument> {
  const problems: string[] = [];
  if (!isObject(file) || !isObject(file.accounts)) {
    throw new IamPoliciesFileError(label, ['field accounts: expected {"accounts": {"<account name>": {"accountId": "..." | null, "policy": {...}}}}']);
  }
  const out: Record<string, PolicyDocument> = {};
  const from: Record<string, string> = {};
  const known = accounts.map((a) => `${a.name} (${a.id})`).join(', ');
  for (const [name, entry] of Object.entries(file.accounts)) {
    const at = `accounts.${name}`;
    if (!isObject(entry)) {
      problems.push(`field ${at}: expected {"accountId": ..., "policy": {...}}`);
      continue;
    }
    const id = entry.accountId;
    let account: { id: string; name: string } | undefined;
    if (id !== undefined && id !== null) {
      if (typeof id !== 'string' || !/^\d{12}$/.test(id)) {
        problems.push(`field ${at}.accountId: expected a 12-digit account id or null, not ${JSON.stringify(id)}`);
        continue;
      }
      account = accounts.find((a) => a.id === id);
      if (!account) {
        problems.push(`field ${at}.accountId: ${id} is not a sandbox account (they are ${known})`);
        continue;
      }
    } else {
      account = accounts.find((a) => a.name === name);
      if (!account) {
        problems.push(`field ${at}: no sandbox account is named ${name} and no accountId is given (they are ${known})`);
        continue;
      }
    }
    if (from[account.id]) {
      problems.push(`field ${at}: account ${account.id} already has the policy of accounts.${from[account.id]}`);
      continue;
    }
    if (entry.policy === undefined) {
      problems.push(`field ${at}.policy: missing`);
      continue;
    }
    const docProblems = validatePolicyDocument(entry.policy);
    if (docProblems.length) {
      problems.push(...docProblems.map((p) => `field ${at}.policy: ${p}`));
      continue;
    }
    from[account.id] = name;
    out[account.id] = entry.policy as PolicyDocument;
  }
  if (problems.length) throw new IamPoliciesFileError(label, problems);
  return out;
}
