import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJobHook } from './webhook.js';

function hook(overrides: Record<string, unknown> = {}) {
  return {
    object_kind: 'build',
    ref: 'main',
    tag: false,
    build_id: 1977,
    build_name: 'test',
    build_stage: 'test',
    build_status: 'pending',
    build_created_at: '2026-05-01T10:00:00.123Z',
    build_created_at_iso: '2026-05-01T10:00:00Z',
    build_started_at: null,
    build_finished_at: null,
    pipeline_id: 2366,
    runner: null,
    project_id: 380,
    ...overrides,
  };
}

test('parses a pending hook with ISO timestamps and no runner', () => {
  const event = parseJobHook(hook());
  assert.equal(event.jobId, 1977);
  assert.equal(event.projectId, 380);
  assert.equal(event.status, 'pending');
  assert.equal(event.runnerId, null);
  assert.equal(event.createdAt?.toISOString(), '2026-05-01T10:00:00.123Z');
});

test('parses the legacy Ruby timestamp format and the runner id', () => {
  const event = parseJobHook(
    hook({
      build_status: 'running',
      build_created_at: '2019-05-17 18:09:21 UTC',
      build_started_at: '2019-05-17 18:09:25 UTC',
      runner: { id: 9171, tags: ['firelab'], active: true },
    }),
  );
  assert.equal(event.runnerId, 9171);
  assert.equal(event.startedAt?.toISOString(), '2019-05-17T18:09:25.000Z');
});

test('names the offending field of a malformed hook', () => {
  const cases: [unknown, RegExp][] = [
    [null, /body/],
    [hook({ object_kind: 'push' }), /object_kind/],
    [hook({ build_id: 'x' }), /build_id/],
    [hook({ project_id: undefined }), /project_id/],
    [hook({ build_created_at: 'soon' }), /unrecognised GitLab timestamp/],
  ];
  for (const [body, message] of cases) {
    assert.throws(() => parseJobHook(body), message);
  }
});
