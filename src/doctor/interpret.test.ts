import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  cgroupV2Problem,
  clockProblem,
  memAvailableMiB,
  parseVersion,
  supportedFirecracker,
} from './interpret.js';

test('parseVersion', () => {
  assert.equal(parseVersion('Firecracker v1.16.1\n\n'), '1.16.1');
  assert.equal(parseVersion('Jailer v1.16.0'), '1.16.0');
  assert.equal(parseVersion('garbage'), undefined);
  assert.ok(supportedFirecracker('1.16.1'));
  assert.ok(!supportedFirecracker('1.17.0'));
});

test('memAvailableMiB', () => {
  const meminfo = 'MemTotal:  8000000 kB\nMemAvailable:    2097152 kB\n';
  assert.equal(memAvailableMiB(meminfo), 2048);
  assert.equal(memAvailableMiB('MemTotal: 1 kB\n'), undefined);
});

test('clockProblem', () => {
  const now = new Date('2026-07-01T00:00:00Z');
  const cases: [Parameters<typeof clockProblem>[0], RegExp | undefined][] = [
    [{ now, wallDeltaMs: 50, monoDeltaMs: 50 }, undefined],
    [
      {
        now: new Date('1970-01-01T00:00:00Z'),
        wallDeltaMs: 50,
        monoDeltaMs: 50,
      },
      /year 1970/,
    ],
    [{ now, wallDeltaMs: 50, monoDeltaMs: 0 }, /did not advance/],
    [{ now, wallDeltaMs: 5_000, monoDeltaMs: 50 }, /jumped/],
  ];
  for (const [sample, problem] of cases) {
    const found = clockProblem(sample);
    if (problem) assert.match(found ?? '', problem);
    else assert.equal(found, undefined);
  }
});

test('cgroupV2Problem', () => {
  const all = ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'];
  const cases: [string | undefined, string[], RegExp | undefined][] = [
    ['/sys/fs/cgroup', all, undefined],
    [undefined, [], /no cgroup v2/],
    [
      '/sys/fs/cgroup/unified',
      ['hugetlb'],
      /unified lacks the memory, cpu, pids controllers/,
    ],
    ['/sys/fs/cgroup', ['cpu', 'memory'], /lacks the pids controller \(/],
  ];
  for (const [mount, controllers, problem] of cases) {
    const found = cgroupV2Problem(mount, controllers);
    if (problem) assert.match(found ?? '', problem);
    else assert.equal(found, undefined);
  }
});
