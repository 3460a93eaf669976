import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { openStore } from './index.js';
import type { DatabaseConfig } from './index.js';
import { testDatabases } from './testing/databases.js';
import { agentReport, sampleDemand } from './testing/samples.js';

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
      await store.demands.insertDemand(sampleDemand(11), 1);
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

    test('an enrolment token works once and only before it expires', async () => {
      const store = await open();
      await store.agents.createEnrolmentToken('t1', 100, 200);
      await store.agents.createEnrolmentToken('t2', 100, 200);
      const report = agentReport('host-a');
      const tries = await Promise.all([
        store.agents.enrolAgent('t1', report, 'c1', 150),
        store.agents.enrolAgent('t1', agentReport('host-b'), 'c2', 150),
      ]);
      assert.deepEqual([...tries].sort(), ['bad-token', 'ok']);
      const other = agentReport('host-x');
      assert.equal(
        await store.agents.enrolAgent('t2', other, 'c3', 200),
        'bad-token',
        'expired',
      );
      assert.equal(
        await store.agents.enrolAgent('nope', other, 'c4', 150),
        'bad-token',
      );
      const enrolled = tries[0] === 'ok' ? 'host-a' : 'host-b';
      assert.ok(await store.agents.getCredentialHash(enrolled));
      await store.agents.createEnrolmentToken('t3', 100, 900);
      assert.equal(
        await store.agents.enrolAgent('t3', agentReport(enrolled), 'c5', 150),
        'name-taken',
        'an enrolled name is not taken over',
      );
      assert.equal(await store.agents.forgetAgent(enrolled), true);
      assert.equal(
        await store.agents.enrolAgent('t3', agentReport(enrolled), 'c5', 150),
        'ok',
        'the token was not spent by the refusal',
      );
      await store.close();
    });

    test('an agent is online at one server; only that server ends it', async () => {
      const store = await open();
      await store.agents.agentOnline(agentReport('a'), 'server-1', 10);
      await store.agents.agentOnline(agentReport('a'), 'server-2', 20);
      await store.agents.agentOffline('a', 'server-1', 30);
      assert.equal((await store.agents.getAgent('a'))?.state, 'online');
      await store.agents.touchAgents(['a'], 'server-1', 40);
      assert.equal((await store.agents.getAgent('a'))?.lastSeenAt, 20);
      await store.agents.touchAgents(['a'], 'server-2', 50);
      assert.deepEqual(await store.agents.listSilentAgents(50), []);
      assert.equal((await store.agents.listSilentAgents(51)).length, 1);
      assert.equal(await store.agents.setAgentDraining('a', true), true);
      await store.agents.agentOnline(agentReport('a'), 'server-2', 60);
      const agent = await store.agents.getAgent('a');
      assert.equal(agent?.draining, true, 'a reconnect keeps the drain');
      await store.agents.agentOffline('a', 'server-2', 70);
      assert.equal((await store.agents.getAgent('a'))?.state, 'offline');
      assert.equal(await store.agents.setAgentDraining('zz', true), false);
      await store.close();
    });

    test('a lease has one holder until it expires', async () => {
      const store = await open();
      const take = (holder: string, now: number) =>
        store.leases.acquireLease('reconciler', holder, now, 100);
      const first = await Promise.all([take('s1', 0), take('s2', 0)]);
      assert.deepEqual([...first].sort(), [false, true]);
      const holder = first[0] ? 's1' : 's2';
      const other = holder === 's1' ? 's2' : 's1';
      assert.equal(await take(holder, 50), true, 'renewed by its holder');
      assert.equal(await take(other, 149), false, 'not expired yet');
      assert.equal(await take(other, 151), true, 'taken over once expired');
      assert.equal(await take(holder, 160), false);
      await store.leases.releaseLease('reconciler', other);
      assert.equal(await take(holder, 161), true, 'free after release');
      await store.close();
    });
  });
}

export type { DatabaseConfig };
