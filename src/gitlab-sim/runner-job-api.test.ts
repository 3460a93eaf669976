import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createRunner, requestJob, startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
beforeEach(async () => {
  fx = await startSim({ traceUpdateIntervalSeconds: 2 });
});
afterEach(() => fx.close());

const CI = `
tagged: { tags: [firelab, firelab-2cpu-1gb], script: [echo tagged] }
untagged: { script: [echo plain], before_script: [echo before], after_script: [echo after], variables: { MY_VAR: v1 } }
`;

async function takeJob(token: string, features: Record<string, boolean> = {}) {
  const res = await requestJob(fx.sim, token, features);
  assert.equal(res.status, 201);
  return (await res.json()) as Record<string, unknown> & {
    id: number;
    token: string;
  };
}

function jobCall(
  id: number,
  method: string,
  headers: Record<string, string>,
  body?: string,
) {
  return fetch(
    `${fx.sim.url}/api/v4/jobs/${id}${method === 'PATCH' ? '/trace' : ''}`,
    {
      method,
      headers,
      body,
    },
  );
}

test('unknown runner token gets 403; no job gets 204 with X-GitLab-Last-Update', async () => {
  assert.equal((await requestJob(fx.sim, 'glrt-nope')).status, 403);
  const runner = await createRunner(fx, {
    tag_list: ['x'],
    run_untagged: false,
  });
  const res = await requestJob(fx.sim, runner.token);
  assert.equal(res.status, 204);
  assert.match(res.headers.get('x-gitlab-last-update') ?? '', /^\d+$/);
  const seen = fx.sim.admin.runners().find((r) => r.id === runner.id);
  assert.ok(seen?.contactedAt);
});

test('tag matching: job tags must be a subset; untagged needs run_untagged', async () => {
  await fx.sim.admin.pushFiles(fx.project, { '.gitlab-ci.yml': CI }, 'ci');
  const partial = await createRunner(fx, {
    tag_list: 'firelab',
    run_untagged: false,
  });
  assert.equal((await requestJob(fx.sim, partial.token)).status, 204);

  const full = await createRunner(fx, {
    tag_list: 'firelab,firelab-2cpu-1gb,extra',
    run_untagged: false,
  });
  const job = await takeJob(full.token);
  assert.equal((job['job_info'] as { name: string }).name, 'tagged');
  assert.equal((await requestJob(fx.sim, full.token)).status, 204);

  const untagged = await createRunner(fx);
  const plain = await takeJob(untagged.token);
  assert.equal((plain['job_info'] as { name: string }).name, 'untagged');
});

test('payload: steps, variables, git_info with job token credentials', async () => {
  const { pipeline, sha } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': CI },
    'ci',
  );
  const runner = await createRunner(fx);
  const job = await takeJob(runner.token);
  assert.equal(fx.sim.admin.job(job.id)?.name, 'untagged');
  assert.deepEqual(job['steps'], [
    {
      name: 'script',
      script: ['echo before', 'echo plain'],
      timeout: 3600,
      when: 'on_success',
      allow_failure: false,
    },
    {
      name: 'after_script',
      script: ['echo after'],
      timeout: 3600,
      when: 'always',
      allow_failure: true,
    },
  ]);
  const vars = new Map(
    (job['variables'] as { key: string; value: string }[]).map((v) => [
      v.key,
      v.value,
    ]),
  );
  assert.equal(vars.get('CI_JOB_TOKEN'), job.token);
  assert.equal(vars.get('CI_JOB_ID'), String(job.id));
  assert.equal(vars.get('CI_COMMIT_SHA'), sha);
  assert.equal(vars.get('CI_PIPELINE_ID'), String(pipeline?.id));
  assert.equal(vars.get('MY_VAR'), 'v1');
  const git = job['git_info'] as { repo_url: string; sha: string; ref: string };
  const url = new URL(git.repo_url);
  assert.equal(url.username, 'gitlab-ci-token');
  assert.equal(url.password, job.token);
  assert.equal(url.pathname, '/firelab/sample.git');
  assert.equal(git.sha, sha);
  assert.equal(git.ref, 'main');
});

test('without two_phase_job_commit the job runs at once; with it, on PUT running', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }\nb: { script: y }' },
    'ci',
  );
  const runner = await createRunner(fx);
  const direct = await takeJob(runner.token);
  assert.equal(fx.sim.admin.job(direct.id)?.status, 'running');

  const twoPhase = await takeJob(runner.token, { two_phase_job_commit: true });
  assert.equal(fx.sim.admin.job(twoPhase.id)?.status, 'pending');
  const headers = { 'Content-Type': 'application/json' };
  const keepAlive = await jobCall(
    twoPhase.id,
    'PUT',
    headers,
    JSON.stringify({ token: twoPhase.token, state: 'pending' }),
  );
  assert.equal(keepAlive.status, 200);
  assert.equal(keepAlive.headers.get('job-status'), 'pending');
  const ack = await jobCall(
    twoPhase.id,
    'PUT',
    headers,
    JSON.stringify({ token: twoPhase.token, state: 'running' }),
  );
  assert.equal(ack.status, 200);
  assert.equal(ack.headers.get('job-status'), 'running');
  assert.equal(fx.sim.admin.job(twoPhase.id)?.runnerId, runner.id);
});

test('trace: Content-Range required, gaps get 416, overlap rewrites', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const job = await takeJob((await createRunner(fx)).token);
  const auth = { 'JOB-TOKEN': job.token };
  const missing = await jobCall(job.id, 'PATCH', auth, 'abc');
  assert.equal(missing.status, 400);

  const first = await jobCall(
    job.id,
    'PATCH',
    { ...auth, 'Content-Range': '0-4' },
    'hello',
  );
  assert.equal(first.status, 202);
  assert.equal(first.headers.get('range'), '0-5');
  assert.equal(first.headers.get('job-status'), 'running');
  assert.equal(first.headers.get('x-gitlab-trace-update-interval'), '2');

  const gap = await jobCall(
    job.id,
    'PATCH',
    { ...auth, 'Content-Range': '9-10' },
    'xx',
  );
  assert.equal(gap.status, 416);
  assert.equal(gap.headers.get('range'), '0-5');

  const overlap = await jobCall(
    job.id,
    'PATCH',
    { ...auth, 'Content-Range': '4-6' },
    'O!\n',
  );
  assert.equal(overlap.status, 202);
  assert.equal(fx.sim.admin.job(job.id)?.trace.toString(), 'hellO!\n');

  const wrong = await jobCall(
    job.id,
    'PATCH',
    { 'JOB-TOKEN': 'nope', 'Content-Range': '0-0' },
    'x',
  );
  assert.equal(wrong.status, 403);
});

test('final PUT with a wrong crc32 is answered 202 until the trace matches', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const job = await takeJob((await createRunner(fx)).token);
  await jobCall(
    job.id,
    'PATCH',
    { 'JOB-TOKEN': job.token, 'Content-Range': '0-2' },
    'ok\n',
  );
  const headers = {
    'Content-Type': 'application/json',
    'JOB-TOKEN': job.token,
  };
  const final = (checksum: string) =>
    jobCall(
      job.id,
      'PUT',
      headers,
      JSON.stringify({
        token: job.token,
        state: 'failed',
        failure_reason: 'script_failure',
        exit_code: 3,
        output: { checksum, bytesize: 3 },
      }),
    );

  const bad = await final('crc32:00000000');
  assert.equal(bad.status, 202);
  assert.equal(bad.headers.get('x-gitlab-trace-update-interval'), '2');
  assert.equal(fx.sim.admin.job(job.id)?.status, 'running');

  // crc32("ok\n") = 0xda160e7d (Python zlib.crc32)
  const good = await final('crc32:da160e7d');
  assert.equal(good.status, 200);
  assert.equal(good.headers.get('job-status'), 'failed');
  const stored = fx.sim.admin.job(job.id);
  assert.equal(stored?.failureReason, 'script_failure');
  assert.equal(stored?.exitCode, 3);
  assert.equal(stored?.traceChecksumValid, true);

  const late = await final('crc32:da160e7d');
  assert.equal(late.status, 403);
  assert.equal(late.headers.get('job-status'), 'failed');
});

test('a canceled job answers 403 with Job-Status: canceled to PUT and PATCH', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const job = await takeJob((await createRunner(fx)).token);
  fx.sim.admin.cancelJob(job.id);
  const patch = await jobCall(
    job.id,
    'PATCH',
    { 'JOB-TOKEN': job.token, 'Content-Range': '0-0' },
    'x',
  );
  assert.equal(patch.status, 403);
  assert.equal(patch.headers.get('job-status'), 'canceled');
  const put = await jobCall(
    job.id,
    'PUT',
    { 'Content-Type': 'application/json' },
    JSON.stringify({ token: job.token, state: 'running' }),
  );
  assert.equal(put.status, 403);
  assert.equal(put.headers.get('job-status'), 'canceled');
});

test('graceful cancel: canceling until the runner reports, then canceled', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const job = await takeJob((await createRunner(fx)).token, {
    cancel_gracefully: true,
  });
  fx.sim.admin.cancelJob(job.id);
  const patch = await jobCall(
    job.id,
    'PATCH',
    { 'JOB-TOKEN': job.token, 'Content-Range': '0-0' },
    'x',
  );
  assert.equal(patch.status, 202);
  assert.equal(patch.headers.get('job-status'), 'canceling');
  const put = await jobCall(
    job.id,
    'PUT',
    { 'Content-Type': 'application/json' },
    JSON.stringify({ token: job.token, state: 'failed' }),
  );
  assert.equal(put.status, 200);
  assert.equal(put.headers.get('job-status'), 'canceled');
});

test('a paused runner gets 204 even with a matching pending job', async () => {
  await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const runner = await createRunner(fx, { paused: true });
  assert.equal((await requestJob(fx.sim, runner.token)).status, 204);
  await fx.api(`/runners/${runner.id}`, {
    method: 'PUT',
    body: JSON.stringify({ paused: false }),
  });
  assert.equal((await requestJob(fx.sim, runner.token)).status, 201);
});
