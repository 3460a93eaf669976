import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classify } from './runner-class.js';
import type { ClassResult } from './runner-class.js';

const defaults = { arch: 'x86_64', vcpus: 2, memoryMiB: 2048 } as const;
const limits = { maxVcpus: 16, maxMemoryMiB: 65536 };

test('maps tags to runner classes', () => {
  const cases: [string[], ClassResult][] = [
    [['docker'], { kind: 'not-firelab' }],
    [[], { kind: 'not-firelab' }],
    [['firelab'], { kind: 'firelab', runnerClass: defaults }],
    [['linux', 'firelab'], { kind: 'firelab', runnerClass: defaults }],
    [
      ['firelab-4cpu-8gb'],
      {
        kind: 'firelab',
        runnerClass: { arch: 'x86_64', vcpus: 4, memoryMiB: 8192 },
      },
    ],
    [
      ['firelab', 'firelab-1cpu-512mb'],
      {
        kind: 'firelab',
        runnerClass: { arch: 'x86_64', vcpus: 1, memoryMiB: 512 },
      },
    ],
    [
      ['firelab-arm64-2cpu-4gb'],
      {
        kind: 'firelab',
        runnerClass: { arch: 'arm64', vcpus: 2, memoryMiB: 4096 },
      },
    ],
    [
      ['firelab-aarch64'],
      { kind: 'firelab', runnerClass: { ...defaults, arch: 'arm64' } },
    ],
    [
      ['firelab-amd64-8cpu-16gb'],
      {
        kind: 'firelab',
        runnerClass: { arch: 'x86_64', vcpus: 8, memoryMiB: 16384 },
      },
    ],
  ];
  for (const [tags, expected] of cases) {
    assert.deepEqual(
      classify(tags, defaults, limits),
      expected,
      tags.join(','),
    );
  }
});

test('rejects unknown, conflicting and oversized firelab tags', () => {
  const cases: [string[], RegExp][] = [
    [['firelab-huge'], /unknown firelab tag "firelab-huge"/],
    [['firelab-2cpu-4gb', 'firelab-4cpu-8gb'], /conflicting firelab tags/],
    [['firelab-64cpu-8gb'], /64 vCPUs is outside 1..16/],
    [['firelab-0cpu-8gb'], /0 vCPUs/],
    [['firelab-2cpu-100mb'], /100 MiB is outside/],
    [['firelab-2cpu-128gb'], /131072 MiB is outside/],
  ];
  for (const [tags, reason] of cases) {
    const result = classify(tags, defaults, limits);
    assert.equal(result.kind, 'invalid', tags.join(','));
    assert.match((result as { reason: string }).reason, reason);
  }
});
