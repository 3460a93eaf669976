import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from './index.js';
import type { Store } from './index.js';
import { testDatabases } from './testing/databases.js';
import { agentReport, sampleDemand } from './testing/samples.js';

async function addVm(
  store: Store,
  id: string,
  from: number,
  to: number | null,
) {
  await store.vms.insertVm(
    {
      id,
      demandJobId: 1,
      projectId: 3,
      agentId: 'a',
      arch: 'x86_64',
      vcpus: 1,
      memoryMiB: 512,
    },
    from,
  );
  if (to !== null)
    await store.vms.updateVm(id, { state: 'ended', endedAt: to });
}

for (const backend of testDatabases()) {
  describe(
    `store queries for a time window on ${backend.name}`,
    { skip: backend.skip },
    () => {
      const open = async () => openStore(await backend.config());

      test('VMs that held capacity at some moment of the window', async () => {
        const store = await open();
        await addVm(store, 'before', 10, 99);
        await addVm(store, 'across-start', 50, 150);
        await addVm(store, 'inside', 120, 180);
        await addVm(store, 'across-end', 190, 300);
        await addVm(store, 'after', 200, 210);
        await addVm(store, 'live', 150, null);
        await addVm(store, 'live-later', 200, null);
        const found = await store.vms.listVmsOverlapping(100, 200);
        assert.deepEqual(
          found.map((vm) => vm.id),
          ['across-start', 'inside', 'live', 'across-end'],
        );
        await store.close();
      });

      test('demands recorded in the window, and demands by job id', async () => {
        const store = await open();
        for (const [jobId, at] of [
          [1, 99],
          [2, 100],
          [3, 199],
          [4, 200],
        ])
          await store.demands.insertDemand(sampleDemand(jobId!), at!);
        const inWindow = await store.demands.listDemandsCreatedBetween(
          100,
          200,
        );
        assert.deepEqual(
          inWindow.map((d) => d.jobId),
          [2, 3],
        );
        const ids = Array.from({ length: 2_500 }, (_, i) => i + 1);
        const byId = await store.demands.listDemandsByJobIds(ids);
        assert.deepEqual(byId.map((d) => d.jobId).sort(), [1, 2, 3, 4]);
        assert.deepEqual(await store.demands.listDemandsByJobIds([]), []);
        await store.close();
      });

      test('projects are named, and renamed as GitLab says', async () => {
        const store = await open();
        await store.projects.saveProject(
          { id: 3, path: 'a/b', groupId: 7, groupPath: 'a' },
          1,
        );
        await store.projects.saveProject(
          { id: 4, path: 'me/toy', groupId: null, groupPath: null },
          1,
        );
        await store.projects.saveProject(
          { id: 3, path: 'a2/b', groupId: 7, groupPath: 'a2' },
          2,
        );
        assert.deepEqual(await store.projects.listProjects(), [
          { id: 3, path: 'a2/b', groupId: 7, groupPath: 'a2', updatedAt: 2 },
          {
            id: 4,
            path: 'me/toy',
            groupId: null,
            groupPath: null,
            updatedAt: 1,
          },
        ]);
        await store.close();
      });

      test('an agent is first seen once, when it enrols or first connects', async () => {
        const store = await open();
        await store.agents.agentOnline(agentReport('a'), 's1', 100);
        await store.agents.agentOffline('a', 's1', 150);
        await store.agents.agentOnline(agentReport('a'), 's2', 200);
        assert.equal((await store.agents.getAgent('a'))?.firstSeenAt, 100);

        await store.agents.createEnrolmentToken('hash', 300, 900);
        await store.agents.enrolAgent('hash', agentReport('b'), 'cred', 310);
        await store.agents.agentOnline(agentReport('b'), 's1', 320);
        assert.equal((await store.agents.getAgent('b'))?.firstSeenAt, 310);
        await store.close();
      });
    },
  );
}
