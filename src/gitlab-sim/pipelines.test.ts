import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { buildApp } from './app.js';
import { createSimContext } from './index.js';
import { createUser } from './seed.js';
import { finishJob, setJobStatus } from './job-lifecycle.js';
import type { SimState } from './sim-state.js';
import { startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';
import type { Job } from './types.js';

let fx: SimFixture;
beforeEach(async () => {
  fx = await startSim();
});
afterEach(() => fx.close());

const CI = `
stages: [prepare, build, deploy]
p1: { stage: prepare, script: x }
p2: { stage: prepare, script: x }
b1: { stage: build, script: x }
flaky: { stage: build, script: x, allow_failure: true }
early: { stage: deploy, script: x, needs: [p1] }
last: { stage: deploy, script: x }
cleanup: { stage: deploy, script: x, when: on_failure }
`;

function byName(state: SimState, pipelineId: number): Map<string, Job> {
  return new Map(state.jobsOfPipeline(pipelineId).map((j) => [j.name, j]));
}

function run(state: SimState, job: Job, result: 'success' | 'failed') {
  setJobStatus(state, job, 'running');
  finishJob(state, job, result, { exitCode: result === 'failed' ? 1 : 0 });
}

test('stages, needs and allow_failure progress like GitLab', async () => {
  const { pipeline } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': CI },
    'ci',
  );
  const state = fx.sim.admin.state;
  const jobs = byName(state, pipeline!.id);
  const status = (name: string) => jobs.get(name)!.status;
  assert.deepEqual(
    [...jobs.values()].map((j) => j.status),
    [
      'pending',
      'pending',
      'created',
      'created',
      'created',
      'created',
      'created',
    ],
  );

  run(state, jobs.get('p1')!, 'success');
  assert.equal(status('early'), 'pending');
  assert.equal(status('b1'), 'created');
  assert.equal(pipeline!.status, 'running');

  run(state, jobs.get('p2')!, 'success');
  run(state, jobs.get('early')!, 'success');
  run(state, jobs.get('b1')!, 'success');
  run(state, jobs.get('flaky')!, 'failed');
  assert.equal(status('last'), 'pending');
  assert.equal(status('cleanup'), 'skipped');
  run(state, jobs.get('last')!, 'success');
  assert.equal(pipeline!.status, 'success');
});

test('a real failure skips later jobs and fails the pipeline; retry reopens them', async () => {
  const { pipeline } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': CI },
    'ci',
  );
  const state = fx.sim.admin.state;
  const jobs = byName(state, pipeline!.id);
  run(state, jobs.get('p1')!, 'success');
  run(state, jobs.get('early')!, 'success');
  run(state, jobs.get('p2')!, 'failed');
  assert.equal(jobs.get('b1')!.status, 'skipped');
  assert.equal(jobs.get('cleanup')!.status, 'pending');
  run(state, jobs.get('cleanup')!, 'success');
  assert.equal(
    (await fx.sim.admin.waitForPipeline(pipeline!.id, 1000)).status,
    'failed',
  );

  const retry = fx.sim.admin.retryJob(jobs.get('p2')!.id)!;
  assert.equal(retry.status, 'pending');
  assert.equal(retry.retriesCount, 1);
  assert.equal(jobs.get('b1')!.status, 'created');
  assert.equal(pipeline!.status, 'running');
});

test('an invalid .gitlab-ci.yml gives a failed pipeline with yaml_errors', async () => {
  const { pipeline } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'job: { stage: nope, script: x }' },
    'bad',
  );
  assert.equal(pipeline!.status, 'failed');
  const res = await fx.api(
    `/projects/${fx.project.id}/pipelines/${pipeline!.id}`,
  );
  const body = (await res.json()) as { status: string; yaml_errors: string };
  assert.equal(body.status, 'failed');
  assert.match(body.yaml_errors, /chosen stage nope does not exist/);
  assert.equal(fx.sim.admin.jobs({ pipelineId: pipeline!.id }).length, 0);
  const noCi = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': null, README: 'x' },
    'no ci',
  );
  assert.equal(noCi.pipeline, null);
});

test('buildApp serves in process through app.request()', async () => {
  const { ctx } = createSimContext({ dataDir: '/nonexistent' });
  const app = buildApp(ctx);
  const res = await app.request('/api/v4/projects');
  assert.equal(res.status, 401);
  const { token } = createUser(ctx, { username: 'carol' });
  const me = await app.request('/api/v4/user', {
    headers: { 'PRIVATE-TOKEN': token },
  });
  assert.equal(((await me.json()) as { username: string }).username, 'carol');
});
