// A state folder that takes no writes (read-only mount, full disk, no permission) is refused when
// the lock is taken, before anything else, with what to do: not a "checkpoint" error about a lock.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openStateStore, StateDirNotWritableError } from '../../src/state/index.js';
import { errnoError, faultyFs, tempDir } from './support.js';

describe('openStateStore on an unwritable folder', () => {
  for (const [code, advice] of [
    ['EROFS', 'It is on a read-only file system: run the same command again with --state pointing into a writable folder'],
    ['ENOSPC', 'The disk is full: free some space and run the same command again'],
    ['EACCES', 'Give this user write access to it'],
  ] as const) {
    it(`${code} on the lock's first write: StateDirNotWritableError (exit 1) naming the folder, nothing changed`, async () => {
      const dir = tempDir();
      const fs = faultyFs({
        writeFileSynced: async (p) => {
          throw errnoError(code, 'open', p);
        },
      });
      const err = await openStateStore(join(dir, 'run.state.json'), { command: 'apply plan.yaml', fs }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(StateDirNotWritableError);
      const e = err as StateDirNotWritableError;
      expect([e.code, e.exitCode, e.errno, e.dir]).toEqual(['STATE_DIR_NOT_WRITABLE', 1, code, dir]);
      expect(e.message).toMatch(new RegExp(`^The state folder ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not writable \\(${code}: `));
      expect(e.message).toContain('Nothing was changed: no AWS change was made.');
      expect(e.message).toContain(advice);
    });
  }
});
