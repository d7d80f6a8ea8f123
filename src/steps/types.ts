// What a step is: pure data and pure functions of an observed World and the plan (DESIGN §3).
import type { Plan } from '../plan/schema.js';
import type { ObservedRecord, World } from '../aws/world.js';
import type { Action } from '../aws/actions.js';

export type Path = 'A' | 'B';

/** How a VPC reaches a name's answer (DESIGN §2 right-hand column). */
export type Via = 'zone-direct' | 'zone-via-profile' | 'endpoint-own-vpc' | 'endpoint-via-profile' | 'none';

export interface Expectation {
  vpcId: string;
  /** The Private DNS name (may be a wildcard; probes use a concrete name for it). */
  name: string;
  endpointId: string;
  via: Via;
  /**
   * 'must-resolve': a failure halts the run. 'may-gap': this pair is known to lose its answer
   * briefly during the step (the keeper while its zone is emptied and deleted) and must resolve
   * again when the step ends.
   */
  during: 'must-resolve' | 'may-gap';
}

/** Something that has not settled yet: the converge gate waits until there is none. */
export interface InFlight {
  what: string;
  status: string;
  /** What the operator can do if it stays so (said when the wait halts, not while it waits). */
  advice?: string;
}

/** What a rollback needs to make a deleted zone again: its verified backup, read and checked. */
export interface ZoneRestore {
  /** The JSON backup file. */
  file: string;
  zoneName: string;
  comment: string;
  ownerAccountId: string;
  /** The CreateHostedZone CallerReference a re-creation uses (found again by it after a crash). */
  callerReference: string;
  /** Every record set but the apex SOA and NS, as the zone held them. */
  records: ObservedRecord[];
}

export interface StepContext {
  plan: Plan;
  /** Endpoints taking part (those that can use Private DNS), with their zones. */
  endpoints: { id: string; zones: string[] }[];
  path: Path;
  /** Rollback only: per plan zone, its backup (a zone deleted by step 7 comes back from it). */
  backups?: Record<string, ZoneRestore>;
}

export interface Step {
  number: 1 | 2 | 3 | 4 | 5 | 6 | 7;
  id: string;
  title: string;
  /** Why this step comes where it does (printed by `plan`). */
  why: string;
  /** The facts that hold when the step is complete, for messages and `plan` output. */
  desired(ctx: StepContext): string[];
  /**
   * The idempotent operations that move the observed world toward `desired`: the next batch
   * (step 6 moves one wave of spokes per batch). Empty when the step is complete.
   */
  actions(world: World, ctx: StepContext): Action[];
  /** Whether the world already is as the step wants it (all settled). */
  converged(world: World, ctx: StepContext): boolean;
  /** Which VPCs must resolve which names, and through what, during and after the step. */
  expect(world: World, ctx: StepContext): Expectation[];
  /** The operations that reverse a completed step (for a rollback); empty when it has none. */
  undo(world: World, ctx: StepContext): Action[];
}
