import type { Arch } from '../vmm/driver.js';
import { visitFairly } from './fair-order.js';
import type { RunningCounts } from './fair-order.js';
import type { RunnerClass } from './runner-class.js';

export type { RunningCounts } from './fair-order.js';

/** A host as the scheduler sees it: what it has and what is reserved. */
export interface HostCapacity {
  id: string;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  usedVcpus: number;
  usedMemoryMiB: number;
  /** False while draining or disconnected: takes no new VMs. */
  accepting: boolean;
}

export interface Demand {
  jobId: number;
  projectId: number;
  /**
   * The project's top-level group (GitLab namespace). Null or absent: no
   * group cap applies, and the project takes its fair turns as a group of
   * its own.
   */
  groupId?: number | null;
  runnerClass: RunnerClass;
}

export interface PlacementLimits {
  /** vCPUs handed out per physical vCPU (1 = no over-commit). */
  cpuOvercommit: number;
  /** Most VMs one project may have at once (fairness across projects). */
  maxPerProject: number;
  /**
   * Most VMs one top-level group may have at once, all its projects
   * together. Absent: no group cap.
   */
  maxPerGroup?: number;
}

export type Placement =
  | { jobId: number; hostId: string }
  | { jobId: number; hostId: null; reason: string };

/** VMs held so far in a round: running before it plus placed in it. */
interface Held {
  byProject: Map<number, number>;
  byGroup: Map<number, number>;
}

/**
 * Decides a whole queue at once, reserving capacity as it goes, so no
 * host is over-committed. Demands are tried in the fair order of
 * `visitFairly` (the group, then the project, holding the fewest VMs goes
 * first; each project keeps its FIFO order), so a project with a long
 * queue cannot starve one that queued later. Each demand is tried once:
 * one that waits (a cap, or no room) never blocks the ones after it.
 *
 * Memory is never over-committed (a guest cannot give it back mid-job);
 * vCPUs may be, by `cpuOvercommit`. Among hosts that fit it picks the one
 * with the least free memory left (best fit packs hosts and keeps large
 * holes for large jobs), then the least free vCPU, then the id, so the
 * result is deterministic. `running` counts the VMs each project and
 * group already holds, for the caps and the order. The result is in the
 * order of `demands`, one entry each; a demand that waits carries the
 * reason, for the operator's queue view.
 */
export function placeAll(
  demands: readonly Demand[],
  hosts: readonly HostCapacity[],
  limits: PlacementLimits,
  running: RunningCounts = {},
): Placement[] {
  const free = hosts.map((h) => ({ ...h }));
  const held: Held = {
    byProject: new Map(running.byProject),
    byGroup: new Map(running.byGroup),
  };
  const placements = new Array<Placement>(demands.length);

  visitFairly(demands, running, (demand, index) => {
    const placement = placeOne(demand, free, limits, held);
    placements[index] = placement;
    return placement.hostId !== null;
  });
  return placements;
}

function placeOne(
  demand: Demand,
  hosts: HostCapacity[],
  limits: PlacementLimits,
  held: Held,
): Placement {
  const { jobId, runnerClass } = demand;
  const capped = capReason(demand, limits, held);
  if (capped) return { jobId, hostId: null, reason: capped };

  const host = bestFit(runnerClass, hosts, limits);
  if (typeof host === 'string') return { jobId, hostId: null, reason: host };

  host.usedVcpus += runnerClass.vcpus;
  host.usedMemoryMiB += runnerClass.memoryMiB;
  count(held.byProject, demand.projectId);
  if (demand.groupId != null) count(held.byGroup, demand.groupId);
  return { jobId, hostId: host.id };
}

function capReason(
  demand: Demand,
  limits: PlacementLimits,
  held: Held,
): string | null {
  const { projectId, groupId } = demand;
  const max = limits.maxPerProject;
  if ((held.byProject.get(projectId) ?? 0) >= max) {
    return `project ${projectId} is at its limit of ${max} VMs`;
  }
  const maxGroup = limits.maxPerGroup ?? Infinity;
  if (groupId != null && (held.byGroup.get(groupId) ?? 0) >= maxGroup) {
    return `group ${groupId} (of project ${projectId}) is at its limit of ${maxGroup} VMs`;
  }
  return null;
}

function count(counts: Map<number, number>, id: number): void {
  counts.set(id, (counts.get(id) ?? 0) + 1);
}

/**
 * The best-fitting host, or why there is none. One pass: this runs for
 * every demand against every host (10 million visits for 10,000 jobs on
 * 1,000 hosts), so it allocates nothing.
 */
function bestFit(
  want: RunnerClass,
  hosts: HostCapacity[],
  limits: PlacementLimits,
): HostCapacity | string {
  let connected = false;
  let large = false;
  let best: HostCapacity | undefined;
  for (const h of hosts) {
    if (!h.accepting || h.arch !== want.arch) continue;
    connected = true;
    if (h.memoryMiB < want.memoryMiB) continue;
    if (h.vcpus * limits.cpuOvercommit < want.vcpus) continue;
    large = true;
    if (freeMemory(h) < want.memoryMiB) continue;
    if (freeVcpus(h, limits) < want.vcpus) continue;
    if (!best || better(h, best, limits)) best = h;
  }

  if (best) return best;
  if (!connected) return `no ${want.arch} host is connected`;
  if (!large) {
    return `no ${want.arch} host is large enough for ${want.vcpus} vCPU / ${want.memoryMiB} MiB`;
  }
  return `waiting for ${want.memoryMiB} MiB / ${want.vcpus} vCPU to free up`;
}

function better(
  a: HostCapacity,
  b: HostCapacity,
  limits: PlacementLimits,
): boolean {
  const memory = freeMemory(a) - freeMemory(b);
  if (memory !== 0) return memory < 0;
  const cpu = freeVcpus(a, limits) - freeVcpus(b, limits);
  if (cpu !== 0) return cpu < 0;
  return a.id < b.id;
}

function freeMemory(h: HostCapacity): number {
  return h.memoryMiB - h.usedMemoryMiB;
}

function freeVcpus(h: HostCapacity, limits: PlacementLimits): number {
  return h.vcpus * limits.cpuOvercommit - h.usedVcpus;
}
