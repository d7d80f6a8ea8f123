// The state file's contents: a versioned zod schema, so a resume reads exactly what a checkpoint
// wrote and refuses anything else (hand edits, truncation, a newer tool's format).
import { z } from 'zod';

/**
 * Bump when the shape changes in a way an older reader would misread; readers refuse newer.
 * 1: the journal inside the state file (rewritten whole at every checkpoint). 2: the journal in an
 * append-only file beside it (journal-file.ts). 3: status 'stopped' (a stop on request) and the
 * window controls (control, approvals, stop, timings). 4: an S3 checkpoint may name a journal tail
 * (`journalTail`: the entries written since it, as objects of their own, s3-journal.ts). Versions 1
 * to 3 are still read.
 */
export const SCHEMA_VERSION = 4;

const IsoTime = z.iso.datetime({ offset: true });

export const JournalPhase = z.enum(['intent', 'applied', 'already-done', 'failed']);
export type JournalPhase = z.infer<typeof JournalPhase>;

/**
 * One operation the engine performed or meant to perform. `intent` is written before the
 * request goes out, so a kill between request and reply leaves a trace resume can re-observe.
 */
export const JournalEntry = z.strictObject({
  seq: z.number().int().nonnegative(),
  at: IsoTime,
  step: z.number().int().nonnegative(),
  actionId: z.string().min(1),
  kind: z.string().min(1),
  account: z.string(),
  operation: z.string().min(1),
  target: z.string(),
  params: z.json(),
  phase: JournalPhase,
  requestId: z.string().optional(),
  error: z.strictObject({ code: z.string().optional(), message: z.string() }).optional(),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

/** stopped: at a safe point, on the operator's request (--through-step, an approval pending, the window's end, Ctrl-C). */
export const RunStatus = z.enum(['running', 'halted', 'done', 'failed', 'stopped']);
export type RunStatus = z.infer<typeof RunStatus>;

export const ZoneBackup = z.strictObject({
  zoneId: z.string().min(1),
  /** Path of the JSON backup of the zone's records. */
  json: z.string().min(1),
  /** Path of the same records as a BIND zone file. */
  bind: z.string().min(1),
  verifiedAt: IsoTime,
});
export type ZoneBackup = z.infer<typeof ZoneBackup>;

/** Which estate a run changes: a state file never serves two (a plan name is not an identity). */
export const EstateIdentity = z.strictObject({
  region: z.string().min(1),
  profileId: z.string().min(1),
  sharedServicesVpcId: z.string().min(1),
  zoneIds: z.array(z.string()),
  vpcIds: z.array(z.string()),
});
export type EstateIdentity = z.infer<typeof EstateIdentity>;

/** What the estate looked like when the run first observed it ("back" for a rollback; the backups' VPC lists). */
export const FirstObservation = z.strictObject({
  at: IsoTime,
  path: z.enum(['A', 'B']),
  /** The step that was next (1-7; 8 when already migrated). */
  position: z.number().int().min(1).max(8),
  zones: z.record(
    z.string(),
    z.strictObject({ name: z.string(), vpcs: z.array(z.strictObject({ vpcId: z.string(), region: z.string() })), onProfile: z.boolean() }),
  ),
});
export type FirstObservation = z.infer<typeof FirstObservation>;

const stateFields = {
  toolVersion: z.string().min(1),
  plan: z.strictObject({ name: z.string().min(1), file: z.string(), hash: z.string().min(1) }),
  /** Version of the machine definition the snapshot belongs to: xstate restores a snapshot of
   *  another definition with status 'error' and no throw, so resume compares this instead. */
  definitionVersion: z.string().min(1),
  /** Names this run in the marks it puts on the estate (absent in files of older versions). */
  runId: z.string().min(1).optional(),
  estate: EstateIdentity.optional(),
  firstObservation: FirstObservation.optional(),
  createdAt: IsoTime,
  updatedAt: IsoTime,
  /** Which way the run goes: the seven steps, or back through their undos (absent: forward). */
  direction: z.enum(['forward', 'rollback']).optional(),
  /** A rollback: when it started, from where, and the pairs already failing then (not gated). */
  rollback: z
    .strictObject({
      startedAt: IsoTime,
      /** The forward run as the rollback found it: its status and step. */
      from: z.strictObject({ status: RunStatus, step: z.number().int().nonnegative() }),
      ungated: z.array(z.strictObject({ vpcId: z.string(), name: z.string() })),
    })
    .optional(),
  /** Zones a rollback re-created (deleted id → new id): the plan's zone ids name the new ones from then on. */
  replacedZones: z.record(z.string(), z.string()).optional(),
  status: RunStatus,
  /** Where the run is, for `status` output (the snapshot is opaque outside the machine). */
  position: z.strictObject({ step: z.number().int().nonnegative(), stepId: z.string(), phase: z.string() }).optional(),
  halt: z
    .strictObject({ reason: z.string(), step: z.number().int().nonnegative(), at: IsoTime, pairs: z.array(z.json()).optional() })
    .optional(),
  /** Why the run stopped at a safe point on request, and before which step. */
  stop: z
    .strictObject({ kind: z.enum(['through-step', 'approval', 'window-end', 'signal']), step: z.number().int().nonnegative(), reason: z.string(), at: IsoTime })
    .optional(),
  /** The run's standing controls: every step waits for an approval (apply --approve-each-step). */
  control: z.strictObject({ approveEachStep: z.boolean() }).optional(),
  /** Who let which step start, and when (resume --approve-step, or a yes at the prompt). */
  approvals: z.array(z.strictObject({ step: z.number().int().nonnegative(), direction: z.enum(['forward', 'rollback']), by: z.string(), at: IsoTime })).optional(),
  /** Each step's estimate when it started, and when it started and ended (for estimate against actual). */
  timings: z
    .array(z.strictObject({ step: z.number().int().nonnegative(), direction: z.enum(['forward', 'rollback']), estimateMs: z.number().nonnegative(), startedAt: IsoTime, endedAt: IsoTime.optional() }))
    .optional(),
  /** The xstate persisted snapshot; only the machine interprets it. */
  snapshot: z.unknown().optional(),
  /** Path of the append-only probe NDJSON log. Probe results live there, never in this file,
   *  so a checkpoint costs the same at minute 1 and hour 3. */
  probeLog: z.string().min(1),
  backups: z.array(ZoneBackup),
  stats: z.record(z.string(), z.number()),
};

/** A run's state as the engine holds it: the checkpoint and its whole journal. */
export const RunState = z.strictObject({ schemaVersion: z.literal(SCHEMA_VERSION), ...stateFields, journal: z.array(JournalEntry) });
export type RunState = z.infer<typeof RunState>;

/** A version 1 state file: the journal inside it. */
export const StateFileV1 = z.strictObject({ schemaVersion: z.literal(1), ...stateFields, journal: z.array(JournalEntry) });

/** Where the journal of a version 2 state file is, and how many entries it held at least when this checkpoint was written. */
export const JournalLog = z.strictObject({
  /** A file name in the state file's folder. */
  file: z.string().regex(/^[^/\\]+$/, 'a file name in the state file\'s folder, without a path'),
  entries: z.number().int().nonnegative() });
export type JournalLog = z.infer<typeof JournalLog>;

/** A version 2 to 4 state file: the journal is appended to its own file, a line per entry (3 may hold the window controls). */
export const StateFileV2 = z.strictObject({ schemaVersion: z.union([z.literal(2), z.literal(3), z.literal(SCHEMA_VERSION)]), ...stateFields, journalLog: JournalLog });
export type StateFileV2 = z.infer<typeof StateFileV2>;

/** Where an S3 checkpoint's journal continues: objects under `<key>.journal/<id>/`, one per write since the checkpoint. */
export const JournalTail = z.strictObject({ id: z.string().regex(/^[0-9a-f]{8,64}$/, 'lower-case hex, as r53migrate names a tail') });
export type JournalTail = z.infer<typeof JournalTail>;

/** An S3 checkpoint (version 3 or 4): the journal inside it, continued by its tail when it names one (4). */
export const S3Checkpoint = z.strictObject({
  schemaVersion: z.union([z.literal(3), z.literal(SCHEMA_VERSION)]),
  ...stateFields,
  journal: z.array(JournalEntry),
  journalTail: JournalTail.optional(),
});
