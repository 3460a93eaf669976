import type { SimContext } from './context.js';
import { isoMs, secondsBetween } from './time-format.js';
import type { Pipeline, Project, ProjectHook, User } from './types.js';

/**
 * REST shapes for users, projects, hooks and pipelines (GitLab's
 * `UserBasic`, `Project`, `ProjectHook`, `PipelineBasic`/`Pipeline`
 * entities, trimmed to the fields a client of this subset reads).
 */
export function userEntity(ctx: SimContext, user: User) {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${ctx.baseUrl()}/${user.username}`,
  };
}

export function projectUrls(ctx: SimContext, project: Project) {
  const web = `${ctx.baseUrl()}/${project.pathWithNamespace}`;
  const host = new URL(ctx.baseUrl()).hostname;
  return {
    web_url: web,
    http_url_to_repo: `${web}.git`,
    ssh_url_to_repo: `git@${host}:${project.pathWithNamespace}.git`,
  };
}

export function projectEntity(ctx: SimContext, project: Project) {
  const { namespace } = project;
  return {
    id: project.id,
    description: '',
    name: project.name,
    name_with_namespace: `${namespace.name} / ${project.name}`,
    path: project.path,
    path_with_namespace: project.pathWithNamespace,
    created_at: isoMs(project.createdAt),
    default_branch: project.defaultBranch,
    tag_list: [],
    topics: [],
    ...projectUrls(ctx, project),
    readme_url: null,
    avatar_url: null,
    visibility: 'private',
    namespace: {
      id: namespace.id,
      name: namespace.name,
      path: namespace.path,
      kind: 'group',
      full_path: namespace.path,
      parent_id: null,
      avatar_url: null,
      web_url: `${ctx.baseUrl()}/groups/${namespace.path}`,
    },
    jobs_enabled: true,
    shared_runners_enabled: true,
    archived: false,
    ci_config_path: '',
  };
}

export function hookEntity(hook: ProjectHook) {
  return {
    id: hook.id,
    url: hook.url,
    project_id: hook.projectId,
    created_at: isoMs(hook.createdAt),
    push_events: hook.pushEvents,
    job_events: hook.jobEvents,
    pipeline_events: hook.pipelineEvents,
    enable_ssl_verification: hook.enableSslVerification,
    alert_status: 'executable',
    disabled_until: null,
  };
}

export function pipelineBasic(ctx: SimContext, pipeline: Pipeline) {
  const project = ctx.state.projects.get(pipeline.projectId)!;
  return {
    id: pipeline.id,
    iid: pipeline.iid,
    project_id: pipeline.projectId,
    sha: pipeline.sha,
    ref: pipeline.ref,
    status: pipeline.status,
    source: pipeline.source,
    created_at: isoMs(pipeline.createdAt),
    updated_at: isoMs(pipeline.updatedAt),
    web_url: `${projectUrls(ctx, project).web_url}/-/pipelines/${pipeline.id}`,
  };
}

export function pipelineEntity(ctx: SimContext, pipeline: Pipeline) {
  const user = ctx.state.users.get(pipeline.userId);
  return {
    ...pipelineBasic(ctx, pipeline),
    before_sha: pipeline.beforeSha,
    tag: false,
    yaml_errors: pipeline.yamlErrors,
    user: user ? userEntity(ctx, user) : null,
    started_at: isoMs(pipeline.startedAt),
    finished_at: isoMs(pipeline.finishedAt),
    committed_at: null,
    duration: durationSeconds(pipeline.startedAt, pipeline.finishedAt),
    queued_duration: null,
    coverage: null,
    detailed_status: { text: pipeline.status, label: pipeline.status },
  };
}

function durationSeconds(from: Date | null, to: Date | null): number | null {
  const seconds = secondsBetween(from, to);
  return seconds === null ? null : Math.round(seconds);
}
