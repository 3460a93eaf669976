import type { SimContext } from './context.js';
import { queuedDuration } from './job-entity.js';
import { projectUrls } from './project-entity.js';
import { hookTime, isoSeconds, secondsBetween } from './time-format.js';
import type { HookTimeFormat } from './time-format.js';
import type { Job, JobStatus, Pipeline, Project } from './types.js';

/**
 * The Job Hook body of reference §2.2, keys in GitLab's order. It is built
 * when the status changes (GitLab serializes before enqueueing the
 * delivery), so `build_status` is the status of this event even if the
 * job moved on before the POST went out. `runner` stays null until a
 * runner took the job; job tags are deliberately absent, as in GitLab.
 */
export function jobHookPayload(
  ctx: SimContext,
  job: Job,
  status: JobStatus,
  format: HookTimeFormat = ctx.hookTimeFormat,
) {
  const { state } = ctx;
  const pipeline = state.pipelines.get(job.pipelineId)!;
  const project = state.projects.get(job.projectId)!;
  const t = (date: Date | null) => hookTime(date, format);
  return {
    object_kind: 'build',
    ref: pipeline.ref,
    tag: false,
    before_sha: pipeline.beforeSha,
    sha: pipeline.sha,
    retries_count: job.retriesCount,
    build_id: job.id,
    build_name: job.name,
    build_stage: job.stage,
    build_status: status,
    build_created_at: t(job.createdAt),
    build_created_at_iso: isoSeconds(job.createdAt),
    build_started_at: t(job.startedAt),
    build_started_at_iso: isoSeconds(job.startedAt),
    build_finished_at: t(job.finishedAt),
    build_finished_at_iso: isoSeconds(job.finishedAt),
    build_duration: secondsBetween(job.startedAt, job.finishedAt),
    build_queued_duration: queuedDuration(job),
    build_allow_failure: job.allowFailure !== false,
    // GitLab's enum default: real payloads say unknown_failure even for
    // jobs that did not fail (§2.2).
    build_failure_reason: job.failureReason ?? 'unknown_failure',
    pipeline_id: pipeline.id,
    runner: runnerAttrs(ctx, job),
    project_id: project.id,
    project_name: `${project.namespace.name} / ${project.name}`,
    user: userAttrs(ctx, pipeline),
    commit: commitAttrs(pipeline, format),
    repository: repositoryAttrs(ctx, project),
    project: projectAttrs(ctx, project),
    environment: null,
  };
}

function runnerAttrs(ctx: SimContext, job: Job) {
  if (job.runnerId === null) return null;
  const runner = ctx.state.runners.get(job.runnerId);
  if (!runner) return null;
  return {
    id: runner.id,
    description: runner.description,
    runner_type: runner.runnerType,
    active: !runner.paused,
    is_shared: runner.runnerType === 'instance_type',
    tags: [...runner.tags],
  };
}

function userAttrs(ctx: SimContext, pipeline: Pipeline) {
  const user = ctx.state.users.get(pipeline.userId);
  if (!user) return null;
  return {
    id: user.id,
    name: user.name,
    username: user.username,
    avatar_url: null,
    email: '[REDACTED]',
  };
}

function commitAttrs(pipeline: Pipeline, format: HookTimeFormat) {
  const duration = secondsBetween(pipeline.startedAt, pipeline.finishedAt);
  return {
    id: pipeline.id,
    name: null,
    sha: pipeline.sha,
    message: pipeline.commitMessage,
    author_name: pipeline.authorName,
    author_email: pipeline.authorEmail,
    author_url: `mailto:${pipeline.authorEmail}`,
    status: pipeline.status,
    duration: duration === null ? null : Math.round(duration),
    started_at: hookTime(pipeline.startedAt, format),
    started_at_iso: isoSeconds(pipeline.startedAt),
    finished_at: hookTime(pipeline.finishedAt, format),
    finished_at_iso: isoSeconds(pipeline.finishedAt),
  };
}

function repositoryAttrs(ctx: SimContext, project: Project) {
  const urls = projectUrls(ctx, project);
  return {
    name: project.name,
    url: urls.ssh_url_to_repo,
    description: '',
    homepage: urls.web_url,
    git_http_url: urls.http_url_to_repo,
    git_ssh_url: urls.ssh_url_to_repo,
    visibility_level: 0,
  };
}

function projectAttrs(ctx: SimContext, project: Project) {
  const urls = projectUrls(ctx, project);
  return {
    id: project.id,
    name: project.name,
    description: '',
    web_url: urls.web_url,
    avatar_url: null,
    git_ssh_url: urls.ssh_url_to_repo,
    git_http_url: urls.http_url_to_repo,
    namespace: project.namespace.name,
    visibility_level: 0,
    path_with_namespace: project.pathWithNamespace,
    default_branch: project.defaultBranch,
    ci_config_path: '',
  };
}
