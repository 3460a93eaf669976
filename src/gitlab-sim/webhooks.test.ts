import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { startReceiver, startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
let rx: Awaited<ReturnType<typeof startReceiver>>;
beforeEach(async () => {
  fx = await startSim();
  rx = await startReceiver();
  fx.sim.admin.addHook(fx.project, { url: rx.url, token: 'secret' });
});
afterEach(async () => {
  await fx.close();
  await rx.close();
});

const ONE_JOB = { '.gitlab-ci.yml': 'a: { script: x }' };
const KEYS = [
  'object_kind',
  'ref',
  'tag',
  'before_sha',
  'sha',
  'retries_count',
  'build_id',
  'build_name',
  'build_stage',
  'build_status',
  'build_created_at',
  'build_created_at_iso',
  'build_started_at',
  'build_started_at_iso',
  'build_finished_at',
  'build_finished_at_iso',
  'build_duration',
  'build_queued_duration',
  'build_allow_failure',
  'build_failure_reason',
  'pipeline_id',
  'runner',
  'project_id',
  'project_name',
  'user',
  'commit',
  'repository',
  'project',
  'environment',
];

test('Job Hook payload keys in order and GitLab headers', async () => {
  await fx.sim.admin.pushFiles(fx.project, ONE_JOB, 'ci');
  await fx.sim.admin.waitForHookDeliveries((d) => d.length === 2);
  await fx.sim.admin.hooksIdle();
  assert.equal(rx.received.length, 2);
  const [created, pending] = rx.received;
  assert.deepEqual(Object.keys(created!.body), KEYS);
  assert.equal(created!.body['build_status'], 'created');
  assert.equal(pending!.body['build_status'], 'pending');
  assert.equal(created!.body['runner'], null);
  assert.equal(created!.body['project_name'], 'Firelab / Sample');
  assert.match(
    String(created!.body['build_created_at']),
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
  );
  assert.match(
    String(created!.body['build_created_at_iso']),
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/,
  );
  assert.equal(
    (created!.body['commit'] as { id: number }).id,
    created!.body['pipeline_id'],
  );
  assert.equal('tag_list' in created!.body, false);

  const h = created!.headers;
  assert.equal(h['content-type'], 'application/json');
  assert.match(String(h['user-agent']), /^GitLab\/\d+\.\d+/);
  assert.equal(h['x-gitlab-event'], 'Job Hook');
  assert.equal(h['x-gitlab-token'], 'secret');
  assert.equal(h['x-gitlab-instance'], fx.sim.url);
  for (const name of [
    'idempotency-key',
    'x-gitlab-webhook-uuid',
    'x-gitlab-event-uuid',
  ]) {
    assert.match(String(h[name]), /^[0-9a-f-]{36}$/, name);
  }
  assert.notEqual(h['idempotency-key'], pending!.headers['idempotency-key']);
});

test('duplicates keep the Idempotency-Key and get a new Webhook-UUID; resend too', async () => {
  fx.sim.admin.faults.duplicateHooks(1);
  await fx.sim.admin.pushFiles(fx.project, ONE_JOB, 'ci');
  await fx.sim.admin.waitForHookDeliveries((d) => d.length >= 3);
  await fx.sim.admin.hooksIdle();
  const created = rx.received.filter(
    (r) => r.body['build_status'] === 'created',
  );
  assert.equal(created.length, 2);
  assert.equal(
    created[0]!.headers['idempotency-key'],
    created[1]!.headers['idempotency-key'],
  );
  assert.notEqual(
    created[0]!.headers['x-gitlab-webhook-uuid'],
    created[1]!.headers['x-gitlab-webhook-uuid'],
  );

  const first = fx.sim.admin.hookDeliveries()[0]!;
  const resent = await fx.sim.admin.resendHookDelivery(first.id);
  assert.equal(resent.outcome, 'delivered');
  assert.equal(
    rx.received.at(-1)!.headers['idempotency-key'],
    first.idempotencyKey,
  );
});

test('dropped deliveries are logged and never sent; failures are not retried', async () => {
  fx.sim.admin.faults.dropHooks(1);
  await fx.sim.admin.pushFiles(fx.project, ONE_JOB, 'ci');
  await fx.sim.admin.waitForHookDeliveries((d) => d.length === 2);
  await fx.sim.admin.hooksIdle();
  assert.deepEqual(
    fx.sim.admin.hookDeliveries().map((d) => d.outcome),
    ['dropped', 'delivered'],
  );
  assert.deepEqual(
    rx.received.map((r) => r.body['build_status']),
    ['pending'],
  );

  const broken = await startReceiver(500);
  fx.sim.admin.addHook(fx.project, { url: broken.url });
  const job = fx.sim.admin.jobs({ status: 'pending' })[0]!;
  fx.sim.admin.cancelJob(job.id);
  await fx.sim.admin.waitForHookDeliveries((d) => d.length === 4);
  await fx.sim.admin.hooksIdle();
  const failed = fx.sim.admin
    .hookDeliveries()
    .filter((d) => d.url === broken.url);
  assert.equal(failed.length, 1);
  assert.equal(failed[0]!.outcome, 'failed');
  assert.equal(failed[0]!.responseStatus, 500);
  assert.equal(broken.received.length, 1);
  await broken.close();
});

test('reordered deliveries arrive newest first', async () => {
  fx.sim.admin.faults.reorderHooks(2);
  await fx.sim.admin.pushFiles(fx.project, ONE_JOB, 'ci');
  await fx.sim.admin.waitForHookDeliveries((d) => d.length === 2);
  await fx.sim.admin.hooksIdle();
  assert.deepEqual(
    rx.received.map((r) => r.body['build_status']),
    ['pending', 'created'],
  );
});

test('reordered deliveries with a gap are sent that far apart, newest first', async () => {
  const job = 'a: { script: x }';
  const ci = `${job}\nb: { script: y }`;
  fx.sim.admin.faults.reorderHooks(4, 60);
  await fx.sim.admin.pushFiles(fx.project, { '.gitlab-ci.yml': ci }, 'ci');
  await fx.sim.admin.waitForHookDeliveries((d) => d.length === 4);
  await fx.sim.admin.hooksIdle();
  assert.deepEqual(
    rx.received.map((r) => [r.body['build_status'], r.body['build_name']]),
    [
      ['pending', 'b'],
      ['pending', 'a'],
      ['created', 'b'],
      ['created', 'a'],
    ],
  );
  const sent = fx.sim.admin
    .hookDeliveries()
    .map((d) => d.sentAt!.getTime())
    .sort((x, y) => x - y);
  for (let i = 1; i < sent.length; i++) {
    assert.ok(
      sent[i]! - sent[i - 1]! >= 50,
      `gap ${i}: ${sent[i]! - sent[i - 1]!} ms`,
    );
  }
});
