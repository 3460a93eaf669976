import { Hono } from 'hono';
import type { Context } from 'hono';
import { canSeeRunner, visibleRunner } from './access.js';
import type { SimContext } from './context.js';
import { apiError, notFound, validationError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { jobWithProject } from './job-entity.js';
import { paginate } from './pagination.js';
import { boolParam, listParam, withParams } from './request-params.js';
import type { Params } from './request-params.js';
import { requireUser } from './require-user.js';
import { runnerDetails, runnerEntity, runnerStatus } from './runner-entity.js';
import {
  runnerModelErrors,
  runnerSettings,
  toSentence,
} from './runner-params.js';
import { createRunner } from './create-runner.js';
import { tokenMatches } from './secrets.js';
import { JOB_STATUSES, RUNNER_TYPES } from './types.js';
import type { JobStatus, Runner } from './types.js';

/**
 * The runner management API (reference §1): create with
 * `POST /user/runners`, list, show, update, delete by id (user token) or
 * by runner token (no user token), and the jobs a runner took.
 */
export function runnerRoutes(ctx: SimContext): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const auth = requireUser(ctx);

  app.post('/user/runners', auth, (c) =>
    withParams(c, (p) => create(ctx, c, p)),
  );
  app.delete('/runners', (c) => withParams(c, (p) => deleteByToken(ctx, c, p)));
  app.get('/runners', auth, (c) => withParams(c, (p) => list(ctx, c, p)));
  app.get('/runners/:id', auth, (c) => {
    const runner = visibleRunner(ctx, c.get('user'), c.req.param('id'));
    if (!runner) return notFound(c, 'Runner');
    return c.json(runnerDetails(ctx, runner));
  });
  app.put('/runners/:id', auth, (c) => withParams(c, (p) => update(ctx, c, p)));
  app.delete('/runners/:id', auth, (c) => {
    const runner = visibleRunner(ctx, c.get('user'), c.req.param('id'));
    if (!runner) return notFound(c, 'Runner');
    ctx.state.runners.delete(runner.id);
    return c.body(null, 204);
  });
  app.get('/runners/:id/jobs', auth, (c) =>
    withParams(c, (p) => jobs(ctx, c, p)),
  );
  return app;
}

function create(ctx: SimContext, c: Context<SimEnv>, params: Params): Response {
  const type = params['runner_type'];
  if (type === undefined) return validationError(c, 'runner_type is missing');
  if (!RUNNER_TYPES.includes(type as Runner['runnerType'])) {
    return validationError(c, 'runner_type does not have a valid value');
  }
  const read = runnerSettings(params);
  if ('error' in read) return validationError(c, read.error);
  const errors = runnerModelErrors({ runUntagged: true, ...read.settings });
  if (errors.length > 0) return apiError(c, 400, toSentence(errors));

  const result = createRunner(
    ctx,
    c.get('user'),
    type as Runner['runnerType'],
    params,
    read.settings,
  );
  if ('status' in result) return apiError(c, result.status, result.message);
  return c.json(result, 201);
}

function deleteByToken(
  ctx: SimContext,
  c: Context<SimEnv>,
  params: Params,
): Response {
  const token = params['token'];
  if (typeof token !== 'string') return validationError(c, 'token is missing');
  const runner = [...ctx.state.runners.values()].find((r) =>
    tokenMatches(token, r.tokenDigest),
  );
  if (!runner) return apiError(c, 403);
  ctx.state.runners.delete(runner.id);
  return c.body(null, 204);
}

function list(ctx: SimContext, c: Context<SimEnv>, params: Params): Response {
  const user = c.get('user');
  const type = params['type'];
  if (
    type !== undefined &&
    !RUNNER_TYPES.includes(type as Runner['runnerType'])
  ) {
    return validationError(c, 'type does not have a valid value');
  }
  const paused = boolParam(params['paused']);
  if (paused === null) return validationError(c, 'paused is invalid');
  const tags = listParam(params['tag_list']) ?? [];
  const status = params['status'];

  const runners = [...ctx.state.runners.values()]
    .filter((r) => canSeeRunner(ctx, user, r))
    .filter((r) => type === undefined || r.runnerType === type)
    .filter((r) => paused === undefined || r.paused === paused)
    .filter((r) => tags.every((tag) => r.tags.includes(tag)))
    .filter((r) => status === undefined || runnerStatus(r) === status)
    .sort((a, b) => a.id - b.id);
  return c.json(paginate(c, params, runners).map((r) => runnerEntity(ctx, r)));
}

function update(ctx: SimContext, c: Context<SimEnv>, params: Params): Response {
  const runner = visibleRunner(ctx, c.get('user'), c.req.param('id') ?? '');
  if (!runner) return notFound(c, 'Runner');
  const read = runnerSettings(params);
  if ('error' in read) return validationError(c, read.error);
  const merged = { ...runner, ...read.settings };
  const errors = runnerModelErrors(merged);
  if (errors.length > 0) return apiError(c, 400, toSentence(errors));

  Object.assign(runner, read.settings);
  return c.json(runnerDetails(ctx, runner));
}

function jobs(ctx: SimContext, c: Context<SimEnv>, params: Params): Response {
  const runner = visibleRunner(ctx, c.get('user'), c.req.param('id') ?? '');
  if (!runner) return notFound(c, 'Runner');
  const status = params['status'];
  if (status !== undefined && !JOB_STATUSES.includes(status as JobStatus)) {
    return validationError(c, 'status does not have a valid value');
  }
  const ascending = params['sort'] === 'asc';
  const taken = [...ctx.state.jobs.values()]
    .filter((job) => job.runnerId === runner.id)
    .filter((job) => status === undefined || job.status === status)
    .sort((a, b) => (ascending ? a.id - b.id : b.id - a.id));
  return c.json(
    paginate(c, params, taken).map((job) => jobWithProject(ctx, job)),
  );
}
