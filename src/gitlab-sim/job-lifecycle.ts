import { decideCreatedJobs, pipelineStatus } from './pipeline-progress.js';
import { newJobToken } from './secrets.js';
import type { SimState } from './sim-state.js';
import { FINISHED_STATUSES } from './types.js';
import type { Job, JobStatus, Runner } from './types.js';

/**
 * Every job status change goes through `setJobStatus`: it stamps the
 * times GitLab stamps (queued_at on pending, started_at on running,
 * finished_at on a final status), tells listeners (webhooks), then lets
 * the pipeline move on.
 */
export function setJobStatus(
  state: SimState,
  job: Job,
  status: JobStatus,
  now = new Date(),
): void {
  if (job.status === status) return;
  job.status = status;
  if (status === 'pending') {
    job.queuedAt = now;
    state.queueVersion++;
  }
  if (status === 'running') job.startedAt = now;
  if (FINISHED_STATUSES.includes(status)) job.finishedAt = now;

  state.emit({ kind: 'job', job, status });
  if (status !== 'created') processPipeline(state, job.pipelineId, now);
}

/**
 * Applies the pipeline processing decisions to `created` jobs and then
 * recomputes the pipeline status, emitting a pipeline event on change.
 */
export function processPipeline(
  state: SimState,
  pipelineId: number,
  now = new Date(),
): void {
  const jobs = state.jobsOfPipeline(pipelineId);
  for (const decision of decideCreatedJobs(jobs)) {
    const job = state.jobs.get(decision.id)!;
    if (job.status === 'created') setJobStatus(state, job, decision.status);
  }
  refreshPipelineStatus(state, pipelineId, now);
}

function refreshPipelineStatus(
  state: SimState,
  pipelineId: number,
  now: Date,
): void {
  const pipeline = state.pipelines.get(pipelineId);
  if (!pipeline || pipeline.yamlErrors !== null) return;
  const status = pipelineStatus(state.jobsOfPipeline(pipelineId));
  if (status === pipeline.status) return;

  pipeline.status = status;
  pipeline.updatedAt = now;
  if (status === 'running' && !pipeline.startedAt) pipeline.startedAt = now;
  pipeline.finishedAt = FINISHED_STATUSES.includes(status) ? now : null;
  state.emit({ kind: 'pipeline', pipeline });
}

/**
 * Hands a pending job to a runner. With two-phase commit (the runner
 * advertised `two_phase_job_commit`) the job stays `pending` until the
 * runner's `PUT state=running` (reference §4.2); otherwise it runs now.
 */
export function assignJob(state: SimState, job: Job, runner: Runner): void {
  const features = runner.info.features ?? {};
  job.runnerId = runner.id;
  job.token = newJobToken();
  job.gracefulCancel = features['cancel_gracefully'] === true;
  state.queueVersion++;
  if (features['two_phase_job_commit'] === true) {
    job.awaitingAck = true;
    return;
  }
  setJobStatus(state, job, 'running');
}

/** The runner's acknowledgement: pending (awaiting ack) → running. */
export function acknowledgeJob(state: SimState, job: Job): void {
  job.awaitingAck = false;
  setJobStatus(state, job, 'running');
}

/**
 * The runner's final state. A job being canceled gracefully ends as
 * `canceled` whatever the runner reports (reference §4.5).
 */
export function finishJob(
  state: SimState,
  job: Job,
  result: 'success' | 'failed',
  detail: { failureReason?: string | null; exitCode?: number | null } = {},
): void {
  if (result === 'failed') {
    job.failureReason = detail.failureReason ?? 'unknown_failure';
    job.exitCode = detail.exitCode ?? null;
  }
  const final = job.status === 'canceling' ? 'canceled' : result;
  setJobStatus(state, job, final);
}

/** Drops a job for a reason of GitLab's own (not a runner's report). */
export function dropJob(state: SimState, job: Job, reason: string): void {
  job.failureReason = reason;
  setJobStatus(state, job, 'failed');
}
