import { Hono } from 'hono';
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
  store: Store;
  log: Logger;
  onEvent: (event: JobEvent) => Promise<void>;
}): Hono {
  const app = new Hono();
  app.post('/webhooks/gitlab', async (c) => {
    if (deps.secret !== undefined) {
      if (!secretsEqual(c.req.header('x-gitlab-token'), deps.secret)) {
        deps.log.warn('webhook with a wrong or missing X-Gitlab-Token');
        return c.json({ error: 'invalid X-Gitlab-Token' }, 401);
      }
    }
    const kind = c.req.header('x-gitlab-event');
    if (kind !== 'Job Hook') {
      return c.json(
        { ignored: `event "${kind ?? 'none'}" is not a Job Hook` },
        202,
      );
    }
    const length = Number(c.req.header('content-length') ?? 0);
    if (length > MAX_BODY_BYTES)
      return c.json({ error: 'body too large' }, 413);

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
