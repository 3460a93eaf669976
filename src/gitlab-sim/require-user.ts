import type { MiddlewareHandler } from 'hono';
import type { SimContext } from './context.js';
import { apiError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { tokenMatches } from './secrets.js';
import type { User } from './types.js';

/**
 * Personal access token authentication: the `PRIVATE-TOKEN` header,
 * `Authorization: Bearer`, or the `private_token` query parameter. Every
 * user's digests are checked in constant time (no early exit on a
 * partial match); a missing or unknown token gets GitLab's 401 body.
 */
export function requireUser(ctx: SimContext): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const token = presentedToken(
      c.req.header('private-token'),
      c.req.header('authorization'),
      c.req.query('private_token'),
    );
    const user = token === null ? null : findUser(ctx, token);
    if (!user) return apiError(c, 401);
    c.set('user', user);
    await next();
  };
}

function presentedToken(
  header: string | undefined,
  authorization: string | undefined,
  query: string | undefined,
): string | null {
  if (header) return header;
  if (authorization?.startsWith('Bearer ')) return authorization.slice(7);
  return query ?? null;
}

export function findUser(ctx: SimContext, token: string): User | null {
  let found: User | null = null;
  for (const user of ctx.state.users.values()) {
    for (const digest of user.tokenDigests) {
      if (tokenMatches(token, digest)) found = user;
    }
  }
  return found;
}
