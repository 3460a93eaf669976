import type { Context } from 'hono';
import { traceChecksum } from './crc32.js';
import type { SimContext } from './context.js';
import { apiError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { authenticateJob } from './job-auth.js';
import { acknowledgeJob, finishJob } from './job-lifecycle.js';
import { intParam, readParams, stringParam } from './request-params.js';
import type { Params } from './request-params.js';
import type { Job } from './types.js';

/**
 * After this many final updates with a checksum that does not match the
 * stored trace, the state is accepted anyway (GitLab also gives up
 * waiting for trace chunks and records the mismatch).
 */
const CHECKSUM_RETRIES = 3;

/**
 * `PUT /api/v4/jobs/:id` (reference §4.2). Two-phase commit: while the
 * job awaits the runner's ack, `pending` is a keep-alive and `running`
 * starts the job. Then `running` is a keep-alive; `success`/`failed`
 * finish it after the trace checksum (`crc32:%08x`) and byte size match
 * the stored trace, else 202 + `X-GitLab-Trace-Update-Interval` asks the
 * runner to send the final update again. Answers carry `Job-Status`.
 */
export async function updateJob(
  ctx: SimContext,
  c: Context<SimEnv>,
): Promise<Response> {
  const params = await readParams(c);
  const job = authenticateJob(ctx, c, params['token'], true);
  if (job instanceof Response) return job;

  const state = stringParam(params['state']);
  if (job.awaitingAck) return acknowledge(ctx, c, job, state);
  if (state === 'running' || state === undefined) return done(c, job, 200);
  if (state !== 'success' && state !== 'failed') {
    return apiError(c, 400, 'Invalid job state');
  }
  if (!traceMatches(job, params)) {
    c.header(
      'X-GitLab-Trace-Update-Interval',
      String(ctx.traceUpdateIntervalSeconds),
    );
    return done(c, job, 202);
  }
  finishJob(ctx.state, job, state, {
    failureReason: stringParam(params['failure_reason']) ?? null,
    exitCode: intParam(params['exit_code']) ?? null,
  });
  return done(c, job, 200);
}

function acknowledge(
  ctx: SimContext,
  c: Context<SimEnv>,
  job: Job,
  state: string | undefined,
): Response {
  if (state === 'pending') return done(c, job, 200);
  if (state !== 'running') return apiError(c, 400, 'Invalid job state');
  acknowledgeJob(ctx.state, job);
  return done(c, job, 200);
}

function traceMatches(job: Job, params: Params): boolean {
  const output = params['output'];
  const reported =
    typeof output === 'object' && output !== null
      ? (output as Record<string, unknown>)
      : {};
  const checksum = stringParam(reported['checksum'] ?? params['checksum']);
  const bytesize = intParam(reported['bytesize']);
  const ok =
    (checksum === undefined || checksum === traceChecksum(job.trace)) &&
    (bytesize == null || bytesize === job.trace.length);
  if (checksum !== undefined || bytesize != null) job.traceChecksumValid = ok;
  if (ok || job.checksumMismatches >= CHECKSUM_RETRIES) return true;
  job.checksumMismatches++;
  return false;
}

function done(c: Context<SimEnv>, job: Job, status: 200 | 202): Response {
  c.header('Job-Status', job.status);
  return c.text(String(status), status);
}
