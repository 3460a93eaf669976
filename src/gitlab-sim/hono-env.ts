import type { IncomingMessage } from 'node:http';
import type { User } from './types.js';

/**
 * The Hono environment of the simulator's app: the authenticated user
 * (set by `requireUser`) and, when served by @hono/node-server, the raw
 * Node request (used to reset connections). In `app.request()` tests the
 * bindings are absent.
 */
export interface SimEnv {
  Variables: { user: User };
  Bindings: { incoming?: IncomingMessage } | undefined;
}
