import assert from 'node:assert/strict';
import { test } from 'node:test';
import { placeAll } from './place.js';
import type { Demand, HostCapacity } from './place.js';

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

function demand(
  jobId: number,
  over: Partial<Demand['runnerClass']> = {},
  projectId = 1,
): Demand {
  return {
    jobId,
    projectId,
    runnerClass: { arch: 'x86_64', vcpus: 2, memoryMiB: 4096, ...over },
  };
}

test('placement table', () => {
  const cases: {
    name: string;
    demands: Demand[];
    hosts: HostCapacity[];
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
  ];
  for (const c of cases) {
    const result = placeAll(c.demands, c.hosts, limits);
    result.forEach((p, i) => {
      const want = c.expect[i]!;
      if (typeof want === 'string') assert.equal(p.hostId, want, c.name);
      else
        assert.match('reason' in p ? p.reason : String(p.hostId), want, c.name);
    });
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

test('a project at its limit waits while others are placed', () => {
  const demands = [demand(1, {}, 7), demand(2, {}, 7), demand(3, {}, 8)];
  const result = placeAll(
    demands,
    [host('x')],
    { ...limits, maxPerProject: 1 },
    new Map(),
  );
  assert.equal(result[0]!.hostId, 'x');
  assert.match(
    (result[1] as { reason: string }).reason,
    /project 7 is at its limit/,
  );
  assert.equal(result[2]!.hostId, 'x');
});

test('does not change its inputs', () => {
  const hosts = [host('x')];
  placeAll([demand(1)], hosts, limits);
  assert.equal(hosts[0]!.usedMemoryMiB, 0);
});
