/**
 * The CLI's two kinds of failure, which decide its exit code: 2 when the command
 * line itself is wrong (the user should read --help), 1 when a well-formed
 * command could not be carried out. Either prints as one line, never a stack.
 */
export class UsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export class OperationError extends Error {
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'OperationError';
  }
}

/** One line for any thrown value; the driver's or library's message when it is not ours. */
export function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}
