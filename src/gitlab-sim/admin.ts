import type { SimContext } from './context.js';
import type { FaultInjector } from './fault-injector.js';
import type { CommitFiles } from './git-repos.js';
import { cancelJob, playJob, retryJob } from './job-actions.js';
import {
  createProject,
  createUser,
  pushFiles,
  readDirectoryFiles,
} from './seed.js';
import type { SimState } from './sim-state.js';
import { FINISHED_STATUSES } from './types.js';
import type {
  Job,
  JobStatus,
  Pipeline,
  Project,
  ProjectHook,
  Runner,
  User,
} from './types.js';
import { waitUntil } from './wait-until.js';
import type { HookDelivery } from './webhook-emitter.js';

/**
 * In-process control of the simulator for tests and `firelab demo`:
 * seed users, projects and pushes; read and act on pipelines, jobs and
 * runners; inject faults; read webhook deliveries; wait for outcomes.
 * Everything here bypasses HTTP and authentication on purpose.
 */
export interface GitlabSimAdmin {
  readonly state: SimState;
  readonly faults: FaultInjector;
  createUser(options: {
    username: string;
    name?: string;
    email?: string;
    admin?: boolean;
  }): { user: User; token: string };
  createProject(options: {
    namespace: string;
    name: string;
    path?: string;
    members: User[];
  }): Promise<Project>;
  pushFiles(
    project: Project,
    files: CommitFiles,
    message: string,
    author?: User,
  ): Promise<{ sha: string; pipeline: Pipeline | null }>;
  pushDirectory(
    project: Project,
    dir: string,
    message: string,
    author?: User,
  ): Promise<{ sha: string; pipeline: Pipeline | null }>;
  addHook(
    project: Project,
    options: { url: string; token?: string; jobEvents?: boolean },
  ): ProjectHook;
  pipelines(projectId?: number): Pipeline[];
  jobs(filter?: { pipelineId?: number; status?: JobStatus }): Job[];
  job(id: number): Job | undefined;
  runners(): Runner[];
  /** Every runner created so far, deleted ones included. */
  runnersCreated(): readonly Runner[];
  cancelJob(id: number, options?: { force?: boolean }): Job | null;
  retryJob(id: number): Job | null;
  playJob(id: number): Job | null;
  hookDeliveries(): readonly HookDelivery[];
  resendHookDelivery(id: number): Promise<HookDelivery>;
  releaseHeldHooks(): void;
  hooksIdle(): Promise<void>;
  waitForPipeline(id: number, timeoutMs?: number): Promise<Pipeline>;
  waitForJobStatus(
    id: number,
    status: JobStatus,
    timeoutMs?: number,
  ): Promise<Job>;
  waitForHookDeliveries(
    predicate: (deliveries: readonly HookDelivery[]) => boolean,
    timeoutMs?: number,
  ): Promise<readonly HookDelivery[]>;
}

export function createAdmin(ctx: SimContext): GitlabSimAdmin {
  const { state } = ctx;
  const firstMember = (project: Project): User => {
    const id = [...project.memberIds][0];
    const user = id === undefined ? undefined : state.users.get(id);
    if (!user) throw new Error(`project ${project.id} has no member`);
    return user;
  };
  const byId = (id: number): Job => {
    const job = state.jobs.get(id);
    if (!job) throw new Error(`no job ${id}`);
    return job;
  };
  return {
    state,
    faults: ctx.faults,
    createUser: (options) => createUser(ctx, options),
    createProject: (options) => createProject(ctx, options),
    pushFiles: (project, files, message, author) =>
      pushFiles(ctx, project, files, message, author ?? firstMember(project)),
    pushDirectory: async (project, dir, message, author) =>
      pushFiles(
        ctx,
        project,
        await readDirectoryFiles(dir),
        message,
        author ?? firstMember(project),
      ),
    addHook: (project, options) => addHook(ctx, project, options),
    pipelines: (projectId) =>
      [...state.pipelines.values()]
        .filter((p) => projectId === undefined || p.projectId === projectId)
        .sort((a, b) => a.id - b.id),
    jobs: (filter = {}) =>
      [...state.jobs.values()]
        .filter(
          (j) =>
            filter.pipelineId === undefined ||
            j.pipelineId === filter.pipelineId,
        )
        .filter(
          (j) => filter.status === undefined || j.status === filter.status,
        )
        .sort((a, b) => a.id - b.id),
    job: (id) => state.jobs.get(id),
    runners: () => [...state.runners.values()].sort((a, b) => a.id - b.id),
    runnersCreated: () => state.createdRunners,
    cancelJob: (id, options) => cancelJob(state, byId(id), options?.force),
    retryJob: (id) => retryJob(state, byId(id)),
    playJob: (id) => playJob(state, byId(id)),
    hookDeliveries: () => ctx.hooks.deliveries(),
    resendHookDelivery: (id) => ctx.hooks.resend(id),
    releaseHeldHooks: () => ctx.hooks.releaseHeld(),
    hooksIdle: () => ctx.hooks.idle(),
    waitForPipeline: (id, timeoutMs = 30_000) =>
      waitUntil(
        state,
        () => {
          const p = state.pipelines.get(id);
          return p && FINISHED_STATUSES.includes(p.status) ? p : null;
        },
        timeoutMs,
        `pipeline ${id} to finish`,
      ),
    waitForJobStatus: (id, status, timeoutMs = 30_000) =>
      waitUntil(
        state,
        () => (state.jobs.get(id)?.status === status ? byId(id) : null),
        timeoutMs,
        `job ${id} to be ${status}`,
      ),
    waitForHookDeliveries: (predicate, timeoutMs = 10_000) =>
      waitUntil(
        state,
        () =>
          predicate(ctx.hooks.deliveries()) ? ctx.hooks.deliveries() : null,
        timeoutMs,
        'webhook deliveries',
      ),
  };
}

function addHook(
  ctx: SimContext,
  project: Project,
  options: { url: string; token?: string; jobEvents?: boolean },
): ProjectHook {
  const hook: ProjectHook = {
    id: ctx.state.nextId('hook'),
    projectId: project.id,
    url: options.url,
    token: options.token ?? null,
    jobEvents: options.jobEvents ?? true,
    pushEvents: false,
    pipelineEvents: false,
    enableSslVerification: true,
    createdAt: new Date(),
  };
  ctx.state.hooks.set(hook.id, hook);
  return hook;
}
