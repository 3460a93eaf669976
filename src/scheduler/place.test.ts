import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeAll } from './place.js';
import type {
  Demand,
  HostCapacity,
  PlacementLimits,
  RunningCounts,
} from './place.js';

const limits = { cpuOvercommit: 1, maxPerProject: 100 };

function host(id: string, over: Partial<HostCapacity> = {}): HostCapacity {
  return {
    id,
    arch: 'x86_64',
    vcpus: 8,
    memoryMiB: 16384,
    usedVcpus: 0,
    usedMemoryMiB: 0,
    accepting: true,
    ...over,
  };
}

/** One host with room for exactly `n` default demands (2 vCPU, 4 GiB). */
function room(n: number): HostCapacity[] {
  return [host('r', { vcpus: 2 * n, memoryMiB: 4096 * n })];
}

function demand(
  jobId: number,
  over: Partial<Demand['runnerClass']> = {},
  projectId = 1,
  groupId: number | null = null,
): Demand {
  return {
    jobId,
    projectId,
    groupId,
    runnerClass: { arch: 'x86_64', vcpus: 2, memoryMiB: 4096, ...over },
  };
}

/** Default-sized demands `from..to` of one project, in arrival order. */
function jobs(
  from: number,
  to: number,
  projectId: number,
  groupId: number | null = null,
): Demand[] {
  const ids = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  return ids.map((id) => demand(id, {}, projectId, groupId));
}

function counts(entries: [number, number][]): ReadonlyMap<number, number> {
  return new Map(entries);
}

test('placement table', () => {
  const cases: {
    name: string;
    demands: Demand[];
    hosts: HostCapacity[];
    limits?: Partial<PlacementLimits>;
    running?: RunningCounts;
    expect: (string | RegExp)[];
  }[] = [
    {
      name: 'best fit by memory packs the fuller host',
      demands: [demand(1)],
      hosts: [host('a'), host('b', { usedMemoryMiB: 8192, usedVcpus: 2 })],
      expect: ['b'],
    },
    {
      name: 'memory ties broken by free vCPU, then id',
      demands: [demand(1), demand(2)],
      hosts: [host('b'), host('a'), host('c', { usedVcpus: 4 })],
      expect: ['c', 'c'],
    },
    {
      name: 'reservations accumulate within one round',
      demands: [demand(1), demand(2), demand(3), demand(4), demand(5)],
      hosts: [host('a')],
      expect: ['a', 'a', 'a', 'a', /waiting for 4096 MiB/],
    },
    {
      name: 'architecture is honoured',
      demands: [demand(1, { arch: 'arm64' }), demand(2)],
      hosts: [host('x'), host('g', { arch: 'arm64' })],
      expect: ['g', 'x'],
    },
    {
      name: 'no host of the architecture',
      demands: [demand(1, { arch: 'arm64' })],
      hosts: [host('x')],
      expect: [/no arm64 host is connected/],
    },
    {
      name: 'too large for any host',
      demands: [demand(1, { memoryMiB: 65536 })],
      hosts: [host('x')],
      expect: [/no x86_64 host is large enough/],
    },
    {
      name: 'draining hosts take nothing',
      demands: [demand(1)],
      hosts: [host('x', { accepting: false })],
      expect: [/no x86_64 host is connected/],
    },
    {
      name: 'vCPU limit without over-commit',
      demands: [
        demand(1, { vcpus: 6, memoryMiB: 1024 }),
        demand(2, { vcpus: 4, memoryMiB: 1024 }),
      ],
      hosts: [host('x')],
      expect: ['x', /waiting/],
    },
    {
      name: 'a project at its cap waits, saying so; others are placed',
      demands: [demand(1, {}, 7), demand(2, {}, 7), demand(3, {}, 8)],
      hosts: [host('x')],
      limits: { maxPerProject: 1 },
      expect: ['x', /^project 7 is at its limit of 1 VMs$/, 'x'],
    },
    {
      name: 'the project cap counts VMs already running',
      demands: [demand(1, {}, 7), demand(2, {}, 8)],
      hosts: [host('x')],
      limits: { maxPerProject: 2 },
      running: { byProject: counts([[7, 2]]) },
      expect: [/project 7 is at its limit of 2 VMs/, 'x'],
    },
    {
      name: 'a group at its cap waits, saying so; other groups are placed',
      demands: [
        demand(1, {}, 7, 70),
        demand(2, {}, 8, 70),
        demand(3, {}, 9, 90),
      ],
      hosts: [host('x')],
      limits: { maxPerGroup: 1 },
      expect: [
        'x',
        /^group 70 \(of project 8\) is at its limit of 1 VMs$/,
        'x',
      ],
    },
    {
      name: 'the group cap counts VMs already running in the group',
      demands: [demand(1, {}, 7, 70), demand(2, {}, 9, 90)],
      hosts: [host('x')],
      limits: { maxPerGroup: 3 },
      running: { byGroup: counts([[70, 3]]) },
      expect: [/group 70 .*limit of 3 VMs/, 'x'],
    },
    {
      name: 'the project cap is named before the group cap',
      demands: [demand(1, {}, 7, 70)],
      hosts: [host('x')],
      limits: { maxPerProject: 1, maxPerGroup: 1 },
      running: { byProject: counts([[7, 1]]), byGroup: counts([[70, 1]]) },
      expect: [/^project 7 is at its limit/],
    },
    {
      name: 'a project without a group has no group cap',
      demands: [demand(1, {}, 7), demand(2, {}, 7)],
      hosts: [host('x')],
      limits: { maxPerGroup: 1 },
      running: { byGroup: counts([[7, 5]]) },
      expect: ['x', 'x'],
    },
    {
      name: 'no maxPerGroup: groups are not capped',
      demands: jobs(1, 3, 7, 70),
      hosts: [host('x')],
      running: { byGroup: counts([[70, 1000]]) },
      expect: ['x', 'x', 'x'],
    },
    {
      name: 'a capped project leaves room that a later project takes',
      demands: [...jobs(1, 4, 7), demand(5, {}, 8)],
      hosts: room(2),
      limits: { maxPerProject: 1 },
      expect: ['r', /project 7/, /project 7/, /project 7/, 'r'],
    },
    {
      name: 'results stay in input order whatever order they were decided in',
      demands: [...jobs(1, 3, 7), demand(4, {}, 8)],
      hosts: room(2),
      expect: ['r', /waiting/, /waiting/, 'r'],
    },
  ];
  for (const c of cases) {
    const result = placeAll(
      c.demands,
      c.hosts,
      { ...limits, ...c.limits },
      c.running,
    );
    assert.equal(result.length, c.expect.length, c.name);
    result.forEach((p, i) => {
      const want = c.expect[i]!;
      assert.equal(p.jobId, c.demands[i]!.jobId, c.name);
      if (typeof want === 'string') assert.equal(p.hostId, want, c.name);
      else
        assert.match('reason' in p ? p.reason : String(p.hostId), want, c.name);
    });
  }
});

test('fairness table: which jobs get the room', () => {
  const cases: {
    name: string;
    demands: Demand[];
    hosts: HostCapacity[];
    limits?: Partial<PlacementLimits>;
    running?: RunningCounts;
    placed: number[];
  }[] = [
    {
      name: 'a 500-job backlog does not starve a later one-job project',
      demands: [...jobs(1, 500, 1), demand(501, {}, 2)],
      hosts: room(2),
      placed: [1, 501],
    },
    {
      name: 'uneven queues take turns, each in its own FIFO order',
      demands: [...jobs(1, 6, 1), ...jobs(7, 9, 2), demand(10, {}, 3)],
      hosts: room(6),
      placed: [1, 2, 3, 7, 8, 10],
    },
    {
      name: 'a project keeps its arrival order, not its job-id order',
      demands: [demand(9, {}, 1), demand(3, {}, 1), demand(5, {}, 1)],
      hosts: room(2),
      placed: [3, 9],
    },
    {
      name: 'the project holding fewest VMs goes first',
      demands: [...jobs(1, 3, 1), ...jobs(4, 6, 2)],
      hosts: room(3),
      running: { byProject: counts([[1, 2]]) },
      placed: [1, 4, 5],
    },
    {
      name: 'with nothing running and one job each, plain FIFO',
      demands: [demand(1, {}, 5), demand(2, {}, 4), demand(3, {}, 3)],
      hosts: room(2),
      placed: [1, 2],
    },
    {
      name: 'groups share first, then projects within a group',
      demands: [...jobs(1, 4, 1, 10), ...jobs(5, 8, 2, 10), ...jobs(9, 12, 3)],
      hosts: room(4),
      placed: [1, 5, 9, 10],
    },
    {
      name: 'a group with many projects gets no more than one with one',
      demands: [
        ...jobs(1, 3, 1, 10),
        ...jobs(4, 6, 2, 10),
        ...jobs(7, 9, 3, 10),
        ...jobs(10, 15, 4, 20),
      ],
      hosts: room(6),
      placed: [1, 4, 7, 10, 11, 12],
    },
    {
      name: 'the group holding fewest VMs goes first',
      demands: [...jobs(1, 3, 1, 10), ...jobs(4, 6, 2, 20)],
      hosts: room(2),
      running: { byGroup: counts([[10, 4]]) },
      placed: [4, 5],
    },
    {
      name: "a job that fits nowhere does not push back its project's next",
      demands: [
        demand(1, { memoryMiB: 12288 }, 1),
        demand(2, {}, 1),
        ...jobs(3, 4, 2),
      ],
      hosts: room(2),
      placed: [2, 3],
    },
    {
      name: 'a capped project does not hold back other projects',
      demands: [...jobs(1, 50, 1), ...jobs(51, 52, 2)],
      hosts: room(4),
      limits: { maxPerProject: 3 },
      running: { byProject: counts([[1, 3]]) },
      placed: [51, 52],
    },
    {
      name: 'a capped group does not hold back other groups',
      demands: [
        ...jobs(1, 5, 1, 10),
        ...jobs(6, 10, 2, 10),
        ...jobs(11, 13, 3),
      ],
      hosts: room(6),
      limits: { maxPerGroup: 2 },
      placed: [1, 6, 11, 12, 13],
    },
    {
      name: 'architectures do not take turns from each other',
      demands: [
        ...jobs(1, 3, 1).map((d) => ({
          ...d,
          runnerClass: { ...d.runnerClass, arch: 'arm64' as const },
        })),
        ...jobs(4, 5, 1),
        ...jobs(6, 8, 2),
      ],
      hosts: room(3),
      placed: [4, 5, 6],
    },
  ];
  for (const c of cases) {
    const result = placeAll(
      c.demands,
      c.hosts,
      { ...limits, ...c.limits },
      c.running,
    );
    const placed = result.filter((p) => p.hostId !== null).map((p) => p.jobId);
    assert.deepEqual(
      placed.sort((a, b) => a - b),
      c.placed,
      c.name,
    );
  }
});

test('vCPU over-commit ratio is a ceiling, memory never over-commits', () => {
  const demands = [1, 2, 3].map((id) =>
    demand(id, { vcpus: 8, memoryMiB: 1024 }),
  );
  const result = placeAll(demands, [host('x')], {
    ...limits,
    cpuOvercommit: 2,
  });
  assert.deepEqual(
    result.map((p) => p.hostId),
    ['x', 'x', null],
  );
});

test('does not change its inputs', () => {
  const hosts = [host('x')];
  const byProject = new Map([[1, 1]]);
  const byGroup = new Map([[10, 1]]);
  placeAll([demand(1, {}, 1, 10)], hosts, limits, { byProject, byGroup });
  assert.equal(hosts[0]!.usedMemoryMiB, 0);
  assert.deepEqual([...byProject], [[1, 1]]);
  assert.deepEqual([...byGroup], [[10, 1]]);
});
