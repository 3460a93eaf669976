import type { SimContext } from './context.js';
import { isoMs } from './time-format.js';
import type { Runner } from './types.js';

/** GitLab counts a runner online when it called in within 2 hours. */
const ONLINE_WINDOW_MS = 2 * 3600 * 1000;

export function runnerOnline(runner: Runner, now = Date.now()): boolean {
  const seen = runner.contactedAt?.getTime();
  return seen !== undefined && now - seen < ONLINE_WINDOW_MS;
}

/** `online`, `offline` or `never_contacted`, as the runners API reports. */
export function runnerStatus(runner: Runner): string {
  if (!runner.contactedAt) return 'never_contacted';
  return runnerOnline(runner) ? 'online' : 'offline';
}

/**
 * GitLab's `Ci::Runner` entity (reference §1.4); `ip_address` is always
 * null in current GitLab. `job_execution_status` is `active` while the
 * runner has a running job.
 */
export function runnerEntity(ctx: SimContext, runner: Runner) {
  const busy = [...ctx.state.jobs.values()].some(
    (job) => job.runnerId === runner.id && job.status === 'running',
  );
  return {
    id: runner.id,
    description: runner.description,
    ip_address: null,
    active: !runner.paused,
    paused: runner.paused,
    is_shared: runner.runnerType === 'instance_type',
    runner_type: runner.runnerType,
    name: runner.info.name ?? null,
    online: runnerOnline(runner),
    created_at: isoMs(runner.createdAt),
    status: runnerStatus(runner),
    job_execution_status: busy ? 'active' : 'idle',
  };
}

/** `RunnerDetails`: the entity plus configuration and projects. */
export function runnerDetails(ctx: SimContext, runner: Runner) {
  const project =
    runner.projectId === null ? null : ctx.state.projects.get(runner.projectId);
  return {
    ...runnerEntity(ctx, runner),
    tag_list: [...runner.tags].sort(),
    run_untagged: runner.runUntagged,
    locked: runner.locked,
    maximum_timeout: runner.maximumTimeout,
    access_level: runner.accessLevel,
    version: runner.info.version ?? null,
    revision: runner.info.revision ?? null,
    platform: runner.info.platform ?? null,
    architecture: runner.info.architecture ?? null,
    contacted_at: isoMs(runner.contactedAt),
    maintenance_note: runner.maintenanceNote,
    projects: project
      ? [
          {
            id: project.id,
            name: project.name,
            name_with_namespace: `${project.namespace.name} / ${project.name}`,
            path: project.path,
            path_with_namespace: project.pathWithNamespace,
          },
        ]
      : [],
    groups: [],
  };
}
