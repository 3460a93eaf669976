// Placement speed at fleet scale: 1,000 hosts and 10,000 pending jobs,
// decided in one pure `placeAll` round. The baseline, measured in the
// same run on the same input, is a plain first-fit loop without the
// best-fit ordering, so the ratio shows what packing costs.
// Run: node --import tsx scripts/bench-placement.ts
import { placeAll } from '../src/scheduler/place.js';
import type { Demand, HostCapacity } from '../src/scheduler/place.js';

const HOSTS = 1_000;
const JOBS = 10_000;
const limits = { cpuOvercommit: 2, maxPerProject: 10_000 };

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

function queue(): Demand[] {
  const sizes = [
    [1, 1024],
    [2, 4096],
    [4, 8192],
    [8, 16384],
  ] as const;
  return Array.from({ length: JOBS }, (_, i) => {
    const [vcpus, memoryMiB] = sizes[i % sizes.length]!;
    return {
      jobId: i + 1,
      projectId: (i % 200) + 1,
      runnerClass: { arch: i % 7 === 0 ? 'arm64' : 'x86_64', vcpus, memoryMiB },
    };
  });
}

function firstFit(demands: Demand[], hosts: HostCapacity[]): number {
  const free = hosts.map((h) => ({ ...h }));
  let placed = 0;
  for (const d of demands) {
    const host = free.find(
      (h) =>
        h.accepting &&
        h.arch === d.runnerClass.arch &&
        h.memoryMiB - h.usedMemoryMiB >= d.runnerClass.memoryMiB &&
        h.vcpus * limits.cpuOvercommit - h.usedVcpus >= d.runnerClass.vcpus,
    );
    if (!host) continue;
    host.usedMemoryMiB += d.runnerClass.memoryMiB;
    host.usedVcpus += d.runnerClass.vcpus;
    placed++;
  }
  return placed;
}

function time<T>(run: () => T): { ms: number; result: T } {
  const started = process.hrtime.bigint();
  const result = run();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, result };
}

const hosts = fleet();
const demands = queue();
time(() => placeAll(demands.slice(0, 500), hosts, limits)); // warm up

const best = time(() => placeAll(demands, hosts, limits));
const base = time(() => firstFit(demands, hosts));
const placed = best.result.filter((p) => p.hostId !== null).length;
const used = new Set(best.result.map((p) => p.hostId).filter(Boolean)).size;
const heapMiB = process.memoryUsage().heapUsed / 2 ** 20;

console.log(`hosts ${HOSTS}, pending jobs ${JOBS}`);
console.log(
  `placeAll (best fit): ${best.ms.toFixed(1)} ms, ${placed} placed on ${used} hosts`,
);
console.log(
  `first fit baseline:  ${base.ms.toFixed(1)} ms, ${base.result} placed`,
);
console.log(`ratio best/first:    ${(best.ms / base.ms).toFixed(2)}x`);
console.log(`heap used:           ${heapMiB.toFixed(1)} MiB`);
