// A rollback re-creates a deleted zone under a new id. From then on the plan's zone *is* the new
// one: every later run (the rollback going on, a fresh apply) reads the replacement from the state
// file and puts the new id where the plan lists the old one, so the plan file needs no edit.
import type { Plan } from './schema.js';

/** Follows replacements to the end (a zone re-created twice: old → newer → newest). */
export function currentZoneId(zoneId: string, replaced: Record<string, string>): string {
  let id = zoneId;
  for (let i = 0; i < 100 && replaced[id]; i++) id = replaced[id]!;
  return id;
}

/**
 * Puts the replacements into the plan, in place: the step context shares the plan's zone lists,
 * so a zone re-created in the middle of a run is the plan's zone for the rest of it too. Returns
 * the ids it changed (old → new).
 */
export function applyZoneReplacements(plan: Plan, replaced: Record<string, string>): [string, string][] {
  const changed: [string, string][] = [];
  for (const e of plan.endpoints) {
    e.zones.forEach((z, i) => {
      const now = currentZoneId(z, replaced);
      if (now !== z) {
        e.zones[i] = now;
        changed.push([z, now]);
      }
    });
  }
  return changed;
}
