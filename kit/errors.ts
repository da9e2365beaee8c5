// The one error type every stage throws for bad input: its message is already fit for the user.

/** An error whose message is already fit for the user: printed alone, without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
