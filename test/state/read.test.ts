// Reading a state file is strict and safe: anything we cannot trust is a typed error with a
// stable code and exit 2 (nothing changed), naming the file, what is wrong and what to do; and
// reading never touches the file.
import { readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DefinitionChangedError,
  PlanChangedError,
  StateFileCorruptError,
  StateFileNewerError,
  type StateError,
} from '../../src/state/errors.js';
import { openFileStateStore as openStateStore } from '../../src/state/file-store.js';
import { MAX_STATE_BYTES, readStateFile, type ResumeExpectation } from '../../src/state/read.js';
import { asVersion1, sampleState, tempDir } from './support.js';

const RESUME: ResumeExpectation = { planHash: 'sha256:aaaa', planName: 'prod-cutover', definitionVersion: 'steps-v1' };

/** Writes `content` as the state file, reads it through an opened store, returns the error and checks the file is untouched. */
async function refusal(content: string | Buffer | ((path: string) => void), expect_: ResumeExpectation = RESUME, withPrev = false) {
  const dir = tempDir();
  const path = join(dir, 'prod-cutover.state.json');
  if (typeof content === 'function') content(path);
  else writeFileSync(path, content);
  if (withPrev) writeFileSync(`${path}.prev`, asVersion1(sampleState(path)));
  const before = { bytes: readFileSync(path), mtimeMs: statSync(path).mtimeMs, size: statSync(path).size };
  const { store } = await openStateStore(path, { command: 'resume', expect: expect_ });
  const error = (await store.read().then(
    () => undefined,
    (e: unknown) => e,
  )) as StateError;
  await store.close();
  // Also without the lock (what `status` uses): the same refusal.
  const unlocked = await readStateFile(path, { expect: expect_ }).catch((e: unknown) => e);
  expect((unlocked as StateError).code).toBe(error.code);
  const after = statSync(path);
  expect({ mtimeMs: after.mtimeMs, size: after.size }).toEqual({ mtimeMs: before.mtimeMs, size: before.size });
  if (before.size < 1e6) expect(readFileSync(path).equals(before.bytes)).toBe(true);
  expect(error.exitCode).toBe(2);
  expect(error.message).toContain(path);
  return { error, path };
}

describe('a state file that cannot be trusted', () => {
  it('truncated (cut mid-write) → StateFileCorruptError not-json', async () => {
    const full = JSON.stringify(sampleState('x'), null, 2);
    const { error, path } = await refusal(full.slice(0, full.length >> 1));
    expect(error).toBeInstanceOf(StateFileCorruptError);
    expect([error.code, (error as StateFileCorruptError).kind]).toEqual(['STATE_FILE_CORRUPT', 'not-json']);
    expect(error.message).toMatch(new RegExp(`^State file ${path} cannot be used: it is not valid JSON \\(truncated or hand-edited\\?\\): .+\\. Nothing was changed\\. Move ${path} aside and start again with apply`));
  });

  it('empty → StateFileCorruptError empty', async () => {
    const { error } = await refusal('');
    expect((error as StateFileCorruptError).kind).toBe('empty');
    expect(error.message).toContain('it is empty');
  });

  it('binary → StateFileCorruptError not-utf8', async () => {
    const { error } = await refusal(Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b, 0xc3, 0x28]));
    expect((error as StateFileCorruptError).kind).toBe('not-utf8');
    expect(error.message).toContain('it is not UTF-8 text');
  });

  it('huge (> 50 MB) → StateFileCorruptError too-large, refused by size without reading it', async () => {
    const { error } = await refusal((path) => {
      writeFileSync(path, '');
      truncateSync(path, MAX_STATE_BYTES + 1); // sparse: costs no disk
    });
    expect((error as StateFileCorruptError).kind).toBe('too-large');
    expect(error.message).toContain(`it is ${MAX_STATE_BYTES + 1} bytes, more than a state file can be`);
  });

  it('hand-edited so it fails the schema (a version 1 file, its journal inside) → StateFileCorruptError naming each field path', async () => {
    const state = { ...sampleState('x'), schemaVersion: 1 } as Record<string, unknown>;
    const journal = (state.journal as Record<string, unknown>[]).map((j) => ({ ...j, phase: 'done' }));
    const { error, path } = await refusal(JSON.stringify({ ...state, status: 'paused', journal, extra: 1 }));
    const e = error as StateFileCorruptError;
    expect(e.kind).toBe('schema');
    expect(e.problems).toEqual([
      'status: Invalid option: expected one of "running"|"halted"|"done"|"failed"|"stopped"',
      'journal[0].phase: Invalid option: expected one of "intent"|"applied"|"already-done"|"failed"',
      '(top level): Unrecognized key: "extra"',
    ]);
    expect(e.message).toBe(
      `State file ${path} cannot be used:\n${e.problems.map((p) => `  ${p}\n`).join('')}` +
        `Nothing was changed. Move ${path} aside and start again with apply (it re-observes AWS and plans only what is left).`,
    );
  });

  it('a newer schemaVersion → StateFileNewerError, before any schema complaint', async () => {
    const { error } = await refusal(JSON.stringify({ schemaVersion: 5, toolVersion: '0.9.0', whatever: true }));
    expect(error).toBeInstanceOf(StateFileNewerError);
    expect(error.code).toBe('STATE_FILE_NEWER');
    expect(error.message).toContain('has schema version 5 (written by r53migrate 0.9.0), but this r53migrate reads only up to version 4');
    expect(error.message).toContain('Resume with the newer r53migrate that wrote it.');
  });

  it('another plan (hash differs) → PlanChangedError naming the override; accepted with acceptPlanChange', async () => {
    const state = asVersion1(sampleState('x'));
    const changed = { ...RESUME, planHash: 'sha256:bbbb' };
    const { error, path } = await refusal(state, changed);
    expect(error).toBeInstanceOf(PlanChangedError);
    expect(error.code).toBe('STATE_PLAN_CHANGED');
    expect(error.message).toBe(
      `State file ${path} belongs to plan "prod-cutover" (plans/prod-cutover.yaml) with hash sha256:aaaa, but the plan being resumed ("prod-cutover") has hash sha256:bbbb. ` +
        `Nothing was changed. Resume with --accept-plan-change if the change is intended (resume re-observes AWS and recomputes the remaining actions), or put the plan back as it was.`,
    );
    expect(await readStateFile(path, { expect: { ...changed, acceptPlanChange: true } })).toMatchObject({ plan: { hash: 'sha256:aaaa' } });
  });

  it('another machine definition → DefinitionChangedError, which no flag overrides', async () => {
    const { error, path } = await refusal(asVersion1(sampleState('x')), { ...RESUME, definitionVersion: 'steps-v2', acceptPlanChange: true });
    expect(error).toBeInstanceOf(DefinitionChangedError);
    expect(error.code).toBe('STATE_DEFINITION_CHANGED');
    expect(error.message).toContain('holds a snapshot of machine definition steps-v1, but this r53migrate runs definition steps-v2');
    expect(error.message).toContain(`Resume with r53migrate 0.1.0, which started this run, or move ${path} aside`);
  });

  it('a corrupt state file with a good .prev beside it → the error says how to restore it', async () => {
    const { error, path } = await refusal('{"schemaVersion":1,', RESUME, true);
    expect(error.message).toContain(`Restore the previous good copy with \`cp ${path}.prev ${path}\``);
  });
});

describe('reading a good state file', () => {
  it('no state file → undefined', async () => {
    expect(await readStateFile(join(tempDir(), 'none.state.json'))).toBeUndefined();
  });

  it('a UTF-8 byte-order mark (an editor on Windows) is tolerated', async () => {
    const path = join(tempDir(), 'p.state.json');
    writeFileSync(path, '\ufeff' + asVersion1(sampleState(path)));
    expect(await readStateFile(path, { expect: RESUME })).toEqual(sampleState(path));
  });
});
