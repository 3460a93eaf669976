import type { Context, MiddlewareHandler } from 'hono';
import type { SimContext } from './context.js';
import type { RequestFault } from './fault-injector.js';
import type { SimEnv } from './hono-env.js';

/**
 * Applies request faults before any route: a status answer (500 by
 * default; 429 carries `Retry-After`), a hang (no answer until the
 * client gives up or the simulator closes) or a reset connection (the
 * socket is destroyed; in `app.request()` tests the request throws).
 * A fault marked `after` lets the route run first and replaces its
 * answer, so the change is made but the client never hears of it.
 */
export function faultMiddleware(
  ctx: SimContext,
  closing: AbortSignal,
): MiddlewareHandler<SimEnv> {
  return async (c, next) => {
    const path = new URL(c.req.url).pathname;
    const fault = ctx.faults.takeRequestFault(c.req.method, path);
    if (!fault) return next();
    ctx.logger.debug(
      { path, fault: fault.action, after: fault.after },
      'injecting fault',
    );
    if (fault.after) {
      await next();
      // The route's answer is discarded: only the fault's goes out.
      c.res = undefined;
    }

    if (fault.action === 'reset') {
      c.env?.incoming?.socket.destroy();
      throw new Error('connection reset by fault injection');
    }
    if (fault.action === 'hang') {
      await hang(c.req.raw.signal, closing);
      return (c.res = c.body(null, 503));
    }
    return (c.res = statusAnswer(c, fault));
  };
}

function statusAnswer(c: Context<SimEnv>, fault: RequestFault): Response {
  const status = fault.status as 500;
  const headers =
    fault.retryAfterSeconds === null
      ? undefined
      : { 'Retry-After': String(fault.retryAfterSeconds) };
  return c.json({ message: `${status} injected fault` }, status, headers);
}

function hang(...signals: AbortSignal[]): Promise<void> {
  return new Promise((resolve) => {
    for (const signal of signals) {
      if (signal.aborted) return resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    }
  });
}
