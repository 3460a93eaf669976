// Placement speed at fleet scale: 1,000 hosts and 10,000 pending jobs,
// decided in one pure `placeAll` round (fair order across groups and
// projects, caps, best fit). The baseline, measured in the same run on
// the same input, is a plain first-fit loop in queue order, without
// fairness, caps or the best-fit ordering, so the ratio shows what those
// cost. Each figure is the median of ROUNDS rounds.
//
// Two queues: "spread" (200 projects interleaved, all jobs fit, as in
// the README's figures) and "contended" (project 1 queues 6,000 jobs
// before 199 projects queue 4,000 between them, each job three times the
// size, so only about half fit), which shows what fairness changes: who
// gets the room.
// Run: node --import tsx scripts/bench-placement.ts
import { placeAll } from '../src/scheduler/place.js';
import type {
  Demand,
  HostCapacity,
  PlacementLimits,
  RunningCounts,
} from '../src/scheduler/place.js';

const HOSTS = 1_000;
const JOBS = 10_000;
const ROUNDS = 5;
const limits: PlacementLimits = {
  cpuOvercommit: 2,
  maxPerProject: 10_000,
  maxPerGroup: 10_000,
};

function fleet(): HostCapacity[] {
  return Array.from({ length: HOSTS }, (_, i) => ({
    id: `host-${String(i).padStart(4, '0')}`,
    arch: i % 5 === 0 ? 'arm64' : 'x86_64',
    vcpus: 32,
    memoryMiB: 131072,
    usedVcpus: (i * 7) % 16,
    usedMemoryMiB: ((i * 13) % 32) * 1024,
    accepting: i % 97 !== 0,
  }));
}

/** Every fifth project has no group; the others are in 20 groups. */
function groupOf(projectId: number): number | null {
  return projectId % 5 === 0 ? null : 1000 + (projectId % 20);
}

function queue(project: (i: number) => number, scale: number): Demand[] {
  const sizes = [
    [1, 1024],
    [2, 4096],
    [4, 8192],
    [8, 16384],
  ] as const;
  return Array.from({ length: JOBS }, (_, i) => {
    const [vcpus, memoryMiB] = sizes[i % sizes.length]!;
    const projectId = project(i);
    return {
      jobId: i + 1,
      projectId,
      groupId: groupOf(projectId),
      runnerClass: {
        arch: i % 7 === 0 ? 'arm64' : 'x86_64',
        vcpus: vcpus * scale,
        memoryMiB: memoryMiB * scale,
      },
    };
  });
}

/** A few VMs already running for a third of the projects. */
function running(): Required<RunningCounts> {
  const byProject = new Map<number, number>();
  const byGroup = new Map<number, number>();
  for (let p = 1; p <= 200; p += 3) {
    byProject.set(p, p % 4);
    const g = groupOf(p);
    if (g !== null) byGroup.set(g, (byGroup.get(g) ?? 0) + (p % 4));
  }
  return { byProject, byGroup };
}

/** Which jobs first fit would place, in queue order. */
function firstFit(demands: Demand[], hosts: HostCapacity[]): boolean[] {
  const free = hosts.map((h) => ({ ...h }));
  return demands.map((d) => {
    const host = free.find(
      (h) =>
        h.accepting &&
        h.arch === d.runnerClass.arch &&
        h.memoryMiB - h.usedMemoryMiB >= d.runnerClass.memoryMiB &&
        h.vcpus * limits.cpuOvercommit - h.usedVcpus >= d.runnerClass.vcpus,
    );
    if (!host) return false;
    host.usedMemoryMiB += d.runnerClass.memoryMiB;
    host.usedVcpus += d.runnerClass.vcpus;
    return true;
  });
}

function median<T>(run: () => T): { ms: number; result: T } {
  const times: number[] = [];
  let result = run();
  for (let i = 0; i < ROUNDS; i++) {
    const started = process.hrtime.bigint();
    result = run();
    times.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { ms: times[Math.floor(ROUNDS / 2)]!, result };
}

/** Projects that got at least one VM, and what project 1 got. */
function served(demands: Demand[], placed: boolean[]): string {
  const projects = new Set<number>();
  let first = 0;
  placed.forEach((yes, i) => {
    if (!yes) return;
    projects.add(demands[i]!.projectId);
    if (demands[i]!.projectId === 1) first++;
  });
  const all = new Set(demands.map((d) => d.projectId)).size;
  return `${projects.size}/${all} projects served, project 1 got ${first}`;
}

function scenario(name: string, demands: Demand[]): void {
  const hosts = fleet();
  const run = running();
  const best = median(() => placeAll(demands, hosts, limits, run));
  const base = median(() => firstFit(demands, hosts));
  const placed = best.result.map((p) => p.hostId !== null);
  const used = new Set(best.result.map((p) => p.hostId).filter(Boolean));
  const basePlaced = base.result.filter(Boolean).length;

  console.log(`\n${name}: hosts ${HOSTS}, pending jobs ${JOBS}`);
  console.log(
    `placeAll (fair, best fit): ${best.ms.toFixed(1)} ms, ` +
      `${placed.filter(Boolean).length} placed on ${used.size} hosts; ` +
      served(demands, placed),
  );
  console.log(
    `first fit baseline:        ${base.ms.toFixed(1)} ms, ` +
      `${basePlaced} placed; ${served(demands, base.result)}`,
  );
  console.log(`ratio placeAll/first fit:  ${(best.ms / base.ms).toFixed(2)}x`);
}

scenario(
  'spread',
  queue((i) => (i % 200) + 1, 1),
);
scenario(
  'contended',
  queue((i) => (i < 6_000 ? 1 : 2 + (i % 199)), 3),
);
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;
console.log(`\nheap used: ${heapMiB.toFixed(1)} MiB`);
