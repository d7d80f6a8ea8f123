// Test-only preload (NODE_OPTIONS="--import <this file>"): the wall clock jumps while the CLI
// runs, as after an NTP step, a clock set by hand or a VM resumed. Date.now() and `new Date()`
// (and `Date()`) move by R53M_CLOCK_JUMP_MS (negative: backward) once R53M_CLOCK_JUMP_AFTER_MS of
// real (monotonic) time have passed since the process started. performance.now() and timers are
// left alone, as the kernel leaves CLOCK_MONOTONIC alone.
import { performance } from 'node:perf_hooks';

const jumpMs = Number(process.env.R53M_CLOCK_JUMP_MS ?? '0');
const afterMs = Number(process.env.R53M_CLOCK_JUMP_AFTER_MS ?? '0');

if (jumpMs !== 0 && Number.isFinite(jumpMs)) {
  const RealDate = globalThis.Date;
  const offset = () => (performance.now() >= afterMs ? jumpMs : 0);
  class JumpingDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset());
      else super(...args);
    }
    static now() {
      return RealDate.now() + offset();
    }
    // Dates made before the patch, or by code holding the real Date, are still Dates.
    static [Symbol.hasInstance](value) {
      return value instanceof RealDate;
    }
  }
  // `Date()` called without new returns the current time as a string.
  globalThis.Date = new Proxy(JumpingDate, {
    apply: () => new JumpingDate().toString(),
  });
}
