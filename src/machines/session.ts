// A run's session with its state file: the lock, the state as the previous invocation left it,
// the checkpoints and the journal. Opened at the start of `apply`/`resume`, closed at the end.
//
// Checkpoints are written one after another. The first that fails (a full disk, a file system
// gone read-only) stops the run: no later checkpoint is attempted (the file keeps the last good
// one), the journal's next intent fails, so no further request is sent, and the owner is told
// (onCheckpointFailure) so it can stop the machine. `save` never leaves a rejection unhandled;
// each caller gets its own write's outcome.
import { randomUUID } from 'node:crypto';
import { currentZoneId } from '../plan/zone-ids.js';
import { apiCall } from '../aws/actions.js';
import {
  appendJournal,
  fetchBeside,
  isS3Location,
  localStatePath,
  newRunState,
  openStateStore,
  probeLogPathFor,
  StateEstateMismatchError,
  type EstateIdentity,
  type RunState,
  type StateStore,
} from '../state/index.js';
import { shipEvidenceWhileRunning, type EvidenceShipping } from '../state/evidence-copies.js';
import type { JournalRecord } from './actors.js';

export interface SessionOptions {
  statePath: string;
  command: string;
  plan: { name: string; file: string; hash: string };
  estate: EstateIdentity;
  toolVersion: string;
  definitionVersion: string;
  /** When resuming: the checks a state file must pass (same plan unless accepted, same machine). */
  resume?: { acceptPlanChange?: boolean };
  /**
   * A rollback of a finished run goes on from its state (its first observation, its backups)
   * rather than starting a new run on it.
   */
  continueFinished?: boolean;
  /** Wall clock for the timestamps people read. */
  wallNow: () => number;
  /** S3 state: take over a stale lock with this id (--force-unlock). */
  forceUnlock?: string;
  /** S3 state: the lock's lease (the plan's state.lockLease). */
  lockLeaseMs?: number;
  /** Zone backups of the run (fetched from S3 into the local mirror when another machine made them). */
  backupDir?: string;
}

function describeEstate(e: EstateIdentity): string {
  return `Profile ${e.profileId} in ${e.region}, shared-services VPC ${e.sharedServicesVpcId}, zones ${e.zoneIds.join(', ') || 'none'}`;
}

/** Another estate: another Profile, region or shared-services VPC, or none of the same zones. */
function sameEstate(a: EstateIdentity, b: EstateIdentity): boolean {
  return a.region === b.region && a.profileId === b.profileId && a.sharedServicesVpcId === b.sharedServicesVpcId && (a.zoneIds.length === 0 || a.zoneIds.some((z) => b.zoneIds.includes(z)));
}

export class RunSession {
  /** The state as the previous invocation left it (undefined for a first run). */
  readonly previous: RunState | undefined;
  readonly warnings: string[];
  private current: RunState;
  private saving: Promise<void> = Promise.resolve();
  /** The checkpoint asked for but not yet started, which later saves join (a whole one if any of them asked for it). */
  private queued: { whole: boolean; done: Promise<void> } | undefined;
  private intents: Set<string>;
  private readonly evidence: EvidenceShipping;
  /** The first checkpoint that could not be written: nothing is saved or sent after it. */
  checkpointError: Error | undefined;
  onCheckpointFailure: () => void = () => undefined;

  private constructor(
    statePath: string,
    private readonly store: StateStore,
    private readonly wallNow: () => number,
    previous: RunState | undefined,
    state: RunState,
    warnings: string[],
  ) {
    this.previous = previous;
    this.current = state;
    this.warnings = warnings;
    this.intents = new Set((previous?.journal ?? []).filter((j) => j.phase === 'intent' || j.phase === 'applied').map((j) => j.actionId));
    this.evidence = shipEvidenceWhileRunning(statePath, state.probeLog);
  }

  static async open(o: SessionOptions): Promise<RunSession> {
    const { store, warnings } = await openStateStore(o.statePath, {
      command: o.command,
      ...(o.forceUnlock ? { forceUnlock: o.forceUnlock } : {}),
      ...(o.lockLeaseMs ? { lockLeaseMs: o.lockLeaseMs } : {}),
      ...(o.resume ? { expect: { planHash: o.plan.hash, planName: o.plan.name, definitionVersion: o.definitionVersion, acceptPlanChange: o.resume.acceptPlanChange } } : {}),
    });
    try {
      const previous = await store.read();
      // Zones a rollback re-created are the same zones under new ids.
      const recorded = previous?.estate ? { ...previous.estate, zoneIds: previous.estate.zoneIds.map((z) => currentZoneId(z, previous.replacedZones ?? {})) } : undefined;
      if (previous?.estate && recorded && !sameEstate(recorded, o.estate)) {
        throw new StateEstateMismatchError(o.statePath, { planFile: previous.plan.file, describe: describeEstate(previous.estate) }, { planFile: o.plan.file, describe: describeEstate(o.estate) });
      }
      // The probe evidence is written on this machine, beside the state or in the local mirror of
      // its S3 prefix (another machine's path means nothing here); backups made elsewhere are fetched.
      const probeLog = probeLogPathFor(localStatePath(o.statePath));
      if (o.backupDir) await fetchBeside(o.statePath, o.backupDir);
      // A run that finished is history: starting again on its state file is a new run (new id, new
      // first observation), its journal carried on.
      const again = previous?.status === 'done' && !o.continueFinished;
      const state: RunState = previous
        ? {
            ...previous,
            plan: o.plan,
            estate: o.estate,
            // A rollback of a finished run is a new run on the estate: a mark of its own.
            runId: again || !previous.runId || previous.status === 'done' ? randomUUID() : previous.runId,
            ...(again ? { firstObservation: undefined } : {}),
            ...(isS3Location(o.statePath) ? { probeLog } : {}),
          }
        : { ...newRunState({ toolVersion: o.toolVersion, plan: o.plan, definitionVersion: o.definitionVersion, statePath: localStatePath(o.statePath), now: o.wallNow() }), runId: randomUUID(), estate: o.estate };
      return new RunSession(o.statePath, store, o.wallNow, previous, state, warnings);
    } catch (e) {
      await store.close();
      throw e;
    }
  }

  get state(): RunState {
    return this.current;
  }

  get runId(): string {
    return this.current.runId!;
  }

  /** Saves the state with `patch` applied; resolves when this checkpoint is on disk. */
  save(patch: Partial<RunState>): Promise<void> {
    this.current = { ...this.current, ...patch, updatedAt: new Date(this.wallNow()).toISOString() };
    return this.checkpoint(true);
  }

  /**
   * Queues a checkpoint: `whole` rewrites the state file (and appends the journal), otherwise
   * only the journal is appended to. A write not yet started writes the state as it is when it
   * starts, so calls sent at once (a wave's chains) share one checkpoint.
   */
  private checkpoint(whole: boolean): Promise<void> {
    if (this.queued) {
      this.queued.whole ||= whole;
      return this.queued.done;
    }
    const queued = { whole, done: Promise.resolve() };
    queued.done = this.saving.then(async () => {
      this.queued = undefined;
      const snapshot = this.current;
      if (this.checkpointError) throw this.checkpointError;
      try {
        await (queued.whole ? this.store.write(snapshot) : this.store.writeJournal(snapshot));
      } catch (e) {
        this.checkpointError = e as Error;
        this.onCheckpointFailure();
        throw e;
      }
    });
    this.queued = queued;
    this.saving = queued.done.catch(() => undefined);
    return queued.done;
  }

  /** Every checkpoint asked for so far is written (or has failed). */
  flushed(): Promise<void> {
    return this.saving;
  }

  /** Keeps files beside the state where the state is (S3: uploaded and read back); see StateStore.keepFiles. */
  async keepFiles(paths: string[]): Promise<void> {
    await this.store.keepFiles?.(paths);
  }

  /** Appends to the journal and makes it durable: an intent is on disk before its request goes out. */
  async journal(r: Omit<JournalRecord, 'batch'>): Promise<void> {
    const call = apiCall(r.action);
    const a = r.action;
    this.current = appendJournal(this.current, {
      at: new Date(this.wallNow()).toISOString(),
      step: r.step,
      actionId: a.id,
      kind: a.kind,
      account: a.account,
      operation: call?.operation ?? a.kind,
      target: 'zoneId' in a ? a.zoneId : 'vpcId' in a ? a.vpcId : 'endpointId' in a ? a.endpointId : '',
      params: JSON.parse(JSON.stringify(call?.params ?? { zoneId: (a as { zoneId?: string }).zoneId ?? null })),
      phase: r.phase,
      ...(r.requestId ? { requestId: r.requestId } : {}),
      ...(r.error ? { error: { message: r.error } } : {}),
    });
    if (r.phase === 'intent') this.intents.add(a.id);
    await this.checkpoint(false);
  }

  /** Whether this run (this invocation or an earlier one) journaled an intent for the action: it may have reached AWS. */
  journaled(actionId: string): boolean {
    return this.intents.has(actionId);
  }

  /**
   * Releases the state; beside an S3 state, sends this session's last probe evidence first.
   * Returns a warning when the evidence could not all be sent (the run's outcome stands).
   */
  async close(): Promise<string | undefined> {
    try {
      return await this.evidence.stop();
    } finally {
      await this.store.close();
    }
  }
}
