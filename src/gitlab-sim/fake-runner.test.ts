import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { traceChecksum } from './crc32.js';
import {
  createRunner,
  requestJob,
  SIMPLE_CI,
  startReceiver,
  startSim,
} from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
let receiver: Awaited<ReturnType<typeof startReceiver>>;

before(async () => {
  fx = await startSim();
  receiver = await startReceiver();
  await fx.api(`/projects/${fx.project.id}/hooks`, {
    method: 'POST',
    body: JSON.stringify({ url: receiver.url, job_events: true, token: 's3' }),
  });
});

after(async () => {
  await fx.close();
  await receiver.close();
});

/** Drives one job through the protocol like gitlab-runner run-single. */
async function runOneJob(runnerToken: string, output: string) {
  const res = await requestJob(fx.sim, runnerToken, {
    two_phase_job_commit: true,
  });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const job = (await res.json()) as { id: number; token: string };
  const base = `${fx.sim.url}/api/v4/jobs/${job.id}`;
  const put = (body: object) =>
    fetch(base, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'JOB-TOKEN': job.token },
      body: JSON.stringify({ token: job.token, ...body }),
    });

  assert.equal(fx.sim.admin.job(job.id)?.status, 'pending');
  assert.equal((await put({ state: 'running' })).status, 200);
  assert.equal(fx.sim.admin.job(job.id)?.status, 'running');

  const patch = await fetch(`${base}/trace`, {
    method: 'PATCH',
    headers: {
      'JOB-TOKEN': job.token,
      'Content-Range': `0-${Buffer.byteLength(output) - 1}`,
    },
    body: output,
  });
  assert.equal(patch.status, 202);
  assert.equal(patch.headers.get('range'), `0-${Buffer.byteLength(output)}`);

  const final = await put({
    state: 'success',
    exit_code: 0,
    output: {
      checksum: traceChecksum(Buffer.from(output)),
      bytesize: Buffer.byteLength(output),
    },
  });
  assert.equal(final.status, 200);
  assert.equal(final.headers.get('job-status'), 'success');
  return job.id;
}

test('a scripted runner takes both jobs in order and the pipeline succeeds', async () => {
  const runner = await createRunner(fx, {
    tag_list: ['firelab'],
    run_untagged: false,
  });
  const { pipeline } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': SIMPLE_CI },
    'add ci',
  );
  assert.ok(pipeline);

  const first = await runOneJob(runner.token, 'compiling\n');
  const second = await runOneJob(runner.token, 'testing\n');
  assert.ok(first < second);
  const done = await fx.sim.admin.waitForPipeline(pipeline.id, 5000);
  assert.equal(done.status, 'success');

  const trace = await fx.api(`/projects/${fx.project.id}/jobs/${first}/trace`);
  assert.equal(await trace.text(), 'compiling\n');

  const statuses = (id: number) =>
    receiver.received
      .filter((r) => r.body['build_id'] === id)
      .map((r) => r.body['build_status']);
  await fx.sim.admin.hooksIdle();
  assert.deepEqual(
    [...statuses(first)].sort(),
    ['created', 'pending', 'running', 'success'].sort(),
  );
  const running = receiver.received.find(
    (r) => r.body['build_id'] === first && r.body['build_status'] === 'running',
  );
  assert.equal(
    (running?.body['runner'] as { id: number } | null)?.id,
    runner.id,
  );
  assert.equal(running?.headers['x-gitlab-token'], 's3');
});
