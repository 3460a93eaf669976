import { processPipeline, setJobStatus } from './job-lifecycle.js';
import type { SimState } from './sim-state.js';
import { FINISHED_STATUSES } from './types.js';
import type { Job } from './types.js';

/**
 * User actions on jobs (cancel, retry, play), shared by the REST API and
 * the in-process admin. Each returns `null` when GitLab would refuse the
 * action for the job's current status.
 */
export function cancelJob(
  state: SimState,
  job: Job,
  force = false,
): Job | null {
  if (job.status === 'canceling') {
    if (!force) return null;
    setJobStatus(state, job, 'canceled');
    return job;
  }
  if (FINISHED_STATUSES.includes(job.status)) return null;

  // A runner that advertised cancel_gracefully gets `canceling` so it can
  // run after_script; everything else is canceled at once (§4.5).
  const graceful = job.status === 'running' && job.gracefulCancel && !force;
  setJobStatus(state, job, graceful ? 'canceling' : 'canceled');
  return job;
}

/** Retrying creates a new job (new id, retries_count + 1), like GitLab. */
export function retryJob(state: SimState, job: Job): Job | null {
  if (!['success', 'failed', 'canceled'].includes(job.status)) return null;
  if (job.retried) return null;

  const now = new Date();
  const copy: Job = {
    ...job,
    id: state.nextId('job'),
    status: 'created',
    token: null,
    runnerId: null,
    awaitingAck: false,
    gracefulCancel: false,
    retried: false,
    retriesCount: job.retriesCount + 1,
    createdAt: now,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    failureReason: null,
    exitCode: null,
    trace: Buffer.alloc(0),
    checksumMismatches: 0,
    traceChecksumValid: null,
  };
  job.retried = true;
  state.jobs.set(copy.id, copy);
  reopenSkipped(state, copy);
  state.emit({ kind: 'job', job: copy, status: 'created' });
  processPipeline(state, job.pipelineId, now);
  return copy;
}

/** Jobs skipped because of the retried job get another chance. */
function reopenSkipped(state: SimState, retried: Job): void {
  for (const other of state.jobsOfPipeline(retried.pipelineId)) {
    if (other.status !== 'skipped' || other.retried) continue;
    const after = other.needs
      ? other.needs.includes(retried.name)
      : other.stageIdx > retried.stageIdx;
    if (after) other.status = 'created';
  }
}

/** Starts a manual job: manual → pending. */
export function playJob(state: SimState, job: Job): Job | null {
  if (job.status !== 'manual') return null;
  setJobStatus(state, job, 'pending');
  return job;
}
