import type { Context } from 'hono';
import type { SimContext } from './context.js';
import { plainError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { authenticateJob } from './job-auth.js';

const CONTENT_RANGE = /^(\d+)-(\d+)$/;

/**
 * `PATCH /api/v4/jobs/:id/trace` (reference §4.3): `Content-Range:
 * start-end` (end inclusive, no `bytes ` prefix) is required (400);
 * only the start offset and body size count. A start past the stored
 * size is a gap: 416 with `Range: 0-<size>`. Otherwise the body replaces
 * the trace from `start` on, and the answer is 202 with `Range`,
 * `Job-Status` and `X-GitLab-Trace-Update-Interval`.
 */
export async function appendTrace(
  ctx: SimContext,
  c: Context<SimEnv>,
): Promise<Response> {
  const job = authenticateJob(ctx, c, c.req.query('token'), false);
  if (job instanceof Response) return job;

  const header = c.req.header('content-range');
  if (!header) return plainError(c, 400, '400 Missing header Content-Range');
  const match = CONTENT_RANGE.exec(header.trim());
  if (!match) return plainError(c, 400, '400 Invalid Content-Range');

  const start = Number(match[1]);
  if (start > job.trace.length) {
    c.header('Range', `0-${job.trace.length}`);
    return c.body(null, 416);
  }
  const body = Buffer.from(await c.req.arrayBuffer());
  job.trace = Buffer.concat([job.trace.subarray(0, start), body]);

  c.header('Job-Status', job.status);
  c.header('Range', `0-${job.trace.length}`);
  c.header(
    'X-GitLab-Trace-Update-Interval',
    String(ctx.traceUpdateIntervalSeconds),
  );
  return c.body(null, 202);
}
