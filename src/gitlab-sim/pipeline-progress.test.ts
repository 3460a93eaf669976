import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideCreatedJobs, pipelineStatus } from './pipeline-progress.js';
import type { ProgressJob } from './pipeline-progress.js';

let nextId = 1;
function job(
  name: string,
  stageIdx: number,
  over: Partial<ProgressJob> = {},
): ProgressJob {
  return {
    id: nextId++,
    name,
    stageIdx,
    status: 'created',
    when: 'on_success',
    needs: null,
    retried: false,
    allowFailure: false,
    exitCode: null,
    ...over,
  };
}

function decide(jobs: ProgressJob[]): Record<string, string> {
  const names = new Map(jobs.map((j) => [j.id, j.name]));
  return Object.fromEntries(
    decideCreatedJobs(jobs).map((d) => [names.get(d.id), d.status]),
  );
}

test('first stage becomes pending, later stages wait', () => {
  const jobs = [job('a1', 1), job('a2', 1), job('b', 2)];
  assert.deepEqual(decide(jobs), { a1: 'pending', a2: 'pending' });
});

test('a failed stage skips on_success jobs, runs on_failure and always', () => {
  const jobs = [
    job('a', 1, { status: 'failed' }),
    job('b', 2),
    job('c', 2, { when: 'on_failure' }),
    job('d', 2, { when: 'always' }),
  ];
  assert.deepEqual(decide(jobs), { b: 'skipped', c: 'pending', d: 'pending' });
});

test('an allowed failure does not block the next stage', () => {
  const jobs = [
    job('a', 1, { status: 'failed', allowFailure: true }),
    job('b', 2),
    job('c', 2, { when: 'on_failure' }),
  ];
  assert.deepEqual(decide(jobs), { b: 'pending', c: 'skipped' });
});

test('exit_codes allow only the listed exit codes', () => {
  const allowed = { exitCodes: [3] };
  const ok = [
    job('a', 1, { status: 'failed', allowFailure: allowed, exitCode: 3 }),
    job('b', 2),
  ];
  const bad = [
    job('a', 1, { status: 'failed', allowFailure: allowed, exitCode: 1 }),
    job('b', 2),
  ];
  assert.deepEqual(decide(ok), { b: 'pending' });
  assert.deepEqual(decide(bad), { b: 'skipped' });
});

test('needs start a job before its stage predecessors finish', () => {
  const jobs = [
    job('a', 1, { status: 'success' }),
    job('slow', 1, { status: 'running' }),
    job('b', 2, { needs: ['a'] }),
    job('c', 2),
    job('d', 3, { needs: [] }),
  ];
  assert.deepEqual(decide(jobs), { b: 'pending', d: 'pending' });
});

test('skips cascade and manual jobs wait for a play', () => {
  const jobs = [
    job('a', 1, { status: 'failed' }),
    job('b', 2),
    job('c', 3),
    job('m', 3, { when: 'manual', allowFailure: true }),
  ];
  assert.deepEqual(decide(jobs), { b: 'skipped', c: 'skipped', m: 'skipped' });
  const manual = [
    job('a', 1, { status: 'success' }),
    job('m', 2, { when: 'manual', allowFailure: true }),
  ];
  assert.deepEqual(decide(manual), { m: 'manual' });
});

test('pipeline status follows GitLab composite rules', () => {
  const s = (...jobs: Partial<ProgressJob>[]) =>
    pipelineStatus(jobs.map((over, i) => job(`j${i}`, 1, over)));
  assert.equal(s({ status: 'success' }, { status: 'skipped' }), 'success');
  assert.equal(
    s({ status: 'success' }, { status: 'failed', allowFailure: true }),
    'success',
  );
  assert.equal(s({ status: 'success' }, { status: 'failed' }), 'failed');
  assert.equal(s({ status: 'success' }, { status: 'pending' }), 'running');
  assert.equal(s({ status: 'pending' }, { status: 'created' }), 'pending');
  assert.equal(s({ status: 'created' }), 'created');
  assert.equal(s({ status: 'canceled' }, { status: 'success' }), 'canceled');
  assert.equal(
    s({ status: 'success' }, { status: 'manual', allowFailure: true }),
    'success',
  );
  assert.equal(s({ status: 'failed' }, { status: 'running' }), 'running');
  assert.equal(s({ status: 'skipped' }), 'skipped');
  assert.equal(
    s(
      { status: 'success', retried: true },
      { status: 'failed', retried: false },
    ),
    'failed',
  );
});
