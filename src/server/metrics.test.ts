import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from '../store/index.js';
import type { Store } from '../store/index.js';
import { testDatabases } from '../store/testing/databases.js';
import { agentReport, sampleDemand } from '../store/testing/samples.js';
import { createMetrics } from './metrics.js';

const T0 = Date.now() - 60_000;

/** The value of one sample line of the exposition text, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text
    .split('\n')
    .find((l) => l.startsWith(`${line} `) || l === line);
  return found === undefined ? undefined : Number(found.split(' ').at(-1));
}

async function demand(store: Store, jobId: number) {
  await store.demands.insertDemand(
    { ...sampleDemand(jobId), jobCreatedAt: T0 },
    T0 + 1_000,
  );
}

for (const db of testDatabases()) {
  describe(`metrics (${db.name})`, { skip: db.skip }, () => {
    test('state read at scrape; what happened counted once, as stored', async (t) => {
      const raw = await openStore(await db.config());
      t.after(() => raw.close());
      const metrics = createMetrics(raw);
      const store = metrics.observe(raw);
      await store.agents.agentOnline(agentReport('host-a'), 'server-1', T0);
      for (const jobId of [1, 2, 3]) await demand(store, jobId);
      await store.vms.insertVm(
        {
          id: 'vm-1',
          demandJobId: 1,
          projectId: 7,
          agentId: 'host-a',
          arch: 'x86_64',
          vcpus: 1,
          memoryMiB: 512,
        },
        T0 + 2_000,
      );
      await store.demands.transitionDemand(1, ['queued'], 'placed', T0 + 2_000);
      await store.vms.updateVm('vm-1', { state: 'booting' });
      await store.vms.updateVm(
        'vm-1',
        { state: 'idle', bootedAt: T0 + 2_250 },
        ['booting'],
      );
      // A late boot report moves nothing and is not counted again.
      await store.vms.updateVm(
        'vm-1',
        { state: 'idle', bootedAt: T0 + 9_000 },
        ['booting'],
      );
      await store.demands.transitionDemand(1, ['placed'], 'served', T0 + 4_000);
      await store.demands.transitionDemand(
        3,
        ['queued'],
        'canceled',
        T0 + 5_000,
      );
      await store.demands.transitionDemand(
        3,
        ['queued'],
        'canceled',
        T0 + 5_000,
      );

      let text = await metrics.registry.metrics();
      assert.equal(sample(text, 'firelab_jobs{status="queued"}'), 1);
      assert.equal(sample(text, 'firelab_jobs{status="served"}'), 1);
      assert.equal(sample(text, 'firelab_vms{state="idle"}'), 1);
      assert.equal(sample(text, 'firelab_agent_up{agent="host-a"}'), 1);
      assert.equal(
        sample(text, 'firelab_agent_reserved_vcpus{agent="host-a"}'),
        1,
      );
      assert.equal(
        sample(text, 'firelab_agent_memory_bytes{agent="host-a"}'),
        8192 * 2 ** 20,
      );
      assert.ok(sample(text, 'firelab_queue_oldest_seconds')! >= 58);
      // Placed at +2 s, running at +2.25 s; created at 0, taken at +4 s.
      assert.equal(sample(text, 'firelab_vm_start_seconds_count'), 1);
      assert.equal(sample(text, 'firelab_vm_start_seconds_sum'), 0.25);
      assert.equal(sample(text, 'firelab_job_wait_seconds_sum'), 4);
      assert.equal(
        sample(text, 'firelab_jobs_ended_total{status="canceled"}'),
        1,
      );
      assert.match(text, /^firelab_process_resident_memory_bytes /m);

      await store.vms.updateVm('vm-1', {
        state: 'ended',
        endedAt: T0 + 30_000,
        exitKind: 'guest-exit',
      });
      await store.demands.transitionDemand(1, ['served'], 'done', T0 + 30_000);
      text = await metrics.registry.metrics();
      assert.equal(
        sample(text, 'firelab_vm_exits_total{kind="guest-exit"}'),
        1,
      );
      assert.equal(sample(text, 'firelab_jobs_ended_total{status="done"}'), 1);
      assert.equal(sample(text, 'firelab_vms{state="idle"}'), 0);
      assert.equal(
        sample(text, 'firelab_agent_reserved_vcpus{agent="host-a"}'),
        0,
      );
    });
  });
}
