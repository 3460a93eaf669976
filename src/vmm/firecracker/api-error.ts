import { HttpError } from '../../lib/errors.js';

/**
 * A refusal from the Firecracker API: the HTTP status and Firecracker's
 * own `fault_message` (or micro-http's `error` for transport-level
 * refusals such as an oversized payload, reference/firecracker.md §1.4),
 * with the request that caused it. The message never includes the
 * request body, which may hold secrets (`/mmds`).
 */
export class FirecrackerApiError extends HttpError {
  override name = 'FirecrackerApiError';
  readonly faultMessage: string;
  readonly method: string;
  readonly path: string;

  constructor(opts: {
    status: number;
    faultMessage: string;
    method: string;
    path: string;
  }) {
    super(
      opts.status,
      `${opts.method} ${opts.path} answered ${opts.status}: ` +
        opts.faultMessage,
    );
    this.faultMessage = opts.faultMessage;
    this.method = opts.method;
    this.path = opts.path;
  }
}

/** The fault text of an error body, tolerating bodies that are not JSON. */
export function faultText(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const text = parsed.fault_message ?? parsed.error;
    if (typeof text === 'string') return text;
  } catch {
    // Not JSON: fall through and show the raw text.
  }
  return body.trim().slice(0, 500) || '(empty body)';
}
