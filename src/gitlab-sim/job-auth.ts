import type { Context } from 'hono';
import type { SimContext } from './context.js';
import { apiError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { secretsEqual } from './secrets.js';
import type { Job } from './types.js';

/**
 * Job-token authentication for the runner's job endpoints: the job must
 * exist (404), the token (body/query `token` or `JOB-TOKEN` header) must
 * be this job's (403), and the job must still be processing on a runner
 * (403 with `Job-Status`, which is how a runner learns of a cancel,
 * reference §4.5). Authenticating also heartbeats the job's runner.
 */
export function authenticateJob(
  ctx: SimContext,
  c: Context<SimEnv>,
  token: unknown,
  allowAwaitingAck: boolean,
): Job | Response {
  const id = Number(c.req.param('id'));
  const job = ctx.state.jobs.get(id);
  if (!job) return apiError(c, 404);

  const presented =
    typeof token === 'string' ? token : c.req.header('job-token');
  c.header('Job-Status', job.status);
  if (!presented || !job.token || !secretsEqual(presented, job.token)) {
    return apiError(c, 403);
  }
  const processing =
    job.status === 'running' ||
    job.status === 'canceling' ||
    (allowAwaitingAck && job.awaitingAck && job.status === 'pending');
  if (!processing) return apiError(c, 403, 'Job is not processing on runner');

  const runner =
    job.runnerId === null ? undefined : ctx.state.runners.get(job.runnerId);
  if (runner) runner.contactedAt = new Date();
  return job;
}
