import type { VmRecord } from '../store/index.js';
import type { InsightsRecords } from './input.js';
import type { Spread } from './spread.js';
import { spreadOf } from './spread.js';
import type { InsightsWindow } from './window.js';

/**
 * How long jobs waited, for the jobs recorded in the window. Times start
 * when firelab recorded the job's demand, not at GitLab's `created_at`,
 * which for a later stage is when its pipeline was made.
 * - `start`: demand → a VM's runner took the job (everything firelab adds);
 * - `placement`: demand → the first VM made for it (waiting for room on
 *   a host, or for a per-project or per-group cap);
 * - `boot`: a VM made in the window → its runner took its job: creating
 *   the GitLab runner, the VM's network, the hypervisor, the guest's boot
 *   and the runner's start (the hypervisor alone runs long before the
 *   guest is ready, so its start says little);
 * - `notStarted`: jobs no VM ran (yet), left out of `start`.
 */
export interface Waits {
  start: Spread;
  placement: Spread;
  boot: Spread;
  notStarted: number;
}

export function waitsIn(
  records: InsightsRecords,
  window: InsightsWindow,
): Waits {
  const took = new Map<number, VmRecord>();
  const firstMade = new Map<number, number>();
  for (const vm of records.vms) {
    if (vm.tookJobId !== null && vm.jobStartedAt !== null)
      took.set(vm.tookJobId, vm);
    for (const jobId of [vm.demandJobId, vm.tookJobId]) {
      if (jobId === null) continue;
      const made = firstMade.get(jobId);
      if (made === undefined || vm.createdAt < made)
        firstMade.set(jobId, vm.createdAt);
    }
  }

  const start: number[] = [];
  const placement: number[] = [];
  let notStarted = 0;
  for (const demand of records.demands) {
    if (demand.createdAt < window.from || demand.createdAt >= window.to)
      continue;
    const made = firstMade.get(demand.jobId);
    if (made !== undefined)
      placement.push(Math.max(0, made - demand.createdAt));
    const ran = took.get(demand.jobId);
    if (ran) start.push(Math.max(0, ran.jobStartedAt! - demand.createdAt));
    else notStarted += 1;
  }
  const boot = records.vms
    .filter(
      (vm) =>
        vm.jobStartedAt !== null &&
        vm.createdAt >= window.from &&
        vm.createdAt < window.to,
    )
    .map((vm) => Math.max(0, vm.jobStartedAt! - vm.createdAt));

  return {
    start: spreadOf(start),
    placement: spreadOf(placement),
    boot: spreadOf(boot),
    notStarted,
  };
}
