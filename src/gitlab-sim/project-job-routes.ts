import { Hono } from 'hono';
import type { Context } from 'hono';
import { jobOfProject, visibleProject } from './access.js';
import type { SimContext } from './context.js';
import { apiError, notFound, plainError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { cancelJob, playJob, retryJob } from './job-actions.js';
import { jobEntity } from './job-entity.js';
import { paginate } from './pagination.js';
import { boolParam, withParams } from './request-params.js';
import type { Params } from './request-params.js';
import { requireUser } from './require-user.js';
import { JOB_STATUSES } from './types.js';
import type { Job, JobStatus, Project } from './types.js';

/**
 * The jobs API of reference §3: list a project's or a pipeline's jobs
 * (newest first, `scope[]` filter, pagination without totals), show one
 * (with sorted `tag_list`), read its trace, cancel, retry and play it.
 */
export function projectJobRoutes(ctx: SimContext): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.use('/projects/:id/*', requireUser(ctx));

  app.get('/projects/:id/jobs', (c) =>
    withProject(ctx, c, (project) =>
      withParams(c, (params) => listJobs(ctx, c, params, project, null)),
    ),
  );
  app.get('/projects/:id/pipelines/:pid/jobs', (c) =>
    withProject(ctx, c, (project) => {
      const pipeline = ctx.state.pipelines.get(Number(c.req.param('pid')));
      if (!pipeline || pipeline.projectId !== project.id) {
        return notFound(c, 'Pipeline');
      }
      return withParams(c, (params) =>
        listJobs(ctx, c, params, project, pipeline.id),
      );
    }),
  );
  app.get('/projects/:id/jobs/:job_id', (c) =>
    withJob(ctx, c, (job) => c.json(jobEntity(ctx, job))),
  );
  app.get('/projects/:id/jobs/:job_id/trace', (c) =>
    withJob(ctx, c, (job) =>
      c.body(new Uint8Array(job.trace), 200, { 'Content-Type': 'text/plain' }),
    ),
  );
  addActions(ctx, app);
  return app;
}

function addActions(ctx: SimContext, app: Hono<SimEnv>): void {
  app.post('/projects/:id/jobs/:job_id/cancel', (c) =>
    withJob(ctx, c, (job) => {
      const force = boolParam(c.req.query('force')) === true;
      const done = cancelJob(ctx.state, job, force);
      if (!done) return apiError(c, 403, 'Job is not cancelable');
      return c.json(jobEntity(ctx, done), 201);
    }),
  );
  app.post('/projects/:id/jobs/:job_id/retry', (c) =>
    withJob(ctx, c, (job) => {
      const copy = retryJob(ctx.state, job);
      if (!copy) return apiError(c, 403, 'Job is not retryable');
      return c.json(jobEntity(ctx, copy), 201);
    }),
  );
  app.post('/projects/:id/jobs/:job_id/play', (c) =>
    withJob(ctx, c, (job) => {
      const played = playJob(ctx.state, job);
      if (!played) return apiError(c, 400, 'Unplayable Job');
      return c.json(jobEntity(ctx, played), 200);
    }),
  );
}

function withProject(
  ctx: SimContext,
  c: Context<SimEnv>,
  handler: (project: Project) => Response | Promise<Response>,
): Response | Promise<Response> {
  const project = visibleProject(ctx, c.get('user'), c.req.param('id') ?? '');
  return project ? handler(project) : notFound(c, 'Project');
}

function withJob(
  ctx: SimContext,
  c: Context<SimEnv>,
  handler: (job: Job) => Response,
): Response | Promise<Response> {
  return withProject(ctx, c, (project) => {
    const job = jobOfProject(ctx, project, c.req.param('job_id') ?? '');
    return job ? handler(job) : apiError(c, 404);
  });
}

function listJobs(
  ctx: SimContext,
  c: Context<SimEnv>,
  params: Params,
  project: Project,
  pipelineId: number | null,
): Response {
  const raw = params['scope'];
  const scope = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  if (scope.some((s) => !JOB_STATUSES.includes(s as JobStatus))) {
    return plainError(c, 400, 'Scope contains invalid value(s)');
  }
  const includeRetried =
    pipelineId === null || boolParam(params['include_retried']) === true;
  const jobs = [...ctx.state.jobs.values()]
    .filter((job) => job.projectId === project.id)
    .filter((job) => pipelineId === null || job.pipelineId === pipelineId)
    .filter((job) => includeRetried || !job.retried)
    .filter((job) => scope.length === 0 || scope.includes(job.status))
    .sort((a, b) => b.id - a.id);
  const page = paginate(c, params, jobs, { withoutCount: true });
  return c.json(page.map((job) => jobEntity(ctx, job)));
}
