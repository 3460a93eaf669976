import { Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HttpError } from '../lib/errors.js';
import type { SimContext } from './context.js';
import { faultMiddleware } from './fault-middleware.js';
import { apiError } from './gitlab-errors.js';
import { serveGit } from './git-http.js';
import type { SimEnv } from './hono-env.js';
import { requestJob } from './job-request-route.js';
import { appendTrace } from './job-trace-route.js';
import { updateJob } from './job-update-route.js';
import { projectJobRoutes } from './project-job-routes.js';
import { userEntity } from './project-entity.js';
import { projectRoutes } from './project-routes.js';
import { commitRoutes } from './commit-routes.js';
import { requireUser } from './require-user.js';
import { runnerRoutes } from './runner-routes.js';

/**
 * Builds the simulator's HTTP application: the runner job API, the REST
 * subset under `/api/v4`, and git smart HTTP for everything else. Request
 * faults apply to all of it. `closing` aborts hanging requests when the
 * simulator shuts down. Tests may call `app.request()` in process.
 */
export function buildApp(
  ctx: SimContext,
  closing: AbortSignal = new AbortController().signal,
): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.onError((error, c) => {
    if (error instanceof HttpError) {
      return apiError(c, error.status as ContentfulStatusCode, error.message);
    }
    ctx.logger.error({ err: error, path: c.req.path }, 'simulator error');
    return apiError(c, 500);
  });
  app.use('*', faultMiddleware(ctx, closing));

  app.post('/api/v4/jobs/request', (c) => requestJob(ctx, c));
  app.put('/api/v4/jobs/:id', (c) => updateJob(ctx, c));
  app.patch('/api/v4/jobs/:id/trace', (c) => appendTrace(ctx, c));
  app.get('/api/v4/version', requireUser(ctx), (c) =>
    c.json({ version: ctx.gitlabVersion, revision: 'firelab-sim' }),
  );
  app.get('/api/v4/user', requireUser(ctx), (c) =>
    c.json({
      ...userEntity(ctx, c.get('user')),
      is_admin: c.get('user').admin,
    }),
  );
  app.route('/api/v4', runnerRoutes(ctx));
  app.route('/api/v4', projectRoutes(ctx));
  app.route('/api/v4', commitRoutes(ctx));
  app.route('/api/v4', projectJobRoutes(ctx));

  app.all('/*', async (c) => (await serveGit(ctx, c)) ?? apiError(c, 404));
  return app;
}
