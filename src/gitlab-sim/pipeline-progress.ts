import { COMPLETE_STATUSES, compositeStatus } from './composite-status.js';
import type { StatusInput } from './composite-status.js';
import type { JobStatus, When } from './types.js';

/** The part of a job that pipeline processing looks at. */
export interface ProgressJob extends StatusInput {
  id: number;
  name: string;
  stageIdx: number;
  when: When;
  needs: string[] | null;
  retried: boolean;
}

export interface Decision {
  id: number;
  status: 'pending' | 'manual' | 'skipped';
}

/**
 * Decides what happens to the `created` jobs of one pipeline, like
 * GitLab's pipeline processing: a job waits until its predecessors (all
 * earlier stages, or its `needs` for a DAG job) are complete, then
 * becomes pending (or manual) when its `when` accepts their composite
 * status, else skipped. Skips cascade, so decisions are repeated until
 * nothing changes. Pure: returns decisions in job id order.
 */
export function decideCreatedJobs(jobs: readonly ProgressJob[]): Decision[] {
  const latest = jobs.filter((job) => !job.retried).map((job) => ({ ...job }));
  const decisions: Decision[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const job of latest) {
      if (job.status !== 'created') continue;
      const status = decideOne(job, latest);
      if (status === null) continue;
      job.status = status;
      decisions.push({ id: job.id, status });
      changed = true;
    }
  }
  return decisions.sort((a, b) => a.id - b.id);
}

function decideOne(
  job: ProgressJob,
  latest: readonly ProgressJob[],
): Decision['status'] | null {
  const before = predecessors(job, latest);
  const status: JobStatus =
    before.length === 0 ? 'success' : compositeStatus(before);
  if (!COMPLETE_STATUSES.includes(status)) return null;

  if (!acceptedStatuses(job).includes(status)) return 'skipped';
  return job.when === 'manual' ? 'manual' : 'pending';
}

function predecessors(
  job: ProgressJob,
  latest: readonly ProgressJob[],
): ProgressJob[] {
  if (job.needs !== null) {
    const needs = job.needs;
    return latest.filter((other) => needs.includes(other.name));
  }
  return latest.filter((other) => other.stageIdx < job.stageIdx);
}

/** GitLab's "valid statuses for when": a DAG job needs real success. */
function acceptedStatuses(job: ProgressJob): JobStatus[] {
  switch (job.when) {
    case 'on_failure':
      return ['failed'];
    case 'always':
      return ['success', 'failed', 'skipped'];
    default:
      return job.needs !== null ? ['success'] : ['success', 'skipped'];
  }
}

/** A pipeline's status: the composite of its latest jobs. */
export function pipelineStatus(jobs: readonly ProgressJob[]): JobStatus {
  return compositeStatus(jobs.filter((job) => !job.retried));
}
