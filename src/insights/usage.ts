import type { InsightsRecords } from './input.js';
import { vmHeld } from './input.js';
import type { OutcomeCounts } from './outcomes.js';
import { countOutcome, noOutcomes } from './outcomes.js';
import type { Dimension, Subject, Subjects } from './subjects.js';
import type { InsightsWindow } from './window.js';
import { overlapMs } from './window.js';

/**
 * One row of a usage table. `jobs` and `outcomes` count the jobs recorded
 * in the window; the minutes are the VM time reserved in it (a VM that
 * spans an edge counts only its part inside). `jobMinutes` is the part of
 * `vmMinutes` in which a job ran; the rest went to creating the runner,
 * booting and waiting for a job.
 */
export interface UsageRow {
  key: string;
  name: string;
  /** The job's project, on job-name rows. */
  project?: string;
  jobs: number;
  outcomes: OutcomeCounts;
  vmMinutes: number;
  jobMinutes: number;
  vcpuMinutes: number;
  gibMinutes: number;
}

interface Tally {
  subject: Subject;
  jobs: number;
  outcomes: OutcomeCounts;
  vmMs: number;
  jobMs: number;
  vcpuMs: number;
  mibMs: number;
}

/**
 * Usage in `window` grouped by `dimension`, heaviest first (vCPU time,
 * then jobs).
 */
export function usageBy(
  records: InsightsRecords,
  subjects: Subjects,
  window: InsightsWindow,
  dimension: Dimension,
): UsageRow[] {
  const tallies = new Map<string, Tally>();
  const tallyOf = (subject: Subject) => {
    const key = dimension.keyOf(subject);
    let tally = tallies.get(key);
    if (!tally) {
      tally = {
        subject,
        jobs: 0,
        outcomes: noOutcomes(),
        vmMs: 0,
        jobMs: 0,
        vcpuMs: 0,
        mibMs: 0,
      };
      tallies.set(key, tally);
    }
    return tally;
  };

  for (const demand of records.demands) {
    if (demand.createdAt < window.from || demand.createdAt >= window.to)
      continue;
    const tally = tallyOf(subjects.ofDemand(demand));
    tally.jobs += 1;
    countOutcome(tally.outcomes, demand);
  }
  for (const vm of records.vms) {
    const held = vmHeld(vm, records.now);
    const ms = overlapMs(held.start, held.end, window.from, window.to);
    if (ms === 0) continue;
    const tally = tallyOf(subjects.ofVm(vm));
    tally.vmMs += ms;
    tally.vcpuMs += ms * vm.vcpus;
    tally.mibMs += ms * vm.memoryMiB;
    if (vm.jobStartedAt !== null)
      tally.jobMs += overlapMs(
        vm.jobStartedAt,
        held.end,
        window.from,
        window.to,
      );
  }

  return [...tallies.entries()]
    .map(([key, tally]) => toRow(key, tally, dimension))
    .sort(
      (a, b) =>
        b.vcpuMinutes - a.vcpuMinutes ||
        b.jobs - a.jobs ||
        a.name.localeCompare(b.name),
    );
}

/** The whole window's usage as one row. */
export function totalUsage(
  records: InsightsRecords,
  subjects: Subjects,
  window: InsightsWindow,
): UsageRow {
  const all: Dimension = { keyOf: () => 'all', nameOf: () => 'all' };
  const [row] = usageBy(records, subjects, window, all);
  return (
    row ?? {
      key: 'all',
      name: 'all',
      jobs: 0,
      outcomes: noOutcomes(),
      vmMinutes: 0,
      jobMinutes: 0,
      vcpuMinutes: 0,
      gibMinutes: 0,
    }
  );
}

function toRow(key: string, tally: Tally, dimension: Dimension): UsageRow {
  const project = dimension.projectOf?.(tally.subject);
  return {
    key,
    name: dimension.nameOf(tally.subject),
    ...(project === undefined ? {} : { project }),
    jobs: tally.jobs,
    outcomes: tally.outcomes,
    vmMinutes: minutes(tally.vmMs),
    jobMinutes: minutes(tally.jobMs),
    vcpuMinutes: minutes(tally.vcpuMs),
    gibMinutes: minutes(tally.mibMs / 1024),
  };
}

/** Minutes to 0.1, from ms. */
export function minutes(ms: number): number {
  return Math.round(ms / 6_000) / 10;
}
