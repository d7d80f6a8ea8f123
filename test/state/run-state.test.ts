// Building the run state (pure helpers) and the in-memory store engine tests use.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanChangedError, StateInvalidError } from '../../src/state/errors.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { appendJournal, newRunState, probeLogPathFor, statePathFor } from '../../src/state/run-state.js';
import { RunState, SCHEMA_VERSION } from '../../src/state/schema.js';
import { StateStoreClosedError } from '../../src/state/store.js';
import { sampleState, T0 } from './support.js';

describe('run state helpers', () => {
  it('statePathFor: <dir>/<plan-name>.state.json under .r53migrate by default, refusing names that leave the folder', () => {
    expect(statePathFor('prod-cutover')).toBe(join('.r53migrate', 'prod-cutover.state.json'));
    expect(statePathFor('prod-cutover', '/var/r53')).toBe('/var/r53/prod-cutover.state.json');
    for (const bad of ['../etc', 'a/b', '', '.hidden', 'a..b']) expect(() => statePathFor(bad)).toThrow(/cannot name a state file/);
  });

  it('newRunState: a valid, empty, running state with the probe log beside the state file', () => {
    const s = newRunState({
      toolVersion: '0.1.0',
      plan: { name: 'p', file: 'plans/p.yaml', hash: 'sha256:1' },
      definitionVersion: 'steps-v1',
      statePath: '.r53migrate/p.state.json',
      now: T0,
    });
    expect(RunState.parse(s)).toEqual(s);
    expect(s).toMatchObject({ schemaVersion: SCHEMA_VERSION, status: 'running', journal: [], backups: [], stats: {} });
    expect(s.createdAt).toBe('2025-06-01T22:00:00.000Z');
    expect(s.probeLog).toBe(join('.r53migrate', 'p.probes.ndjson'));
    expect(probeLogPathFor('/x/y.state.json')).toBe('/x/y.probes.ndjson');
  });

  it('appendJournal is pure and numbers entries 1, 2, 3...', () => {
    const s0 = sampleState('p.state.json', { journal: [] });
    const entry = {
      at: '2025-06-01T22:00:01.000Z',
      step: 3,
      actionId: 'enable-private-dns-vpce-0a',
      kind: 'mutate',
      account: '111122223333',
      operation: 'ModifyVpcEndpoint',
      target: 'vpce-0a1b2c3d4e5f67890',
      params: { PrivateDnsEnabled: true },
      phase: 'intent' as const,
    };
    const s1 = appendJournal(s0, entry);
    const s2 = appendJournal(s1, { ...entry, phase: 'applied', requestId: 'req-1' });
    expect(s0.journal).toEqual([]);
    expect(s1.journal.map((j) => j.seq)).toEqual([1]);
    expect(s2.journal.map((j) => [j.seq, j.phase])).toEqual([
      [1, 'intent'],
      [2, 'applied'],
    ]);
    expect(RunState.parse(s2)).toEqual(s2);
  });
});

describe('MemoryStateStore', () => {
  it('reads back what was written, through JSON, with updatedAt stamped by its clock; keeps every checkpoint', async () => {
    const store = new MemoryStateStore({ clock: { now: () => T0 + 42 } });
    expect(await store.read()).toBeUndefined();
    const state = { ...sampleState('m'), snapshot: { value: 'step1', context: { at: undefined, n: 1 } } };
    await store.write(state);
    const back = await store.read();
    expect(back?.updatedAt).toBe(new Date(T0 + 42).toISOString());
    expect(back?.snapshot).toEqual({ value: 'step1', context: { n: 1 } }); // undefined dropped, as in a file
    expect(store.writes).toHaveLength(1);
  });

  it('applies the same checks as the file store: schema on write, plan/definition on read', async () => {
    const store = new MemoryStateStore({ initial: sampleState('m'), expect: { planHash: 'sha256:other', definitionVersion: 'steps-v1' } });
    await expect(store.read()).rejects.toBeInstanceOf(PlanChangedError);
    await expect(store.write({ ...sampleState('m'), status: 'nope' } as unknown as RunState)).rejects.toBeInstanceOf(StateInvalidError);
  });

  it('failNextWrite simulates a full disk once, leaving the stored state as it was', async () => {
    const store = new MemoryStateStore({ initial: sampleState('m', { stats: { n: 1 } }) });
    store.failNextWrite('ENOSPC');
    await expect(store.write(sampleState('m', { stats: { n: 2 } }))).rejects.toMatchObject({ name: 'StateWriteError', errno: 'ENOSPC' });
    expect((await store.read())?.stats).toEqual({ n: 1 });
    await store.write(sampleState('m', { stats: { n: 3 } }));
    expect((await store.read())?.stats).toEqual({ n: 3 });
    await store.close();
    await store.close();
    await expect(store.read()).rejects.toBeInstanceOf(StateStoreClosedError);
  });
});
