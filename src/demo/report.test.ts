import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VmRecord } from '../store/index.js';
import { phaseOf, reportJob, summaryLines } from './report.js';

const job = {
  id: 7,
  name: 'build',
  status: 'success',
  exitCode: 0,
  queuedAt: new Date(1000),
  startedAt: new Date(4000),
  finishedAt: new Date(9000),
  trace: Buffer.from('line 1\nline 2\n'),
};

function vm(over: Partial<VmRecord>): VmRecord {
  return {
    id: 'vm-1',
    demandJobId: 7,
    projectId: 1,
    groupId: null,
    agentId: 'a',
    runnerId: 3,
    tookJobId: 7,
    state: 'ended',
    arch: 'x86_64',
    vcpus: 1,
    memoryMiB: 512,
    createdAt: 1500,
    bootedAt: 3500,
    jobStartedAt: 4000,
    endedAt: 9500,
    exitKind: 'guest-exit',
    exitDetail: '',
    consolePath: null,
    ...over,
  };
}

test('reports outcome, VM and timings', () => {
  const row = reportJob(job, [vm({})], { build: 'success' });
  assert.deepEqual(row, {
    id: 7,
    name: 'build',
    status: 'success',
    expected: 'success',
    asExpected: true,
    exitCode: 0,
    vmId: 'vm-1',
    timings: { queuedMs: 3000, vmStartMs: 2000, runMs: 5000 },
  });
  const bad = reportJob(job, [], { build: 'failed' });
  assert.equal(bad.asExpected, false);
  assert.equal(bad.traceTail, 'line 1\nline 2');
  assert.equal(
    reportJob({ ...job, startedAt: null }, [], {}).timings.queuedMs,
    null,
  );
});

test('phases a job goes through', () => {
  const pending = { ...job, status: 'pending' };
  assert.equal(phaseOf(pending, undefined, []), 'pending');
  assert.equal(
    phaseOf(pending, undefined, [vm({ tookJobId: null, state: 'booting' })]),
    'VM booting (vm-1)',
  );
  assert.equal(
    phaseOf({ ...job, status: 'running' }, undefined, [vm({ state: 'busy' })]),
    'running in vm-1',
  );
  assert.equal(phaseOf(job, undefined, []), 'finished: success');
});

test('summary ends with what is left', () => {
  const lines = summaryLines([reportJob(job, [vm({})], {})], {
    runners: 0,
    vms: 0,
  });
  assert.match(lines[0]!, /^ok {2}#7 build/);
  assert.equal(
    lines.at(-1),
    '1/1 jobs ended as expected; 0 firelab runners and 0 VMs left',
  );
});
