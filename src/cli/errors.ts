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

export const EXIT = { done: 0, failed: 1, badInput: 2, halted: 3, locked: 4 } as const;
