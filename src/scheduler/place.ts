import type { Arch } from '../vmm/driver.js';
import type { RunnerClass } from './runner-class.js';

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
  runnerClass: RunnerClass;
}

export interface PlacementLimits {
  /** vCPUs handed out per physical vCPU (1 = no over-commit). */
  cpuOvercommit: number;
  /** Most VMs one project may have at once (fairness across projects). */
  maxPerProject: number;
}

export type Placement =
  | { jobId: number; hostId: string }
  | { jobId: number; hostId: null; reason: string };

/**
 * Places demands in the order given, reserving capacity as it goes, so a
 * whole queue is decided at once and no host is over-committed. Memory is
 * never over-committed (a guest cannot give it back mid-job); vCPUs may
 * be, by `cpuOvercommit`. Among hosts that fit it picks the one with the
 * least free memory left (best fit packs hosts and keeps large holes for
 * large jobs), then the least free vCPU, then the id, so the result is
 * deterministic. A demand that fits nowhere gets the reason, for the
 * operator's queue view.
 */
export function placeAll(
  demands: readonly Demand[],
  hosts: readonly HostCapacity[],
  limits: PlacementLimits,
  runningPerProject: ReadonlyMap<number, number> = new Map(),
): Placement[] {
  const free = hosts.map((h) => ({ ...h }));
  const perProject = new Map(runningPerProject);

  return demands.map((demand) => {
    const count = perProject.get(demand.projectId) ?? 0;
    if (count >= limits.maxPerProject) {
      return {
        jobId: demand.jobId,
        hostId: null,
        reason: `project ${demand.projectId} is at its limit of ${limits.maxPerProject} VMs`,
      };
    }
    const host = bestFit(demand.runnerClass, free, limits);
    if (typeof host === 'string') {
      return { jobId: demand.jobId, hostId: null, reason: host };
    }
    host.usedVcpus += demand.runnerClass.vcpus;
    host.usedMemoryMiB += demand.runnerClass.memoryMiB;
    perProject.set(demand.projectId, count + 1);
    return { jobId: demand.jobId, hostId: host.id };
  });
}

function bestFit(
  want: RunnerClass,
  hosts: HostCapacity[],
  limits: PlacementLimits,
): HostCapacity | string {
  const sameArch = hosts.filter((h) => h.accepting && h.arch === want.arch);
  if (sameArch.length === 0) return `no ${want.arch} host is connected`;
  const big = sameArch.filter(
    (h) =>
      h.memoryMiB >= want.memoryMiB &&
      h.vcpus * limits.cpuOvercommit >= want.vcpus,
  );
  if (big.length === 0) {
    return `no ${want.arch} host is large enough for ${want.vcpus} vCPU / ${want.memoryMiB} MiB`;
  }
  const fits = big.filter(
    (h) =>
      freeMemory(h) >= want.memoryMiB && freeVcpus(h, limits) >= want.vcpus,
  );
  if (fits.length === 0)
    return `waiting for ${want.memoryMiB} MiB / ${want.vcpus} vCPU to free up`;
  return fits.reduce((best, h) => (better(h, best, limits) ? h : best));
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
