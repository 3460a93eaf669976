import type { InsightsRecords } from './input.js';
import { vmHeld } from './input.js';
import type { InsightsWindow } from './window.js';
import { overlapMs } from './window.js';

/**
 * One bucket of the time series, starting at `at` (ms): jobs recorded and
 * jobs started in it, and the average vCPUs VMs reserved and agents
 * offered over it.
 */
export interface SeriesPoint {
  at: number;
  jobsQueued: number;
  jobsStarted: number;
  reservedVcpus: number;
  capacityVcpus: number;
}

export function seriesOf(
  records: InsightsRecords,
  window: InsightsWindow,
): SeriesPoint[] {
  const { from, to, bucketMs } = window;
  const count = Math.ceil((to - from) / bucketMs);
  const points = Array.from({ length: count }, (_, i) => ({
    at: from + i * bucketMs,
    jobsQueued: 0,
    jobsStarted: 0,
    reservedVcpus: 0,
    capacityVcpus: 0,
  }));
  const bucketOf = (t: number) => Math.floor((t - from) / bucketMs);
  const inWindow = (t: number | null): t is number =>
    t !== null && t >= from && t < to;
  // Adds vcpus × (time in each bucket of [start, end)) to `field`.
  const spread = (
    start: number,
    end: number,
    vcpus: number,
    field: 'reservedVcpus' | 'capacityVcpus',
  ) => {
    if (end <= from || start >= to || end <= start) return;
    const last = bucketOf(Math.min(end, to) - 1);
    for (let i = bucketOf(Math.max(start, from)); i <= last; i++) {
      const at = from + i * bucketMs;
      points[i]![field] +=
        vcpus * overlapMs(start, end, at, Math.min(at + bucketMs, to));
    }
  };

  for (const demand of records.demands)
    if (inWindow(demand.createdAt))
      points[bucketOf(demand.createdAt)]!.jobsQueued += 1;
  for (const vm of records.vms) {
    if (inWindow(vm.jobStartedAt))
      points[bucketOf(vm.jobStartedAt)]!.jobsStarted += 1;
    const held = vmHeld(vm, records.now);
    spread(held.start, held.end, vm.vcpus, 'reservedVcpus');
  }
  for (const agent of records.agents)
    spread(agent.firstSeenAt ?? from, to, agent.vcpus, 'capacityVcpus');

  // The sums are vCPU·ms: divide by each bucket's length for the average.
  return points.map((p) => {
    const length = Math.min(p.at + bucketMs, to) - p.at;
    return {
      ...p,
      reservedVcpus: Math.round((p.reservedVcpus / length) * 100) / 100,
      capacityVcpus: Math.round((p.capacityVcpus / length) * 100) / 100,
    };
  });
}
