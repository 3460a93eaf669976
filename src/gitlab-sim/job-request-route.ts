import type { Context } from 'hono';
import type { SimContext } from './context.js';
import { apiError, validationError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { assignJob } from './job-lifecycle.js';
import { jobPayload } from './job-payload.js';
import { readParams } from './request-params.js';
import type { Params } from './request-params.js';
import { tokenMatches } from './secrets.js';
import { runnerMatchesJob } from './tag-matching.js';
import type { Job, Runner, RunnerInfo } from './types.js';

/**
 * `POST /api/v4/jobs/request` (reference §4.1): authenticates the runner
 * by the body `token` (403 when unknown), records the contact, and hands
 * out the oldest pending job (id ASC) the runner matches, as a 201 JSON
 * payload. No job, or a paused runner, gives 204 with
 * `X-GitLab-Last-Update`.
 */
export async function requestJob(
  ctx: SimContext,
  c: Context<SimEnv>,
): Promise<Response> {
  const params = await readParams(c);
  const token = params['token'];
  if (typeof token !== 'string') return validationError(c, 'token is missing');
  const runner = findRunner(ctx, token);
  if (!runner) return apiError(c, 403);

  runner.contactedAt = new Date();
  runner.info = runnerInfo(params);
  c.header('X-GitLab-Last-Update', String(ctx.state.queueVersion));
  if (runner.paused) return c.body(null, 204);

  const job = nextJob(ctx, runner);
  if (!job) return c.body(null, 204);
  assignJob(ctx.state, job, runner);
  ctx.logger.debug({ jobId: job.id, runnerId: runner.id }, 'job assigned');
  return c.json(jobPayload(ctx, job, runner), 201);
}

export function findRunner(ctx: SimContext, token: string): Runner | null {
  let found: Runner | null = null;
  for (const runner of ctx.state.runners.values()) {
    if (tokenMatches(token, runner.tokenDigest)) found = runner;
  }
  return found;
}

function runnerInfo(params: Params): RunnerInfo {
  const info = params['info'];
  if (typeof info !== 'object' || info === null) return {};
  return info as RunnerInfo;
}

function nextJob(ctx: SimContext, runner: Runner): Job | null {
  const { state } = ctx;
  const queue = [...state.jobs.values()]
    .filter((job) => job.status === 'pending' && job.runnerId === null)
    .sort((a, b) => a.id - b.id);
  for (const job of queue) {
    const project = state.projects.get(job.projectId);
    const pipeline = state.pipelines.get(job.pipelineId);
    if (!project || !pipeline) continue;
    const match = runnerMatchesJob(runner, {
      tags: job.tags,
      projectId: project.id,
      namespaceId: project.namespace.id,
      protectedRef: pipeline.ref === project.defaultBranch,
    });
    if (match) return job;
  }
  return null;
}
