/**
 * Errors a user can fix. The CLI prints `pyconfine: <message> — <hint>` on one
 * line and exits with `exitCode`; no stack trace. Anything else is a bug.
 */
export class UserError extends Error {
  readonly hint: string;
  readonly exitCode: number;

  constructor(message: string, hint: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UserError';
    this.hint = hint;
    this.exitCode = options.exitCode ?? 2;
  }
}

/** Thrown when the user cancels a prompt (Ctrl-C). */
export class CancelledError extends UserError {
  constructor() {
    super('cancelled', 'nothing was written', { exitCode: 130 });
    this.name = 'CancelledError';
  }
}
