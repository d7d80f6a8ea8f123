// The pre-flight permission check of `plan`, `apply`, `resume` and `rollback`, in two stages:
//   discovery — before the first observation: who owns each zone and endpoint (read where
//     readable), then whether each account may make the reads discovery makes. A denied read
//     would otherwise end discovery with one error, or (a zone its owner may not read) look
//     like a missing zone. A plan with a prepare (profile.create / profile.share) adds its reads:
//     the Profile by name, the RAM share and its invitations, organizations where they matter;
//   run — once the path is known (A or B, forward or back): whether each account may make every
//     call of the run, prepare's included (create and share the Profile, accept the invitations;
//     rolling back, take the share and the Profile back). A Profile prepare has yet to create is
//     checked as any Profile of its account (profile/*), never by the plan's placeholder id.
// Denied → nothing is changed, every missing permission is listed with its account, action and
// resource (exit 2). An account whose simulator can't be used is said once, and the run goes on.
import { readBackup } from '../aws/backup.js';
import type { AwsAccess } from '../aws/access.js';
import { findOwners, type Owners } from '../aws/owners.js';
import { planNeeds, type Need, type Path, type PolicyOptions } from '../aws/iam-policy.js';
import { checkPermissions, describeDenials, type AccountCheck, type Denial, type PermissionReport } from '../aws/permission-check.js';
import type { World } from '../aws/world.js';
import type { LoadedPlan } from '../plan/load.js';
import type { Plan } from '../plan/schema.js';
import type { RunState } from '../state/index.js';

/** At most this many lines of missing permissions (one per account, action and statement). */
const MAX_LISTED = 25;

/** The identities r53migrate uses lack permissions the run needs: nothing was changed (exit 2). */
export class PermissionsMissingError extends Error {
  readonly code = 'PERMISSIONS_MISSING';
  readonly exitCode = 2;
  constructor(
    readonly denials: Denial[],
    command: string,
    notes: string[] = [],
  ) {
    const grouped = describeDenials(denials);
    const lines = grouped.slice(0, MAX_LISTED).map((d) => `  - ${d}`);
    if (grouped.length > MAX_LISTED) lines.push(`  - … and ${grouped.length - MAX_LISTED} more`);
    const accounts = [...new Set(denials.map((d) => d.account))].join(', ');
    super(
      `the IAM policy simulator says the identities r53migrate uses may not make ${denials.length} request(s) this run needs (nothing was changed):\n${lines.join('\n')}\n` +
        notes.map((n) => `Note: ${n}.\n`).join('') +
        `Add them to the policies of ${accounts}: \`${command}\` prints each account's policy, these statements included. Then run this again.`,
    );
    this.name = 'PermissionsMissingError';
  }
}

export interface RunStage {
  /** The estate's path (undefined: not known yet, both are checked). */
  path?: Path;
  direction: 'forward' | 'rollback';
  /** The observation the run starts from, when there is one: its ARNs, and which zones are gone. */
  world?: World;
  /** The run's state file, for the owners of deleted zones (their backups say). */
  state?: RunState;
}

/**
 * One per command invocation: the owners it found, the accounts whose simulator can't be used
 * (said once), and what it checked, for `plan`'s line.
 */
export class PermissionPreflight {
  private owners?: Owners;
  private accountIds: Record<string, string> = {};
  private unavailable = new Map<string, string>();
  private checks = new Map<string, AccountCheck>();
  private undecided = 0;

  constructor(
    private readonly loaded: LoadedPlan,
    /** Where warnings go (one line each, no newline). */
    private readonly warn: (line: string) => void,
    /** The command that prints the policies, for messages (`r53migrate iam-policy plan.yaml`). */
    private readonly policyCommand = `r53migrate iam-policy ${loaded.file}`,
  ) {}

  /** Stage 1: owners, account ids, and discovery's reads. */
  async discovery(access: AwsAccess, signal?: AbortSignal): Promise<void> {
    const plan = this.loaded.plan;
    this.owners = await findOwners(plan, access, signal);
    for (const a of Object.keys(plan.accounts)) this.accountIds[a] = await access.accountId(a, signal);
    const needs = planNeeds(plan, this.options({ direction: 'forward' })).filter((n) => n.phase === 'discover');
    await this.check(access, needs, `${this.policyCommand}`, signal);
  }

  /** Stage 2: every call of the run, for its path and direction. */
  async run(access: AwsAccess, stage: RunStage, signal?: AbortSignal): Promise<void> {
    if (!this.owners) await this.discovery(access, signal);
    const needs = planNeeds(this.loaded.plan, await this.optionsWithBackups(stage)).filter((n) => n.phase === 'run');
    const command = `${this.policyCommand}${stage.path ? ` --path ${stage.path}` : ''}${stage.direction === 'rollback' ? ' --rollback' : ''}`;
    await this.check(access, needs, command, signal);
  }

  /** `plan`'s line: what was checked, as whom. */
  outcome(): string {
    const parts = [...this.checks.values()].map((c) => {
      const who = `${c.account}${c.accountId ? ` (${c.accountId})` : ''}`;
      return c.unavailable ? `${who}: not checked` : `${who} as ${c.principal}: ${c.checked} requests allowed`;
    });
    return `Permissions (IAM policy simulator): ${parts.join('; ')}${this.undecided ? `; ${this.undecided} undecided (see the warnings)` : ''}.`;
  }

  private options(stage: RunStage): PolicyOptions {
    const world = stage.world;
    // Gone: NoSuchHostedZone before, or missing from the observation. A zone nobody may read is
    // not gone: its owner (taken to be the Profile's account) is checked for reading it.
    const unreadable = new Set(this.owners?.unreadableZones ?? []);
    const gone = new Set([...(this.owners?.goneZones ?? []), ...Object.values(world?.zones ?? {}).filter((z) => !z.exists && !unreadable.has(z.id)).map((z) => z.id)]);
    return {
      ...(stage.path ? { path: stage.path } : {}),
      ...(stage.direction === 'rollback' ? { rollbackOnly: true, zonesMayBeRecreated: gone.size > 0 } : {}),
      zoneOwners: { ...this.owners?.zones, ...Object.fromEntries(Object.values(world?.zones ?? {}).flatMap((z) => (z.exists ? [[z.id, z.account]] : []))) },
      endpointOwners: { ...this.owners?.endpoints, ...Object.fromEntries(Object.values(world?.endpoints ?? {}).flatMap((e) => (e.exists ? [[e.id, e.account]] : []))) },
      accountIds: this.accountIds,
      // The observed Profile's ARN; not the dry run's stand-in for one prepare has yet to create
      // (withPreparedProfile): planNeeds then names any Profile of its account (profile/*).
      ...(world?.profile?.arn?.startsWith('arn:') ? { profileArn: world.profile.arn } : {}),
      endpointArns: Object.fromEntries(Object.values(world?.endpoints ?? {}).flatMap((e) => (e.exists && e.arn ? [[e.id, e.arn]] : []))),
      // A deleted zone asks nothing of a forward run (its steps are done); a rollback re-creates it.
      ...(stage.direction === 'forward' ? { goneZones: [...gone] } : {}),
    };
  }

  /** A deleted zone is re-created by the account its backup names. */
  private async optionsWithBackups(stage: RunStage): Promise<PolicyOptions> {
    const o = this.options(stage);
    if (stage.direction !== 'rollback' || !stage.state) return o;
    const owners = { ...o.zoneOwners };
    for (const b of stage.state.backups) {
      if (owners[b.zoneId]) continue;
      const backup = await readBackup(b.json).catch(() => undefined);
      if (backup && this.loaded.plan.accounts[backup.accountName]) owners[b.zoneId] = backup.accountName;
    }
    return { ...o, zoneOwners: owners };
  }

  private async check(access: AwsAccess, needs: Need[], command: string, signal?: AbortSignal): Promise<void> {
    const report: PermissionReport = await checkPermissions(this.loaded.plan, access, needs, { ...(signal ? { signal } : {}), skip: this.unavailable });
    for (const c of report.accounts) {
      const had = this.checks.get(c.account);
      this.checks.set(c.account, { ...c, checked: (had?.checked ?? 0) + c.checked });
      if (c.unavailable && !this.unavailable.has(c.account)) {
        this.unavailable.set(c.account, c.unavailable);
        this.warn(
          `warning: the permissions of account ${c.account}${c.accountId ? ` (${c.accountId})` : ''} were not checked: ${c.unavailable}. ` +
            `The run goes on; a permission it lacks stops it where it is first needed (exit 1; add it, then resume). \`${command}\` prints what it needs.`,
        );
      }
    }
    for (const u of report.undecided) {
      this.undecided++;
      this.warn(`warning: the IAM policy simulator could not decide whether account ${u.account} may ${u.action} on ${u.resource}: its policy tests ${u.missingContext.join(', ')}, which r53migrate can't give the simulator`);
    }
    if (!report.denials.length) return;
    const plan = this.loaded.plan;
    const notes = (this.owners?.unreadableZones ?? []).map(
      (z) => `zone ${z} could not be read by any account of the plan, so its owner was taken to be ${plan.profile.account} (the Profile's account): if another account owns it, that one needs the zone's statements`,
    );
    throw new PermissionsMissingError(report.denials, command, notes);
  }
}
