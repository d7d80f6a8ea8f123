import type { Reporter, TestModule } from 'vitest/node';
import { clearRows, readRows, renderTables } from './reliability.js';

// CI reads one plain closing line (DESIGN §7), not vitest's own summary. Just before it come the
// reliability tables (crash matrix, faults, bad inputs) that the suites recorded.
export default class ClosingLineReporter implements Reporter {
  onInit(): void {
    clearRows();
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = unhandledErrors.length;
    let skipped = 0;
    for (const mod of testModules) {
      if (mod.state() === 'failed' && [...mod.children.allTests()].length === 0) failed++;
      for (const test of mod.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
    }
    const tables = renderTables(readRows());
    clearRows();
    if (tables) process.stdout.write(`\n${tables}\n`);
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
