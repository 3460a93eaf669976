import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
before(async () => {
  fx = await startSim();
});
after(() => fx.close());

test('the next matching request answers 500, then the API recovers', async () => {
  fx.sim.admin.faults.failRequests({
    action: 'status',
    method: 'GET',
    path: /\/projects\/\d+$/,
  });
  const path = `/projects/${fx.project.id}`;
  assert.equal((await fx.api('/runners')).status, 200);
  assert.equal((await fx.api(path)).status, 500);
  assert.equal((await fx.api(path)).status, 200);
});

test('429 carries Retry-After', async () => {
  fx.sim.admin.faults.failRequests({
    action: 'status',
    status: 429,
    retryAfterSeconds: 7,
    count: 2,
  });
  for (let i = 0; i < 2; i++) {
    const res = await fx.api('/runners');
    assert.equal(res.status, 429);
    assert.equal(res.headers.get('retry-after'), '7');
  }
  assert.equal((await fx.api('/runners')).status, 200);
});

test('reset closes the connection without an answer', async () => {
  fx.sim.admin.faults.failRequests({
    action: 'reset',
    path: '/api/v4/runners',
  });
  await assert.rejects(fx.api('/runners'));
  assert.equal((await fx.api('/runners')).status, 200);
});

test('hang never answers until the client gives up', async () => {
  fx.sim.admin.faults.failRequests({ action: 'hang' });
  const started = Date.now();
  await assert.rejects(
    fx.api('/runners', { signal: AbortSignal.timeout(300) }),
  );
  assert.ok(Date.now() - started >= 290);
  assert.equal((await fx.api('/runners')).status, 200);
});

test('applied faults are recorded with their request and time', async () => {
  const before = fx.sim.admin.faults.applied().length;
  const started = Date.now();
  fx.sim.admin.faults.failRequests({
    action: 'status',
    status: 503,
    method: 'GET',
    path: '/api/v4/runners',
  });
  assert.equal((await fx.api('/runners?type=project_type')).status, 503);
  assert.equal((await fx.api('/runners')).status, 200);
  const applied = fx.sim.admin.faults.applied().slice(before);
  assert.equal(applied.length, 1);
  assert.equal(applied[0]!.method, 'GET');
  assert.equal(applied[0]!.path, '/api/v4/runners');
  assert.equal(applied[0]!.status, 503);
  assert.equal(applied[0]!.after, false);
  assert.ok(applied[0]!.at >= started && applied[0]!.at <= Date.now());
});

const createBody = (description: string) => ({
  method: 'POST',
  body: JSON.stringify({
    runner_type: 'project_type',
    project_id: fx.project.id,
    description,
    tag_list: ['firelab'],
  }),
});

test('a fault before the route changes nothing', async () => {
  const created = fx.sim.admin.runnersCreated().length;
  for (const action of ['status', 'reset'] as const) {
    fx.sim.admin.faults.failRequests({ action, path: '/api/v4/user/runners' });
  }
  assert.equal((await fx.api('/user/runners', createBody('x'))).status, 500);
  await assert.rejects(fx.api('/user/runners', createBody('y')));
  assert.equal(fx.sim.admin.runnersCreated().length, created);
});

test('a fault after the route: the change is made, its answer is lost', async () => {
  const runners = () =>
    fx.sim.admin.runners().filter((r) => r.description.startsWith('after '));
  fx.sim.admin.faults.failRequests({
    action: 'status',
    status: 502,
    after: true,
    path: '/api/v4/user/runners',
  });
  const answer = await fx.api('/user/runners', createBody('after status'));
  assert.equal(answer.status, 502);
  assert.deepEqual(await answer.json(), { message: '502 injected fault' });
  assert.equal(runners().length, 1);

  fx.sim.admin.faults.failRequests({
    action: 'reset',
    after: true,
    path: '/api/v4/user/runners',
  });
  await assert.rejects(fx.api('/user/runners', createBody('after reset')));
  assert.equal(runners().length, 2);

  fx.sim.admin.faults.failRequests({
    action: 'hang',
    after: true,
    path: '/api/v4/user/runners',
  });
  await assert.rejects(
    fx.api('/user/runners', {
      ...createBody('after hang'),
      signal: AbortSignal.timeout(200),
    }),
  );
  assert.deepEqual(
    runners().map((r) => r.description),
    ['after status', 'after reset', 'after hang'],
  );
  assert.ok(
    fx.sim.admin.faults
      .applied()
      .slice(-3)
      .every((f) => f.after),
  );
});

test('runnersCreated keeps deleted runners', async () => {
  const response = await fx.api('/user/runners', createBody('short-lived'));
  const { id } = (await response.json()) as { id: number };
  assert.equal(
    (await fx.api(`/runners/${id}`, { method: 'DELETE' })).status,
    204,
  );
  assert.equal(
    fx.sim.admin.runners().find((r) => r.id === id),
    undefined,
  );
  assert.equal(fx.sim.admin.runnersCreated().at(-1)?.id, id);
  assert.equal(
    fx.sim.admin.runnersCreated().at(-1)?.description,
    'short-lived',
  );
});
