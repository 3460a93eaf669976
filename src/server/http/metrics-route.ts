import { Hono } from 'hono';
import type { Registry } from 'prom-client';
import { adminAuth } from './admin-auth.js';

/**
 * `GET /metrics` in Prometheus's text format, behind a bearer token: the
 * read-only metrics token when one is set, else the admin token.
 */
export function metricsRoute(deps: {
  registry: Registry;
  token: string;
}): Hono {
  const app = new Hono();
  app.get('/metrics', adminAuth(deps.token), async (c) => {
    const text = await deps.registry.metrics();
    return c.body(text, 200, { 'content-type': deps.registry.contentType });
  });
  return app;
}
