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
