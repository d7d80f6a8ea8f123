// The estate lock: a run marks the estate it is changing with a tag on the Profile and on each of
// its zones, naming the run, its holder and when it started. Another run (another working
// directory, another machine) that finds a mark not its own refuses to start. The state file's
// lock only guards one file; this guards the estate. Tags have no conditional write, so two runs
// starting in the same second could both pass: each re-reads its mark after writing it, and the
// engine reads the Profile's mark again at every step (which also stops a run whose estate was
// taken over with --force-unlock while it was, after all, still alive).
import { ChangeTagsForResourceCommand, ListTagsForResourceCommand as ListZoneTagsCommand } from '@aws-sdk/client-route-53';
import type { Plan } from '../plan/schema.js';
import type { AwsAccess } from './access.js';
import { NotFoundError } from './errors.js';
import { ListTagsForResourceCommand, TagResourceCommand, UntagResourceCommand } from './route53profiles/index.js';
import type { World } from './world.js';

export const MARK_TAG_KEY = 'r53migrate:run';

export interface EstateMark {
  runId: string;
  /** user@host of the machine that started the run. */
  holder: string;
  /** ISO time the run started. */
  since: string;
  /** The plan's name. */
  plan: string;
}

export interface MarkedResource {
  kind: 'profile' | 'zone';
  id: string;
  /** Plan account that owns it (and reads and writes its tags). */
  account: string;
  mark?: EstateMark;
}

/** Tag values take letters, digits, spaces and `_.:/=+-@` (Route 53 and Route 53 Profiles alike). */
const clean = (s: string) => s.replace(/[^\p{L}\p{N}_.:/=+\-@]/gu, '-');

export function formatMark(m: EstateMark): string {
  return `run=${clean(m.runId)} by=${clean(m.holder)} since=${clean(m.since)} plan=${clean(m.plan)}`.slice(0, 256);
}

export function parseMark(value: string | undefined): EstateMark | undefined {
  if (!value) return undefined;
  const field = (k: string) => new RegExp(`(?:^| )${k}=(\\S*)`).exec(value)?.[1];
  const runId = field('run');
  if (!runId) return undefined;
  return { runId, holder: field('by') ?? '?', since: field('since') ?? '?', plan: field('plan') ?? '?' };
}

export function describeMark(m: EstateMark): string {
  return `run ${m.runId} of plan ${m.plan}, started ${m.since} by ${m.holder}`;
}

/** The estate's markable resources: the Profile and the plan's zones that still exist. */
function resources(plan: Plan, world: World): MarkedResource[] {
  const out: MarkedResource[] = [];
  if (world.profile?.arn) out.push({ kind: 'profile', id: world.profile.arn, account: plan.profile.account });
  for (const z of Object.values(world.zones)) if (z.exists) out.push({ kind: 'zone', id: z.id, account: z.account });
  return out;
}

async function readTag(access: AwsAccess, r: MarkedResource, signal?: AbortSignal): Promise<string | undefined> {
  try {
    if (r.kind === 'profile') {
      const out = await access.read(r.account, 'route53profiles', new ListTagsForResourceCommand({ ResourceArn: r.id }), { signal, target: r.id });
      return out.Tags?.[MARK_TAG_KEY];
    }
    const out = await access.read(r.account, 'route53', new ListZoneTagsCommand({ ResourceType: 'hostedzone', ResourceId: r.id }), { signal, target: r.id });
    return out.ResourceTagSet?.Tags?.find((t) => t.Key === MARK_TAG_KEY)?.Value;
  } catch (e) {
    // A zone deleted meanwhile carries no mark.
    if (e instanceof NotFoundError && r.kind === 'zone') return undefined;
    throw e;
  }
}

export async function readMarks(access: AwsAccess, plan: Plan, world: World, signal?: AbortSignal): Promise<MarkedResource[]> {
  return Promise.all(resources(plan, world).map(async (r) => ({ ...r, mark: parseMark(await readTag(access, r, signal)) })));
}

/** Reads the Profile's mark only (the check the engine repeats at every step). */
export async function readProfileMark(access: AwsAccess, plan: Plan, world: World, signal?: AbortSignal): Promise<EstateMark | undefined> {
  const profile = resources(plan, world).find((r) => r.kind === 'profile');
  return profile ? parseMark(await readTag(access, profile, signal)) : undefined;
}

async function writeTag(access: AwsAccess, r: MarkedResource, value: string | undefined, signal?: AbortSignal): Promise<void> {
  const verify = async () => (await readTag(access, r, signal)) === value;
  if (r.kind === 'profile') {
    const command = value === undefined ? new UntagResourceCommand({ ResourceArn: r.id, TagKeys: [MARK_TAG_KEY] }) : new TagResourceCommand({ ResourceArn: r.id, Tags: { [MARK_TAG_KEY]: value } });
    await access.mutate(r.account, 'route53profiles', command, { verify, signal, target: r.id });
    return;
  }
  const command = new ChangeTagsForResourceCommand({
    ResourceType: 'hostedzone',
    ResourceId: r.id,
    ...(value === undefined ? { RemoveTagKeys: [MARK_TAG_KEY] } : { AddTags: [{ Key: MARK_TAG_KEY, Value: value }] }),
  });
  try {
    await access.mutate(r.account, 'route53', command, { verify, signal, target: r.id });
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e;
  }
}

/**
 * Puts this run's mark where it is missing (`found`: the marks just read; a resumed run keeps the
 * mark it placed first). Reads back what it wrote: a run that started at the same moment may have
 * written over it.
 */
export async function placeMark(access: AwsAccess, plan: Plan, world: World, mark: EstateMark, found: MarkedResource[], signal?: AbortSignal): Promise<MarkedResource[]> {
  const missing = found.filter((r) => r.mark?.runId !== mark.runId);
  if (!missing.length) return found;
  const value = formatMark(mark);
  for (const r of missing) await writeTag(access, r, value, signal);
  return readMarks(access, plan, world, signal);
}

/** Removes the marks of these runs (this run's, and those it took over) and only theirs from the estate. */
export async function removeMark(access: AwsAccess, plan: Plan, world: World, runIds: readonly string[], signal?: AbortSignal): Promise<void> {
  for (const r of await readMarks(access, plan, world, signal)) if (r.mark && runIds.includes(r.mark.runId)) await writeTag(access, r, undefined, signal);
}
