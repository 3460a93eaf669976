import type { DemandRecord } from '../store/index.js';

/**
 * How a job ended: `success` and `failed` are GitLab's final status;
 * `canceled`: any other end in GitLab (canceled, skipped); `unserved`:
 * firelab could not serve it (unusable tags, boots failed too often);
 * `expired`: no VM took it in time; `lost`: its VM ended mid-job;
 * `open`: not over yet.
 */
export const OUTCOMES = [
  'success',
  'failed',
  'canceled',
  'unserved',
  'expired',
  'lost',
  'open',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Jobs per outcome, and how many jobs were retries of lost ones. */
export type OutcomeCounts = Record<Outcome, number> & { retried: number };

export function outcomeOf(demand: DemandRecord): Outcome {
  switch (demand.status) {
    case 'done':
      if (demand.gitlabStatus === 'success') return 'success';
      return demand.gitlabStatus === 'failed' ? 'failed' : 'canceled';
    case 'failed':
      return 'unserved';
    case 'canceled':
    case 'expired':
    case 'lost':
      return demand.status;
    default:
      return 'open';
  }
}

export function noOutcomes(): OutcomeCounts {
  const counts = { retried: 0 } as OutcomeCounts;
  for (const outcome of OUTCOMES) counts[outcome] = 0;
  return counts;
}

/** Counts `demand` into `counts`. */
export function countOutcome(
  counts: OutcomeCounts,
  demand: DemandRecord,
): void {
  counts[outcomeOf(demand)] += 1;
  if (demand.retryOf !== null) counts.retried += 1;
}
