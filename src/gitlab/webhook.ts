import { z } from 'zod';
import { parseGitlabTime } from './time.js';

/**
 * What firelab needs from a GitLab Job Hook. The payload carries no job
 * tags (only the tags of the runner that took the job), so a job's tags
 * always come from the Jobs API. `runnerId` is null until a runner took the
 * job.
 */
export interface JobEvent {
  jobId: number;
  projectId: number;
  pipelineId: number;
  name: string;
  stage: string;
  status: string;
  runnerId: number | null;
  createdAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

const timestamp = z.string().nullable().optional();

const jobHookSchema = z.object({
  object_kind: z.literal('build'),
  build_id: z.number().int().positive(),
  build_name: z.string(),
  build_stage: z.string(),
  build_status: z.string(),
  build_created_at: timestamp,
  build_started_at: timestamp,
  build_finished_at: timestamp,
  pipeline_id: z.number().int(),
  project_id: z.number().int().positive(),
  runner: z.object({ id: z.number().int() }).nullable().optional(),
});

export class WebhookPayloadError extends Error {
  override name = 'WebhookPayloadError';
}

/**
 * Validates a Job Hook body (already JSON-parsed) and returns the event.
 * Throws `WebhookPayloadError` naming the first offending field, so the
 * sender gets a clear 400 and nothing is half-processed.
 */
export function parseJobHook(body: unknown): JobEvent {
  const parsed = jobHookSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || 'body';
    throw new WebhookPayloadError(
      `invalid Job Hook: ${where}: ${issue.message}`,
    );
  }
  const hook = parsed.data;
  try {
    return {
      jobId: hook.build_id,
      projectId: hook.project_id,
      pipelineId: hook.pipeline_id,
      name: hook.build_name,
      stage: hook.build_stage,
      status: hook.build_status,
      runnerId: hook.runner?.id ?? null,
      createdAt: parseGitlabTime(hook.build_created_at),
      startedAt: parseGitlabTime(hook.build_started_at),
      finishedAt: parseGitlabTime(hook.build_finished_at),
    };
  } catch (error) {
    throw new WebhookPayloadError(
      `invalid Job Hook: ${(error as Error).message}`,
    );
  }
}
