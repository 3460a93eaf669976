import type { SimContext } from './context.js';
import { projectUrls } from './project-entity.js';
import type { Job, Pipeline, Project, Runner } from './types.js';

interface Variable {
  key: string;
  value: string;
  public: boolean;
  masked: boolean;
  file?: boolean;
  raw?: boolean;
}

const FAILURE_REASONS = [
  'unknown_failure',
  'script_failure',
  'api_failure',
  'stuck_or_timeout_failure',
  'runner_system_failure',
  'job_execution_timeout',
  'image_pull_failure',
  'runner_unsupported',
  'data_integrity_failure',
];

/**
 * The `POST /jobs/request` 201 body (reference §4.1, GitLab's
 * `JobRequest::Response`). The clone URL carries `gitlab-ci-token:<job
 * token>@` credentials as GitLab's does; `script` is before_script +
 * script (`on_success`), `after_script` runs `always` and may fail.
 * `CI_PROJECT_DIR` and `CI_BUILDS_DIR` are set by the runner itself.
 */
export function jobPayload(ctx: SimContext, job: Job, runner: Runner) {
  const { state } = ctx;
  const pipeline = state.pipelines.get(job.pipelineId)!;
  const project = state.projects.get(job.projectId)!;
  const timeout = Math.min(
    job.timeoutSeconds,
    runner.maximumTimeout ?? Infinity,
  );
  return {
    id: job.id,
    token: job.token,
    allow_git_fetch: true,
    job_info: {
      id: job.id,
      name: job.name,
      stage: job.stage,
      pipeline_id: pipeline.id,
      project_id: project.id,
      project_name: project.name,
      project_full_path: project.pathWithNamespace,
      namespace_id: project.namespace.id,
      root_namespace_id: project.namespace.id,
      user_id: job.userId,
      time_in_queue_seconds: queuedSeconds(job),
    },
    git_info: gitInfo(ctx, job, pipeline, project),
    runner_info: { timeout, runner_session_url: null },
    variables: variables(ctx, job, pipeline, project, runner),
    steps: steps(job, timeout),
    image: job.image ? { name: job.image, entrypoint: null, ports: [] } : null,
    services: [],
    artifacts: [],
    cache: [],
    credentials: [],
    dependencies: [],
    features: {
      trace_sections: true,
      token_mask_prefixes: ['glpat-', 'glcbt-', 'glrt-'],
      failure_reasons: FAILURE_REASONS,
    },
  };
}

function queuedSeconds(job: Job): number {
  if (!job.queuedAt) return 0;
  return Math.round((Date.now() - job.queuedAt.getTime()) / 1000);
}

function gitInfo(
  ctx: SimContext,
  job: Job,
  pipeline: Pipeline,
  project: Project,
) {
  const url = new URL(projectUrls(ctx, project).http_url_to_repo);
  url.username = 'gitlab-ci-token';
  url.password = job.token ?? '';
  return {
    repo_url: url.toString(),
    repo_object_format: 'sha1',
    ref: pipeline.ref,
    sha: pipeline.sha,
    before_sha: pipeline.beforeSha,
    ref_type: 'branch',
    // GitLab keeps a persistent ref per pipeline and fetches it first.
    refspecs: [
      `+refs/pipelines/${pipeline.id}:refs/pipelines/${pipeline.id}`,
      `+refs/heads/${pipeline.ref}:refs/remotes/origin/${pipeline.ref}`,
    ],
    depth: 20,
    protected: pipeline.ref === project.defaultBranch,
  };
}

function steps(job: Job, timeout: number) {
  const list = [
    {
      name: 'script',
      script: [...job.beforeScript, ...job.script],
      timeout,
      when: 'on_success',
      allow_failure: false,
    },
  ];
  if (job.afterScript.length > 0) {
    list.push({
      name: 'after_script',
      script: job.afterScript,
      timeout,
      when: 'always',
      allow_failure: true,
    });
  }
  return list;
}

function variables(
  ctx: SimContext,
  job: Job,
  pipeline: Pipeline,
  project: Project,
  runner: Runner,
): Variable[] {
  const base = ctx.baseUrl();
  const server = new URL(base);
  const urls = projectUrls(ctx, project);
  const pub = (key: string, value: string | number): Variable => ({
    key,
    value: String(value),
    public: true,
    masked: false,
  });
  const predefined: Variable[] = [
    pub('CI', 'true'),
    pub('GITLAB_CI', 'true'),
    pub('CI_SERVER', 'yes'),
    pub('CI_SERVER_URL', base),
    pub('CI_SERVER_HOST', server.hostname),
    pub('CI_SERVER_PORT', server.port || '80'),
    pub('CI_SERVER_PROTOCOL', server.protocol.replace(':', '')),
    pub('CI_SERVER_NAME', 'GitLab'),
    pub('CI_SERVER_VERSION', ctx.gitlabVersion),
    pub('CI_API_V4_URL', `${base}/api/v4`),
    pub('CI_JOB_ID', job.id),
    pub('CI_JOB_NAME', job.name),
    pub('CI_JOB_STAGE', job.stage),
    pub('CI_JOB_URL', `${urls.web_url}/-/jobs/${job.id}`),
    {
      key: 'CI_JOB_TOKEN',
      value: job.token ?? '',
      public: false,
      masked: true,
    },
    pub('CI_PIPELINE_ID', pipeline.id),
    pub('CI_PIPELINE_IID', pipeline.iid),
    pub('CI_PIPELINE_SOURCE', pipeline.source),
    pub('CI_PIPELINE_URL', `${urls.web_url}/-/pipelines/${pipeline.id}`),
    pub('CI_PROJECT_ID', project.id),
    pub('CI_PROJECT_NAME', project.path),
    pub('CI_PROJECT_TITLE', project.name),
    pub('CI_PROJECT_PATH', project.pathWithNamespace),
    pub('CI_PROJECT_NAMESPACE', project.namespace.path),
    pub('CI_PROJECT_URL', urls.web_url),
    pub('CI_DEFAULT_BRANCH', project.defaultBranch),
    pub('CI_COMMIT_SHA', pipeline.sha),
    pub('CI_COMMIT_SHORT_SHA', pipeline.sha.slice(0, 8)),
    pub('CI_COMMIT_BEFORE_SHA', pipeline.beforeSha),
    pub('CI_COMMIT_REF_NAME', pipeline.ref),
    pub(
      'CI_COMMIT_REF_SLUG',
      pipeline.ref.toLowerCase().replace(/[^a-z0-9]/g, '-'),
    ),
    pub('CI_COMMIT_BRANCH', pipeline.ref),
    pub('CI_COMMIT_MESSAGE', pipeline.commitMessage),
    pub('CI_COMMIT_AUTHOR', `${pipeline.authorName} <${pipeline.authorEmail}>`),
    {
      ...pub('CI_REPOSITORY_URL', repoUrlWithToken(urls.http_url_to_repo, job)),
      public: false,
      masked: false,
    },
    pub('CI_RUNNER_ID', runner.id),
    pub('CI_RUNNER_DESCRIPTION', runner.description),
    pub('CI_RUNNER_TAGS', JSON.stringify(runner.tags)),
    pub('GITLAB_USER_ID', job.userId),
  ];
  const user = Object.entries(job.variables).map(([key, value]) => ({
    key,
    value,
    public: false,
    masked: false,
  }));
  return [...predefined, ...user];
}

function repoUrlWithToken(http: string, job: Job): string {
  const url = new URL(http);
  url.username = 'gitlab-ci-token';
  url.password = job.token ?? '';
  return url.toString();
}
