import type { SimContext } from './context.js';
import { pipelineBasic, projectUrls, userEntity } from './project-entity.js';
import { runnerEntity } from './runner-entity.js';
import { isoMs, secondsBetween } from './time-format.js';
import type { Job } from './types.js';

/**
 * GitLab's `Ci::Job` REST entity (reference §3): `failure_reason` only on
 * failed jobs, `tag_list` sorted, `runner` null until a runner took the
 * job, `queued_duration` counted until start (or now while queued).
 */
export function jobEntity(ctx: SimContext, job: Job) {
  const { state } = ctx;
  const pipeline = state.pipelines.get(job.pipelineId)!;
  const project = state.projects.get(job.projectId)!;
  const user = state.users.get(job.userId);
  const runner =
    job.runnerId === null ? undefined : state.runners.get(job.runnerId);
  return {
    id: job.id,
    status: job.status,
    stage: job.stage,
    name: job.name,
    ref: pipeline.ref,
    tag: false,
    coverage: null,
    allow_failure: job.allowFailure !== false,
    created_at: isoMs(job.createdAt),
    started_at: isoMs(job.startedAt),
    finished_at: isoMs(job.finishedAt),
    erased_at: null,
    duration: secondsBetween(job.startedAt, job.finishedAt ?? maybeNow(job)),
    queued_duration: queuedDuration(job),
    user: user ? userEntity(ctx, user) : null,
    commit: commitEntity(pipeline),
    pipeline: pipelineBasic(ctx, pipeline),
    ...(job.status === 'failed' ? { failure_reason: job.failureReason } : {}),
    web_url: `${projectUrls(ctx, project).web_url}/-/jobs/${job.id}`,
    project: { ci_job_token_scope_enabled: false },
    artifacts: [],
    runner: runner ? runnerEntity(ctx, runner) : null,
    runner_manager: null,
    artifacts_expire_at: null,
    archived: false,
    tag_list: [...job.tags].sort(),
  };
}

function maybeNow(job: Job): Date | null {
  return job.startedAt ? new Date() : null;
}

export function queuedDuration(job: Job): number | null {
  if (!job.queuedAt) return null;
  return secondsBetween(job.queuedAt, job.startedAt ?? new Date());
}

function commitEntity(pipeline: {
  sha: string;
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  createdAt: Date;
}) {
  return {
    id: pipeline.sha,
    short_id: pipeline.sha.slice(0, 8),
    title: pipeline.commitMessage.split('\n')[0],
    message: pipeline.commitMessage,
    author_name: pipeline.authorName,
    author_email: pipeline.authorEmail,
    created_at: isoMs(pipeline.createdAt),
  };
}

/** `JobBasicWithProject`, as `GET /runners/:id/jobs` returns. */
export function jobWithProject(ctx: SimContext, job: Job) {
  const project = ctx.state.projects.get(job.projectId)!;
  return {
    ...jobEntity(ctx, job),
    project: {
      id: project.id,
      name: project.name,
      name_with_namespace: `${project.namespace.name} / ${project.name}`,
      path: project.path,
      path_with_namespace: project.pathWithNamespace,
    },
  };
}
