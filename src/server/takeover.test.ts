import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VmRecord } from '../store/index.js';
import { planTakeover } from './takeover.js';

function vm(
  id: string,
  demandJobId: number,
  over: Partial<VmRecord> = {},
): VmRecord {
  return {
    id,
    demandJobId,
    projectId: 1,
    groupId: null,
    agentId: 'a',
    runnerId: 1,
    tookJobId: null,
    state: 'idle',
    arch: 'x86_64',
    vcpus: 1,
    memoryMiB: 512,
    createdAt: 0,
    bootedAt: null,
    jobStartedAt: null,
    endedAt: null,
    exitKind: null,
    exitDetail: null,
    consolePath: null,
    ...over,
  };
}

test('takeover table', () => {
  const a = vm('a', 10);
  const b = vm('b', 11);
  const cases: [
    string,
    ReturnType<typeof planTakeover>,
    ReturnType<typeof planTakeover>,
  ][] = [
    [
      'unknown runner',
      planTakeover(undefined, 10, []),
      { kind: 'ignore', reason: 'runner belongs to no firelab VM' },
    ],
    ['own job', planTakeover(a, 10, [a, b]), { kind: 'own-job' }],
    [
      'swap with the VM made for the taken job',
      planTakeover(a, 11, [a, b]),
      { kind: 'swap', otherVmId: 'b', originalJobId: 10 },
    ],
    [
      'requeue when no VM was made for it',
      planTakeover(a, 12, [a, b]),
      { kind: 'requeue', originalJobId: 10 },
    ],
    [
      'a busy VM is no swap partner',
      planTakeover(a, 11, [a, vm('b', 11, { tookJobId: 11, state: 'busy' })]),
      { kind: 'requeue', originalJobId: 10 },
    ],
    [
      'a stopping VM is no swap partner',
      planTakeover(a, 11, [a, vm('b', 11, { state: 'stopping' })]),
      { kind: 'requeue', originalJobId: 10 },
    ],
    [
      'duplicate report',
      planTakeover(vm('a', 10, { tookJobId: 10 }), 10, []),
      { kind: 'ignore', reason: 'already known' },
    ],
    [
      'a runner takes one job only',
      planTakeover(vm('a', 10, { tookJobId: 10 }), 12, []),
      { kind: 'ignore', reason: 'runner already took job 10' },
    ],
    [
      'ended VM whose job was not known: recorded late',
      planTakeover(vm('a', 10, { state: 'ended' }), 11, []),
      { kind: 'late', originalJobId: 10 },
    ],
  ];
  for (const [name, actual, expected] of cases)
    assert.deepEqual(actual, expected, name);
});
