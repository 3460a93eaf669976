import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * GitLab's error bodies. API helpers (`not_found!`, `bad_request!`,
 * `forbidden!`) answer `{"message": "<code> <Reason> - detail"}`; Grape
 * parameter validation answers `{"error": "<param> is missing"}`.
 */
export function apiError(
  c: Context,
  status: ContentfulStatusCode,
  detail?: string,
): Response {
  const reason = REASONS[status] ?? 'Error';
  const message = detail
    ? `${status} ${reason} - ${detail}`
    : `${status} ${reason}`;
  return c.json({ message }, status);
}

/** `404 Project Not Found` style: GitLab names the missing resource. */
export function notFound(c: Context, what: string): Response {
  return c.json({ message: `404 ${what} Not Found` }, 404);
}

export function validationError(c: Context, error: string): Response {
  return c.json({ error }, 400);
}

const REASONS: Record<number, string> = {
  400: 'Bad request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** `render_api_error!`: the message as given, without a status prefix. */
export function plainError(
  c: Context,
  status: ContentfulStatusCode,
  message: string,
): Response {
  return c.json({ message }, status);
}
