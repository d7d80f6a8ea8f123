// `r53migrate restore-zone BACKUP`: puts a zone back from the verified JSON backup a run wrote
// before step 7 deleted it. The zone still there: refill the records it is missing. The zone gone:
// re-create it with its VPCs and records. Idempotent: run again after a failure or a kill.
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { Command } from 'commander';
import { readBackup, type LoadedBackup } from '../aws/backup.js';
import { NotFoundError } from '../aws/errors.js';
import { recreateZone, refillZone, type RecordRef, type RecreateResult, type RefillResult, type RestoreCall } from '../aws/restore.js';
import { ID_PATTERNS } from '../plan/schema.js';
import type { VpcRef } from '../aws/world.js';
import { accessFor, loadPlanForCli } from './common.js';
import { EXIT, UsageError } from './errors.js';
import { confirm, processInterrupted, type CliIo } from './io.js';

const HELP = `
Puts a zone back from the JSON backup a run wrote before step 7 emptied and deleted it (beside the
state file, in <plan name>.backups/<zone id>.<time>.json). The backup is checked first (format,
record count, the sha256 of its records): a file cut short or edited is refused, nothing changed.

  The zone still exists (emptied by hand, or a run stopped after emptying it): the record sets it
  is missing are created, those already there are left alone, and one there with other values is
  a conflict: it is named and nothing is changed. Its VPC associations are not touched.

  The zone was deleted: a private zone of the same name and comment is created with the first of
  the VPCs (--vpc, default: those associated when the run started) that its owner account holds;
  its records are created and waited for (INSYNC); then the other VPCs are associated (another
  account's VPC: the owner authorizes, the VPC's account associates, the authorization is
  removed). The new zone id is printed. A VPC that resolves the names through its Profile or an
  endpoint in another VPC answers from the re-created zone once associated (a directly associated
  zone wins there). A VPC whose own endpoint serves the name with Private DNS (or that has another
  zone of that name) is refused by AWS (ConflictingDomainExists): it is reported and keeps its
  answer. The VPC the zone is created with has no answer for the zone's names until the records
  are INSYNC (seconds): list an idle VPC first.

Use it to undo step 7 (bring a self-managed zone back), or when a zone was emptied by mistake.
After a failure or a kill, run the same command again: it finds what was done (a re-created zone
by its CallerReference, derived from the backup) and does only the rest.

The plan gives the credentials: the one the backup names, or --plan. --dry-run prints every API
call it would make and changes nothing. On a terminal it asks before changing anything, unless
--yes; elsewhere --yes is required.

Exit codes: 0 restored (or nothing to do), 1 AWS failed or a wait ran out (run it again; nothing is
done twice), 2 bad input: the backup can't be trusted, the plan, an account or a VPC doesn't fit, a
record conflicts, or --yes is missing (nothing was changed).`;

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

const recordText = (r: RecordRef) => `${r.name} ${r.type}${r.setIdentifier !== undefined ? ` (${r.setIdentifier})` : ''}`;

function list<T>(items: T[], show: (x: T) => string, max = 8): string {
  return items.length > max ? `${items.slice(0, max).map(show).join(', ')}, … (${items.length} in all)` : items.map(show).join(', ');
}

export function renderCalls(calls: RestoreCall[]): string {
  if (!calls.length) return 'No change to make: nothing would be sent.\n';
  const lines = calls.map((c, i) => `  ${i + 1}. ${c.operation} as ${c.account}: ${JSON.stringify(c.params)}`);
  return `${lines.join('\n')}\n(Reads — Get, List, Describe — and GetChange polls until INSYNC are not listed.)\n`;
}

function refillText(backup: LoadedBackup, r: RefillResult): string {
  if (r.status === 'nothing-to-do') {
    return `Nothing to do: zone ${r.zoneId} already holds every record set of the backup (${r.alreadyThere.length} besides its apex). Nothing was changed.\n`;
  }
  return (
    `Refilled zone ${backup.zoneName} (${r.zoneId}): created ${r.created.length} record set(s): ${list(r.created, recordText)}` +
    `${r.alreadyThere.length ? `; ${r.alreadyThere.length} already there` : ''}; change ${r.changeIds.join(', ')} INSYNC.\n`
  );
}

function recreateText(backup: LoadedBackup, r: RecreateResult): string {
  const vpcs = (v: VpcRef[]) => list(v, (x) => x.vpcId);
  const lines = [
    r.createdZone
      ? `Created zone ${backup.zoneName} as ${r.zoneId}${r.createdWith ? ` with ${r.createdWith.vpcId}` : ''} (the backup's zone ${backup.zoneId} no longer exists).`
      : `Found zone ${r.zoneId} (${backup.zoneName}), made by an earlier restore of this backup, and carried on with it.`,
    r.records.created.length
      ? `Records: created ${r.records.created.length} record set(s)${r.records.alreadyThere.length ? `, ${r.records.alreadyThere.length} already there` : ''}; INSYNC.`
      : `Records: all ${r.records.alreadyThere.length} already there.`,
  ];
  if (r.tagsRestored.length) lines.push(`Tags put back: ${list(r.tagsRestored, (k) => k)}.`);
  if (r.associated.length) lines.push(`Associated with ${vpcs(r.associated)}.`);
  if (r.alreadyAssociated.length) lines.push(`Already associated: ${vpcs(r.alreadyAssociated)}.`);
  for (const s of r.skipped) lines.push(`warning: ${s.vpcId} was not associated: ${s.reason}`);
  lines.push(`New zone id: ${r.zoneId}`);
  return lines.join('\n') + '\n';
}

interface Options {
  plan?: string;
  vpc?: string[];
  yes?: boolean;
  dryRun?: boolean;
}

export function restoreZoneCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('restore-zone')
    .description('Put a zone back from its verified backup: refill the records it is missing, or re-create it (same name, VPCs, records) when it was deleted.')
    .argument('<backup>', 'the JSON backup a run wrote before deleting the zone (<plan name>.backups/<zone id>.<time>.json)')
    .option('--plan <file>', 'plan file whose accounts reach the zone and its VPCs (default: the one the backup names)')
    .option('--vpc <vpc-id>', 'when re-creating: a VPC to associate (repeat it; default: the VPCs associated when the run started)', collect)
    .option('--yes', 'do not ask for confirmation')
    .option('--dry-run', 'print every API call it would make; change nothing')
    .addHelpText('after', HELP)
    .action(async (file: string, opts: Options) => {
      const o = { ...opts, vpc: opts.vpc ?? [] };
      const backup = await readBackup(file);
      const planFile = o.plan ?? backup.planFile;
      if (!planFile) {
        throw new UsageError(`the backup ${file} does not name the plan of its run: give the plan whose accounts reach zone ${backup.zoneId} with --plan PLAN`, 'NO_PLAN');
      }
      const loaded = await loadPlanForCli(planFile);
      const plan = loaded.plan;
      const account = backup.accountName;
      if (!plan.accounts[account]) {
        throw new UsageError(
          `the backup reaches zone ${backup.zoneId} through plan account "${account}", which ${planFile} does not define (it has ${Object.keys(plan.accounts).join(', ')}): give the plan of the run that made the backup with --plan`,
          'UNKNOWN_ACCOUNT',
        );
      }
      const badVpc = o.vpc.filter((v) => !ID_PATTERNS.vpc.test(v));
      if (badVpc.length) throw new UsageError(`--vpc ${badVpc.join(', ')}: expected a VPC id (like vpc-0a1b2c3d4e5f67890)`, 'BAD_VPC');
      if (!o.yes && !o.dryRun && !(io.stdin as { isTTY?: boolean } | undefined)?.isTTY) {
        throw new UsageError(`restore-zone changes AWS: pass --yes (see what it would do with --dry-run)`, 'CONFIRMATION_REQUIRED');
      }

      const access = accessFor(loaded);
      const controller = new AbortController();
      void (io.interrupted ?? processInterrupted()).then(() => controller.abort(new Error('interrupted by the operator')));
      const signal = controller.signal;
      try {
        const accountId = await access.accountId(account, signal);
        if (accountId !== backup.ownerAccountId) {
          throw new UsageError(
            `zone ${backup.zoneId} belonged to AWS account ${backup.ownerAccountId}, but the plan's account "${account}" is ${accountId} (${planFile}): give the plan whose "${account}" reaches ${backup.ownerAccountId} with --plan`,
            'WRONG_ACCOUNT',
          );
        }
        const exists = await access.read(account, 'route53', new GetHostedZoneCommand({ Id: backup.zoneId }), { signal, target: backup.zoneId }).then(
          () => true,
          (e) => (e instanceof NotFoundError ? false : Promise.reject(e)),
        );
        if (exists && o.vpc.length) {
          throw new UsageError(
            `zone ${backup.zoneId} still exists: restore-zone refills its records and leaves its VPC associations as they are, so --vpc does not apply (run it without --vpc)`,
            'VPC_WITH_REFILL',
          );
        }
        const vpcs = o.vpc.length ? o.vpc.map((vpcId) => ({ vpcId, region: plan.region })) : undefined;
        const wait = { maxWaitMs: plan.budgets.stepTimeoutMs, pollIntervalMs: plan.budgets.pollIntervalMs };
        const run = (dryRun: boolean) =>
          exists
            ? refillZone(access, account, backup.zoneId, backup, { ...wait, signal, dryRun })
            : recreateZone(access, account, backup, { ...wait, signal, dryRun, ...(vpcs ? { vpcs } : {}) });
        const what = exists
          ? `Zone ${backup.zoneName} (${backup.zoneId}) still exists: refilling it from its backup of ${backup.savedAt}.`
          : `Zone ${backup.zoneName} (${backup.zoneId}) no longer exists: re-creating it from its backup of ${backup.savedAt}, associated with ${list(vpcs ?? backup.vpcsAtStart, (v) => v.vpcId)}.`;

        if (o.dryRun || !o.yes) {
          const preview = await run(true);
          io.stdout.write(`${what}\n${o.dryRun ? 'Dry run, nothing is changed. It would send:' : 'It will send:'}\n${renderCalls(preview.calls)}`);
          if (o.dryRun) return setExit(EXIT.done);
          if (!preview.calls.length) {
            io.stdout.write('Nothing was changed.\n');
            return setExit(EXIT.done);
          }
          if (!(await confirm(io, `Send these ${preview.calls.length} change(s)? [y/N] `))) {
            io.stdout.write('Nothing was changed.\n');
            return setExit(EXIT.done);
          }
        } else {
          io.stdout.write(`${what}\n`);
        }
        const result = await run(false);
        io.stdout.write(exists ? refillText(backup, result as RefillResult) : recreateText(backup, result as RecreateResult));
        setExit(EXIT.done);
      } catch (e) {
        if (signal.aborted) {
          io.stderr.write(`r53migrate: interrupted; what was sent stays sent. Run the same restore-zone again to carry on (nothing is done twice).\n`);
          return setExit(130);
        }
        throw e;
      } finally {
        access.destroy();
      }
    });
}
