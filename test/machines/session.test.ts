// The run session: a state file belongs to one estate and one run; a resumed run keeps its id
// (its mark on the estate is its own), a finished run's file starts a new run.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { action } from '../../src/aws/actions.js';
import { RunSession, type SessionOptions } from '../../src/machines/session.js';
import { readStateFile, StateEstateMismatchError } from '../../src/state/index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function options(statePath: string, over: Partial<SessionOptions> = {}): SessionOptions {
  return {
    statePath,
    command: 'apply plan.yaml',
    plan: { name: 'prod', file: 'plan.yaml', hash: 'h1' },
    estate: { region: 'us-east-1', profileId: 'rp-0a1b2c3d4e5f6789', sharedServicesVpcId: 'vpc-0a1b2c3d4e5f67890', zoneIds: ['ZA'], vpcIds: ['vpc-0a1b2c3d4e5f67890'] },
    toolVersion: '0.1.0',
    definitionVersion: 'run-machine/1',
    wallNow: () => Date.UTC(2026, 11, 2),
    ...over,
  };
}

async function withSession<T>(o: SessionOptions, body: (s: RunSession) => Promise<T>): Promise<T> {
  const s = await RunSession.open(o);
  try {
    return await body(s);
  } finally {
    await s.close();
  }
}

describe('run session', () => {
  const statePath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-session-'));
    dirs.push(dir);
    return join(dir, 'prod.state.json');
  };

  it('a plan for another estate (another Profile) under the same name is refused, and the file is left as it was', async () => {
    const path = statePath();
    await withSession(options(path), (s) => s.save({}));
    const other = options(path, { estate: { ...options(path).estate, profileId: 'rp-9a1b2c3d4e5f6789', zoneIds: ['ZB'] } });
    await expect(RunSession.open(other)).rejects.toThrow(StateEstateMismatchError);
    await expect(RunSession.open(other)).rejects.toThrow(/records a run on another estate \(Profile rp-0a1b2c3d4e5f6789 in us-east-1.*is for Profile rp-9a1b2c3d4e5f6789/);
    // and the lock was released: the right plan opens it again
    await withSession(options(path), async (s) => expect(s.previous?.estate?.profileId).toBe('rp-0a1b2c3d4e5f6789'));
  });

  it('a resumed run keeps its run id; a finished run\'s state file starts a new run (new id, no first observation)', async () => {
    const path = statePath();
    const first = await withSession(options(path), async (s) => {
      await s.save({ firstObservation: { at: new Date(0).toISOString(), path: 'A', position: 1, zones: {} } });
      return s.runId;
    });
    const resumed = await withSession(options(path), async (s) => {
      expect(s.state.firstObservation).toBeDefined();
      await s.save({ status: 'done' });
      return s.runId;
    });
    expect(resumed).toBe(first);
    await withSession(options(path), async (s) => {
      expect(s.runId).not.toBe(first);
      expect(s.state.firstObservation).toBeUndefined();
    });
  });

  it("calls sent at once share checkpoints: each intent is on disk when its journal() resolves, appended to the journal file (the state file is not rewritten), with fewer writes than intents", async () => {
    const path = statePath();
    await withSession(options(path), async (s) => {
      await s.save({});
      const stateBytes = readFileSync(path);
      const store = (s as unknown as { store: { write(state: unknown): Promise<void>; writeJournal(state: unknown): Promise<void> } }).store;
      const [write, writeJournal] = [store.write.bind(store), store.writeJournal.bind(store)];
      let writes = 0;
      let wholeWrites = 0;
      store.write = (state) => {
        writes++;
        wholeWrites++;
        return write(state);
      };
      store.writeJournal = (state) => {
        writes++;
        return writeJournal(state);
      };
      const actions = Array.from({ length: 20 }, (_, i) => action(6, { kind: 'disassociate-vpc', account: 'shared', zoneId: `Z${i}`, vpcId: 'vpc-0a1b2c3d4e5f67890', region: 'us-east-1' }));
      await Promise.all(
        actions.map(async (a) => {
          await s.journal({ step: 6, action: a, phase: 'intent' });
          const onDisk = (await readStateFile(path))!;
          expect(onDisk.journal.some((j) => j.actionId === a.id && j.phase === 'intent'), a.id).toBe(true);
        }),
      );
      expect(writes).toBeGreaterThan(0);
      expect(writes).toBeLessThan(actions.length);
      // An intent appends to the journal file: the state file is not rewritten for it.
      expect(wholeWrites).toBe(0);
      expect(readFileSync(path).equals(stateBytes), 'the state file is as the last save left it').toBe(true);
    });
  });
});
