import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

const SAMPLE = fileURLToPath(
  new URL('../../examples/sample-project', import.meta.url),
);

let fx: SimFixture;
before(async () => {
  fx = await startSim();
});
after(() => fx.close());

test('the sample project pushes and creates the demo pipeline', async () => {
  const { pipeline } = await fx.sim.admin.pushDirectory(
    fx.project,
    SAMPLE,
    'sample project',
  );
  assert.ok(pipeline);
  assert.equal(pipeline.yamlErrors, null);
  const jobs = fx.sim.admin.jobs({ pipelineId: pipeline.id });
  const pending = jobs.filter((j) => j.status === 'pending');
  assert.deepEqual(
    pending.map((j) => j.name),
    ['lint', 'toolchain', 'python-check'],
  );
  for (const job of jobs) {
    assert.ok(job.tags.every((t) => /^firelab(-\d+cpu-\d+gb)?$/.test(t)));
  }
  const byName = new Map(jobs.map((j) => [j.name, j]));
  assert.deepEqual(byName.get('package')?.needs, ['build']);
  assert.equal(byName.get('flaky-allowed')?.allowFailure, true);
  assert.deepEqual(byName.get('broken-on-purpose')?.script.at(-1), 'exit 3');
  assert.deepEqual(byName.get('build')?.tags, ['firelab-2cpu-1gb']);
});
