import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { parseJobHook, WebhookPayloadError } from '../../gitlab/webhook.js';
import type { JobEvent } from '../../gitlab/webhook.js';
import type { Logger } from '../../lib/logger.js';
import { secretsEqual } from '../../lib/secrets.js';
import type { Store } from '../../store/index.js';

/** The maximum body we accept; Job Hooks are a few kilobytes. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * POST /webhooks/gitlab. Answers within milliseconds (GitLab gives up
 * after 10 s and never retries): it authenticates, validates, drops
 * redeliveries by Idempotency-Key and hands the event on without waiting
 * for it to be processed. Anything malformed gets a 4xx naming the
 * problem and changes nothing.
 */
export function webhookRoute(deps: {
  secret: string | undefined;
  /** Projects firelab serves; hooks of others are acknowledged, ignored. */
  projects: readonly number[];
  store: Store;
  log: Logger;
  onEvent: (event: JobEvent) => Promise<void>;
}): Hono {
  const app = new Hono();
  const served = new Set(deps.projects);
  // Counted as the body streams in, so a chunked upload without a
  // Content-Length is cut off too.
  const limit = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) => c.json({ error: 'body too large' }, 413),
  });
  app.post('/webhooks/gitlab', async (c, next) => {
    if (deps.secret === undefined) return next();
    if (!secretsEqual(c.req.header('x-gitlab-token'), deps.secret)) {
      deps.log.warn('webhook with a wrong or missing X-Gitlab-Token');
      return c.json({ error: 'invalid X-Gitlab-Token' }, 401);
    }
    return next();
  });
  app.post('/webhooks/gitlab', limit, async (c) => {
    const kind = c.req.header('x-gitlab-event');
    if (kind !== 'Job Hook') {
      return c.json(
        { ignored: `event "${kind ?? 'none'}" is not a Job Hook` },
        202,
      );
    }

    let event: JobEvent;
    try {
      event = parseJobHook(JSON.parse(await c.req.text()));
    } catch (error) {
      const message =
        error instanceof WebhookPayloadError
          ? error.message
          : 'body is not valid JSON';
      return c.json({ error: message }, 400);
    }

    if (served.size > 0 && !served.has(event.projectId)) {
      return c.json(
        { ignored: `project ${event.projectId} is not served` },
        202,
      );
    }
    const key = c.req.header('idempotency-key');
    if (
      key &&
      !(await deps.store.deliveries.rememberDelivery(key, Date.now()))
    ) {
      return c.json({ duplicate: true }, 200);
    }
    void deps.onEvent(event).catch((error: unknown) => {
      deps.log.warn(
        { jobId: event.jobId, err: String(error) },
        'webhook event failed',
      );
    });
    return c.json({ accepted: true }, 202);
  });
  return app;
}
