import type { AllowFailure, JobStatus } from './types.js';

/** The part of a job that the status rules look at. */
export interface StatusInput {
  status: JobStatus;
  allowFailure: AllowFailure;
  exitCode: number | null;
}

/**
 * Whether a failure of this job is allowed: `allow_failure: true`, or an
 * `exit_codes` list containing the job's exit code.
 */
export function failureAllowed(job: StatusInput): boolean {
  if (typeof job.allowFailure === 'boolean') return job.allowFailure;
  return (
    job.exitCode !== null && job.allowFailure.exitCodes.includes(job.exitCode)
  );
}

/**
 * The status of a group of jobs (a stage, the needs of a job, a whole
 * pipeline), following the order of GitLab's composite status rules:
 * allowed failures count as "success with warnings", allowed manual jobs
 * are ignored, and an empty group is `skipped`.
 */
export function compositeStatus(jobs: readonly StatusInput[]): JobStatus {
  const set = new Set<string>();
  for (const job of jobs) set.add(token(job));
  set.delete('ignored');
  const only = (...allowed: string[]) =>
    [...set].every((s) => allowed.includes(s));
  const any = (...wanted: string[]) => wanted.some((s) => set.has(s));
  const W = 'success_with_warnings';

  if (set.size === 0) return jobs.length === 0 ? 'skipped' : 'success';
  if (only('skipped')) return 'skipped';
  if (only('success', 'skipped', W)) return 'success';
  if (only('created', W)) return 'created';
  if (only('canceled', 'success', 'skipped', W)) return 'canceled';
  if (only('pending', 'created', 'skipped', W)) return 'pending';
  if (any('running', 'pending', 'canceling')) return 'running';
  if (any('manual')) return 'manual';
  if (any('created')) return 'running';
  return 'failed';
}

function token(job: StatusInput): string {
  const allowed = failureAllowed(job);
  if (job.status === 'failed' && allowed) return 'success_with_warnings';
  if (job.status === 'manual' && allowed) return 'ignored';
  if (job.status === 'canceled' && allowed) return 'ignored';
  return job.status;
}

/** Statuses that mean "this group is done" for scheduling later jobs. */
export const COMPLETE_STATUSES: readonly JobStatus[] = [
  'success',
  'failed',
  'canceled',
  'skipped',
];
