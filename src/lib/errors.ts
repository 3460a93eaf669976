/**
 * Errors typed by audience. A `UserError` is the operator's mistake (bad
 * config, bad arguments): the CLI prints its message alone. A `DomainError`
 * carries a stable `code` that callers branch on. `HttpError` carries the
 * status an HTTP handler should answer with. Anything else is a bug and is
 * printed with its stack.
 */
export class UserError extends Error {
  override name = 'UserError';
}

export class DomainError extends Error {
  override name = 'DomainError';
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

export class HttpError extends Error {
  override name = 'HttpError';
  readonly status: number;

  constructor(status: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.status = status;
  }
}

/**
 * Wraps `cause` with what was being done ("booting VM 7: ..."), keeping the
 * original error as `cause` and its code when it has one.
 */
export function withContext(context: string, cause: unknown): Error {
  const message = `${context}: ${errorMessage(cause)}`;
  if (cause instanceof DomainError) {
    return new DomainError(cause.code, message, { cause });
  }
  return new Error(message, { cause });
}

/** The message of anything thrown, without assuming it is an Error. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
