// The run's log file is evidence, not a gate: a log that stops taking writes (a full disk) must
// not turn the AWS call being logged into a failure.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileLogger } from '../../src/cli/common.js';

describe('fileLogger', () => {
  it('writes NDJSON lines with secrets redacted', () => {
    const dir = mkdtempSync(join(tmpdir(), 'r53m-log-'));
    try {
      const log = fileLogger(join(dir, 'run.log'))!;
      log.info({ credentials: { secretAccessKey: 'SECRET' } }, 'hello');
      const line = JSON.parse(readFileSync(join(dir, 'run.log'), 'utf8').trim()) as { msg: string; credentials: unknown };
      expect(line.msg).toBe('hello');
      expect(JSON.stringify(line)).not.toContain('SECRET');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!existsSync('/dev/full'))('a log on a full disk (/dev/full: every write ENOSPC) warns once and never throws', () => {
    const warnings: string[] = [];
    const log = fileLogger('/dev/full', (l) => warnings.push(l))!;
    expect(() => {
      log.info('first');
      log.info('second');
    }).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/the log \/dev\/full can no longer be written \(ENOSPC\); logging stops, the run goes on/)]);
  });
});
