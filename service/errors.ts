/**
 * Errors the domain raises for a caller's mistake. They carry a transport-neutral kind; the
 * servers map it once (gRPC status, HTTP 400) and never log a stack trace for it, because a bad
 * request is the client's problem, not ours. Anything else thrown is a bug: INTERNAL / 500.
 */
export type InputErrorKind = "invalid_argument" | "out_of_range";

export class InputError extends Error {
  constructor(
    readonly kind: InputErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** The argument is not acceptable at all (not a number, outside the documented domain). */
export function invalidArgument(message: string): InputError {
  return new InputError("invalid_argument", message);
}

/** The argument is well formed but the answer does not fit the wire type (e.g. int64). */
export function outOfRange(message: string): InputError {
  return new InputError("out_of_range", message);
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}
