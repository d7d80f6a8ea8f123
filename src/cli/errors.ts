// User mistakes are their own error class: a stable code, exit 2, printed without a stack.
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(
    message: string,
    readonly code = 'BAD_INPUT',
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = { done: 0, failed: 1, badInput: 2, halted: 3, locked: 4, stopped: 5 } as const;

/** The exit codes as every command's help lists them. */
export const EXIT_CODES_HELP = `Exit codes: 0 done, 1 failed or stopped at once by a second Ctrl-C (state saved; resume),
2 bad input (nothing changed), 3 halted by a gate (nothing after it ran; resume), 4 another run
holds the lock or the estate, 5 stopped at a safe point on request (--through-step, an approval
pending, the window's end, the first Ctrl-C; resume).`;
