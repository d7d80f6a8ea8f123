// `r53migrate ... | head`: the reader goes away while the CLI still writes. That must not crash
// it with an EPIPE stack trace (nor, during a run, stop the run: the output is dropped).
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { assertBuilt, BIN } from '../support/cli.js';

it('a closed stdout pipe (| head -1) ends neither in a crash nor in a stack trace', () => {
  assertBuilt();
  for (const args of ['sandbox run --help', '--help', 'schema']) {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${BIN}" ${args} | head -1`], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stderr, args).not.toMatch(/EPIPE|Unhandled 'error' event|\n\s+at /);
    expect(r.status, `${args}: ${r.stderr}`).toBe(0);
    expect(r.stdout.split('\n')[0]!.length, args).toBeGreaterThan(0);
  }
});
