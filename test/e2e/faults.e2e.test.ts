import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cannotBootVms, eventually, leftovers, startLab } from './lab.js';
import type { Lab } from './lab.js';

const skip = await cannotBootVms();
const TWO_JOBS = `
one: { tags: [firelab], script: ["echo one in $(hostname)"] }
two: { tags: [firelab], script: ["echo two", "exit 4"] }
`;

async function finished(lab: Lab, pipelineId: number) {
  return eventually(() => {
    const jobs = lab.sim.admin.jobs({ pipelineId });
    const done = jobs.every((j) =>
      ['success', 'failed', 'canceled'].includes(j.status),
    );
    return done ? jobs : undefined;
  }, `pipeline ${pipelineId} to finish`);
}

async function cleanedUp(lab: Lab) {
  await eventually(
    async () => (await lab.firelab.server.store.vms.listLiveVms()).length === 0,
    'VMs to end',
  );
  await eventually(
    () => lab.sim.admin.runners().length === 0,
    'runners to be deleted',
  );
  await eventually(
    async () => (await leftovers(lab)).length === 0,
    'no leftovers',
    30_000,
  );
}

describe('real VMs under faults', { skip, timeout: 20 * 60_000 }, () => {
  test('webhooks that never arrive: the reconciler finds the jobs', async () => {
    const lab = await startLab({ hooks: false, reconcileSeconds: 1 });
    try {
      const jobs = await finished(lab, await lab.push(TWO_JOBS));
      assert.deepEqual(
        jobs.map((j) => [j.name, j.status, j.exitCode]),
        [
          // A runner omits exit_code 0 (Go's omitempty).
          ['one', 'success', null],
          ['two', 'failed', 4],
        ],
      );
      await cleanedUp(lab);
      const vms = await lab.firelab.server.store.vms.listVms();
      assert.equal(vms.length, 2, 'one VM per job');
    } finally {
      await lab.close();
    }
  });

  describe('with webhooks', () => {
    let lab: Lab;
    before(async () => {
      lab = await startLab();
    });
    after(() => lab.close());

    test('the same webhook delivered three times starts one VM per job', async () => {
      lab.sim.admin.faults.duplicateHooks(1000, 3);
      const pipelineId = await lab.push(TWO_JOBS);
      const jobs = await finished(lab, pipelineId);
      lab.sim.admin.faults.clear();
      await cleanedUp(lab);
      const vms = await lab.firelab.server.store.vms.listVms();
      const ids = new Set(jobs.map((j) => j.id));
      const mine = vms.filter((vm) => ids.has(vm.demandJobId));
      assert.equal(mine.length, 2, 'one VM per job');
      assert.ok(mine.every((vm) => vm.exitKind === 'guest-exit'));
      const two = jobs.find((j) => j.name === 'two');
      assert.equal(two?.status, 'failed', 'a failing job is reported failed');
    });

    test('a job cancelled before its VM booted: VM stopped, runner deleted', async () => {
      const pipelineId = await lab.push(
        `solo: { tags: [firelab], script: [sleep 1] }`,
      );
      const job = lab.sim.admin.jobs({ pipelineId })[0]!;
      const vm = await eventually(
        async () => {
          const vms = await lab.firelab.server.store.vms.findVmsForJob(job.id);
          // `idle`: the hypervisor runs but the guest is still booting
          // (seconds under TCG) and its runner has not asked for a job.
          return vms.find((v) => v.tookJobId === null && v.state !== 'ended');
        },
        'a VM to be booting',
        60_000,
      );
      lab.sim.admin.cancelJob(job.id, { force: true });

      await cleanedUp(lab);
      const ended = await lab.firelab.server.store.vms.getVm(vm.id);
      assert.equal(ended?.state, 'ended');
      assert.equal(ended?.tookJobId, null);
      assert.equal(ended?.exitKind, 'stopped');
      const demand = await lab.firelab.server.store.demands.getDemand(job.id);
      assert.equal(demand?.status, 'canceled');
    });
  });
});
