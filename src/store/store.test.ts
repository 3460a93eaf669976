import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from './index.js';
import type { DatabaseConfig } from './index.js';
import { testDatabases } from './testing/databases.js';

for (const backend of testDatabases()) {
  describe(`store on ${backend.name}`, { skip: backend.skip }, () => {
    const open = async () => openStore(await backend.config());

    test('one demand per job id, ever', async () => {
      const store = await open();
      const demand = {
        jobId: 2 ** 40 + 7,
        projectId: 3,
        pipelineId: 9,
        jobName: 'build',
        tags: ['firelab'],
        arch: 'x86_64' as const,
        vcpus: 2,
        memoryMiB: 1024,
        gitlabStatus: 'pending',
        jobCreatedAt: 1000,
      };
      const results = await Promise.all([
        store.demands.insertDemand(demand, 1),
        store.demands.insertDemand(demand, 2),
        store.demands.insertDemand(demand, 3),
      ]);
      assert.deepEqual(results.filter(Boolean).length, 1);
      const row = await store.demands.getDemand(demand.jobId);
      assert.equal(row?.jobId, demand.jobId);
      assert.deepEqual(row?.tags, ['firelab']);
      assert.equal(row?.status, 'queued');
      await store.close();
    });

    test('transitions are guarded by the current status', async () => {
      const store = await open();
      await store.demands.insertDemand(sample(11), 1);
      assert.equal(
        await store.demands.transitionDemand(11, ['queued'], 'placed', 2),
        true,
      );
      assert.equal(
        await store.demands.transitionDemand(11, ['queued'], 'placed', 3),
        false,
      );
      assert.equal(
        await store.demands.transitionDemand(11, ['placed'], 'done', 4, {
          gitlabStatus: 'success',
        }),
        true,
      );
      const row = await store.demands.getDemand(11);
      assert.equal(row?.finishedAt, 4);
      assert.equal(row?.gitlabStatus, 'success');
      assert.deepEqual(
        (await store.demands.listOpenDemands()).map((d) => d.jobId),
        [],
      );
      await store.close();
    });

    test('VMs reserve, record their runner and end', async () => {
      const store = await open();
      await store.vms.insertVm(
        {
          id: 'v1',
          demandJobId: 5,
          projectId: 3,
          agentId: 'a',
          arch: 'x86_64',
          vcpus: 1,
          memoryMiB: 512,
        },
        10,
      );
      await store.vms.updateVm('v1', { runnerId: 77, state: 'booting' });
      assert.equal((await store.vms.findVmByRunner(77))?.id, 'v1');
      assert.equal(
        await store.vms.updateVm('v1', { state: 'busy', tookJobId: 6 }, [
          'idle',
        ]),
        false,
      );
      assert.equal(
        await store.vms.updateVm('v1', { state: 'busy', tookJobId: 6 }, [
          'booting',
        ]),
        true,
      );
      assert.deepEqual(
        (await store.vms.findVmsForJob(6)).map((v) => v.id),
        ['v1'],
      );
      assert.deepEqual(
        (await store.vms.findVmsForJob(5)).map((v) => v.id),
        ['v1'],
      );
      assert.equal((await store.vms.listLiveVms()).length, 1);
      await store.vms.updateVm('v1', {
        state: 'ended',
        endedAt: 20,
        exitKind: 'guest-exit',
      });
      assert.equal((await store.vms.listLiveVms()).length, 0);
      await store.close();
    });

    test('webhook deliveries are remembered once', async () => {
      const store = await open();
      assert.equal(await store.deliveries.rememberDelivery('k1', 1), true);
      assert.equal(await store.deliveries.rememberDelivery('k1', 2), false);
      await store.deliveries.pruneDeliveries(5);
      assert.equal(await store.deliveries.rememberDelivery('k1', 6), true);
      await store.close();
    });
  });
}

function sample(jobId: number) {
  return {
    jobId,
    projectId: 1,
    pipelineId: 1,
    jobName: 'j',
    tags: ['firelab'],
    arch: 'x86_64' as const,
    vcpus: 1,
    memoryMiB: 512,
    gitlabStatus: 'pending',
    jobCreatedAt: null,
  };
}

export type { DatabaseConfig };
