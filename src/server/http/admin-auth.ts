import type { MiddlewareHandler } from 'hono';
import { secretsEqual } from '../../lib/secrets.js';

/**
 * Lets a request through only with `Authorization: Bearer <adminToken>`,
 * compared in constant time; anything else gets 401 and one message
 * that does not say which part was wrong.
 */
export function adminAuth(adminToken: string): MiddlewareHandler {
  return async (c, next) => {
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const [scheme, token] = (c.req.header('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer' || !secretsEqual(token, adminToken))
      return c.json({ error: 'missing or wrong bearer token' }, 401);
    await next();
  };
}
