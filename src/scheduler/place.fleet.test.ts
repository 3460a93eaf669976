// Placement at fleet scale (1,000 hosts, 10,000 queued jobs): checks
// what must hold after every round, whatever the order chosen. No timing
// asserts here; scripts/bench-placement.ts measures speed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeAll } from './place.js';
import type {
  Demand,
  HostCapacity,
  Placement,
  PlacementLimits,
  RunningCounts,
} from './place.js';

/** Park-Miller: the same fleet and queue on every run. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 48271) % 2147483647;
    return state % n;
  };
}

function pick<T>(rand: (n: number) => number, list: readonly T[]): T {
  return list[rand(list.length)]!;
}

function fleet(rand: (n: number) => number, ratio: number): HostCapacity[] {
  return Array.from({ length: 1000 }, (_, i) => {
    const vcpus = pick(rand, [16, 32, 64]);
    const memoryMiB = pick(rand, [65536, 131072, 262144]);
    return {
      id: `h${String(i).padStart(4, '0')}`,
      arch: rand(5) === 0 ? 'arm64' : 'x86_64',
      vcpus,
      memoryMiB,
      usedVcpus: rand(vcpus * ratio + 1),
      // A few hosts start over their memory (an agent restarted with
      // less): they must take nothing.
      usedMemoryMiB:
        i % 100 === 0 ? memoryMiB + 1024 : rand(memoryMiB / 1024 + 1) * 1024,
      accepting: rand(30) !== 0,
    };
  });
}

const SIZES = [
  [1, 1024],
  [2, 4096],
  [4, 8192],
  [8, 16384],
  [16, 65536],
  [64, 131072],
] as const;

/** Project 1 (group 1000) queues 3,000 jobs first; 399 others follow. */
function queue(rand: (n: number) => number): Demand[] {
  return Array.from({ length: 10_000 }, (_, i) => {
    const projectId = i < 3000 ? 1 : 2 + rand(399);
    const [vcpus, memoryMiB] =
      i % 2000 === 1999 ? [8, 1 << 20] : pick(rand, SIZES);
    return {
      jobId: 100_000 + i,
      projectId,
      groupId: projectId % 5 === 0 ? null : 1000 + (projectId % 40),
      runnerClass: {
        arch: rand(7) === 0 ? 'arm64' : 'x86_64',
        vcpus,
        memoryMiB,
      },
    };
  });
}

function running(rand: (n: number) => number): Required<RunningCounts> {
  const byProject = new Map<number, number>();
  const byGroup = new Map<number, number>();
  for (let p = 1; p <= 400; p += 3) byProject.set(p, rand(45));
  for (let g = 1000; g < 1040; g += 2) byGroup.set(g, rand(160));
  byGroup.set(1003, 150); // at its cap before the round starts
  return { byProject, byGroup };
}

interface Outcome {
  hosts: Map<string, HostCapacity>;
  byProject: Map<number, number>;
  byGroup: Map<number, number>;
}

/** Replays the placements on copies of the hosts and of the counts. */
function replay(
  demands: readonly Demand[],
  hosts: readonly HostCapacity[],
  run: Required<RunningCounts>,
  result: readonly Placement[],
): Outcome {
  const out: Outcome = {
    hosts: new Map(hosts.map((h) => [h.id, { ...h }])),
    byProject: new Map(run.byProject),
    byGroup: new Map(run.byGroup),
  };
  result.forEach((p, i) => {
    const d = demands[i]!;
    assert.equal(p.jobId, d.jobId, 'results keep the input order');
    if (p.hostId === null) return;
    const h = out.hosts.get(p.hostId);
    assert.ok(h, `job ${d.jobId} on unknown host ${p.hostId}`);
    assert.ok(h.accepting, `job ${d.jobId} on draining host ${h.id}`);
    assert.equal(h.arch, d.runnerClass.arch, `job ${d.jobId} arch`);
    h.usedMemoryMiB += d.runnerClass.memoryMiB;
    h.usedVcpus += d.runnerClass.vcpus;
    out.byProject.set(d.projectId, (out.byProject.get(d.projectId) ?? 0) + 1);
    if (d.groupId != null)
      out.byGroup.set(d.groupId, (out.byGroup.get(d.groupId) ?? 0) + 1);
  });
  return out;
}

function fitsSomewhere(
  d: Demand,
  hosts: Iterable<HostCapacity>,
  ratio: number,
): boolean {
  const want = d.runnerClass;
  for (const h of hosts) {
    if (!h.accepting || h.arch !== want.arch) continue;
    if (h.memoryMiB - h.usedMemoryMiB < want.memoryMiB) continue;
    if (h.vcpus * ratio - h.usedVcpus < want.vcpus) continue;
    return true;
  }
  return false;
}

/** Counts by the kind of reason; fails on anything not justified. */
function checkWaiting(
  demands: readonly Demand[],
  result: readonly Placement[],
  out: Outcome,
  limits: Required<PlacementLimits>,
): Record<string, number> {
  const kinds: Record<string, number> = {};
  result.forEach((p, i) => {
    if (p.hostId !== null) return;
    const d = demands[i]!;
    assert.ok(p.reason.length > 0, `job ${d.jobId} waits with no reason`);
    const kind = /^(project|group|no|waiting)/.exec(p.reason)?.[1];
    assert.ok(kind, `job ${d.jobId}: unknown reason "${p.reason}"`);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind === 'project') {
      assert.ok(p.reason.startsWith(`project ${d.projectId} `));
      const held = out.byProject.get(d.projectId) ?? 0;
      assert.ok(held >= limits.maxPerProject, `job ${d.jobId}: cap not hit`);
    } else if (kind === 'group') {
      assert.ok(p.reason.startsWith(`group ${d.groupId} `));
      const held = out.byGroup.get(d.groupId!) ?? 0;
      assert.ok(held >= limits.maxPerGroup, `job ${d.jobId}: cap not hit`);
    } else {
      const fits = fitsSomewhere(d, out.hosts.values(), limits.cpuOvercommit);
      assert.ok(!fits, `job ${d.jobId} waits but fits after the round`);
    }
  });
  return kinds;
}

test('1,000 hosts x 10,000 jobs: no invariant broken', () => {
  const rand = random(20240601);
  const limits = {
    cpuOvercommit: 2,
    maxPerProject: 40,
    maxPerGroup: 150,
  };
  const hosts = fleet(rand, limits.cpuOvercommit);
  const demands = queue(rand);
  const run = running(rand);

  const result = placeAll(demands, hosts, limits, run);

  assert.equal(result.length, demands.length);
  const out = replay(demands, hosts, run, result);
  for (const h of out.hosts.values()) {
    const before = hosts.find((x) => x.id === h.id)!;
    if (h.usedMemoryMiB === before.usedMemoryMiB) continue;
    assert.ok(before.usedMemoryMiB <= h.memoryMiB, `${h.id} was already full`);
    assert.ok(h.usedMemoryMiB <= h.memoryMiB, `${h.id} memory over-committed`);
    const cpus = h.vcpus * limits.cpuOvercommit;
    assert.ok(h.usedVcpus <= cpus, `${h.id} vCPU beyond ratio`);
  }
  for (const [p, held] of out.byProject) {
    if (held > (run.byProject.get(p) ?? 0))
      assert.ok(held <= limits.maxPerProject, `project ${p} over its cap`);
  }
  for (const [g, held] of out.byGroup) {
    if (held > (run.byGroup.get(g) ?? 0))
      assert.ok(held <= limits.maxPerGroup, `group ${g} over its cap`);
  }
  const kinds = checkWaiting(demands, result, out, limits);

  // The scenario is only worth something if every path was taken.
  const placed = result.filter((p) => p.hostId !== null).length;
  assert.ok(placed > 1000, `only ${placed} placed`);
  for (const kind of ['project', 'group', 'no', 'waiting'])
    assert.ok((kinds[kind] ?? 0) > 0, `no job waits for "${kind}"`);
});

/** Who takes turns at the top level: a group, or a project without one. */
function topOf(d: Demand): string {
  return d.groupId != null ? `g${d.groupId}` : `p${d.projectId}`;
}

/** Shares per owner: VMs held at the end, and whether any job waits. */
function shares(
  demands: readonly Demand[],
  result: readonly Placement[],
  startHeld: (d: Demand) => number,
  owner: (d: Demand) => string,
): Map<string, { held: number; placed: number; waits: boolean }> {
  const out = new Map<
    string,
    { held: number; placed: number; waits: boolean }
  >();
  demands.forEach((d, i) => {
    const key = owner(d);
    const share = out.get(key) ?? {
      held: startHeld(d),
      placed: 0,
      waits: false,
    };
    if (result[i]!.hostId === null) share.waits = true;
    else share.placed++;
    share.held = startHeld(d) + share.placed;
    out.set(key, share);
  });
  return out;
}

/** Max-min fairness: nobody placed ends more than one above a waiter. */
function assertMaxMin(
  label: string,
  list: Iterable<{ held: number; placed: number; waits: boolean }>,
): void {
  const all = [...list];
  const floor = Math.min(...all.filter((s) => s.waits).map((s) => s.held));
  for (const s of all) {
    if (s.placed > 0) assert.ok(s.held <= floor + 1, `${label}: ${s.held}`);
  }
}

test('1,000 hosts x 10,000 equal jobs: shares differ by at most one', () => {
  const rand = random(7);
  const hosts: HostCapacity[] = Array.from({ length: 1000 }, (_, i) => ({
    id: `h${i}`,
    arch: 'x86_64',
    vcpus: 16,
    memoryMiB: 32768,
    usedVcpus: 0,
    usedMemoryMiB: rand(5) * 4096,
    accepting: true,
  }));
  const demands: Demand[] = Array.from({ length: 10_000 }, (_, i) => {
    const projectId = i < 4000 ? 1 : 2 + rand(300);
    return {
      jobId: i + 1,
      projectId,
      groupId: projectId % 3 === 0 ? null : 500 + (projectId % 25),
      runnerClass: { arch: 'x86_64', vcpus: 2, memoryMiB: 4096 },
    };
  });
  const run = running(rand);
  const limits = { cpuOvercommit: 2, maxPerProject: Infinity };

  const result = placeAll(demands, hosts, limits, run);

  const top = shares(demands, result, (d) => heldAtStart(d, run), topOf);
  assertMaxMin('top level', top.values());
  for (const [group, indices] of indicesBy(demands, topOf)) {
    const byProject = shares(
      indices.map((i) => demands[i]!),
      indices.map((i) => result[i]!),
      (d) => run.byProject.get(d.projectId) ?? 0,
      (d) => `p${d.projectId}`,
    );
    assertMaxMin(group, byProject.values());
  }
  assertFifoPerProject(demands, result);
  const waiting = result.filter((p) => p.hostId === null).length;
  assert.ok(waiting > 1000 && waiting < 9000, `${waiting} waiting`);
});

function indicesBy(
  demands: readonly Demand[],
  key: (d: Demand) => string,
): Map<string, number[]> {
  const out = new Map<string, number[]>();
  demands.forEach((d, i) => {
    const list = out.get(key(d)) ?? [];
    list.push(i);
    out.set(key(d), list);
  });
  return out;
}

function heldAtStart(d: Demand, run: Required<RunningCounts>): number {
  return d.groupId != null
    ? (run.byGroup.get(d.groupId) ?? 0)
    : (run.byProject.get(d.projectId) ?? 0);
}

/** With equal jobs, what a project got is a prefix of its own queue. */
function assertFifoPerProject(
  demands: readonly Demand[],
  result: readonly Placement[],
): void {
  const waited = new Set<number>();
  demands.forEach((d, i) => {
    if (result[i]!.hostId === null) waited.add(d.projectId);
    else
      assert.ok(
        !waited.has(d.projectId),
        `job ${d.jobId} jumped its own queue`,
      );
  });
}
