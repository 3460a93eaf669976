import type { Runner } from './types.js';

/** What matching needs to know about a job and its project. */
export interface MatchJob {
  tags: readonly string[];
  projectId: number;
  namespaceId: number;
  /** Whether the job's ref is protected (GitLab protects `main`). */
  protectedRef: boolean;
}

export type MatchRunner = Pick<
  Runner,
  | 'tags'
  | 'runUntagged'
  | 'accessLevel'
  | 'runnerType'
  | 'projectId'
  | 'groupId'
>;

/**
 * GitLab's runner matcher (reference §7): the runner's scope covers the
 * job's project, a `ref_protected` runner only takes protected refs, an
 * untagged job needs `run_untagged`, and every job tag must be one of the
 * runner's tags (job tags ⊆ runner tags).
 */
export function runnerMatchesJob(runner: MatchRunner, job: MatchJob): boolean {
  if (!scopeCovers(runner, job)) return false;
  if (runner.accessLevel === 'ref_protected' && !job.protectedRef) {
    return false;
  }
  if (job.tags.length === 0) return runner.runUntagged;
  return job.tags.every((tag) => runner.tags.includes(tag));
}

function scopeCovers(runner: MatchRunner, job: MatchJob): boolean {
  switch (runner.runnerType) {
    case 'project_type':
      return runner.projectId === job.projectId;
    case 'group_type':
      return runner.groupId === job.namespaceId;
    default:
      return true;
  }
}
