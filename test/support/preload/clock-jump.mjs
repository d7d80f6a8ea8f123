// Test-only preload (NODE_OPTIONS="--import <this file>"): the wall clock jumps while the CLI
// runs, as after an NTP step, a clock set by hand or a VM resumed. Date.now() and `new Date()`
// (and `Date()`) move by R53M_CLOCK_JUMP_MS (negative: backward) once the CLI has printed
// R53M_CLOCK_JUMP_AT (say "step 4:"), so the jump falls mid-run however fast or slow the machine is.
// performance.now() and timers are left alone, as the kernel leaves CLOCK_MONOTONIC alone.
const jumpMs = Number(process.env.R53M_CLOCK_JUMP_MS ?? '0');
const at = process.env.R53M_CLOCK_JUMP_AT ?? '';

if (jumpMs !== 0 && Number.isFinite(jumpMs) && at) {
  const RealDate = globalThis.Date;
  let jumped = false;
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk, ...rest) => {
    if (!jumped && String(chunk).includes(at)) jumped = true;
    return write(chunk, ...rest);
  };
  const offset = () => (jumped ? jumpMs : 0);
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
