import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabases } from '../../src/store/testing/databases.js';
import { cannotBootVms, eventually } from './lab.js';
import { startFleetLab } from './fleet-lab.js';
import type { FleetLab, Service } from './fleet-lab.js';

const skip = await cannotBootVms();

// Jobs long enough that a kill lands while they are in flight.
const TWO_JOBS = `
one: { tags: [firelab], script: ["sleep 3", "echo one"] }
two: { tags: [firelab], script: ["sleep 3", "echo two"] }
`;

// A job long enough to be killed in the middle of.
const LONG_JOB = `long: { tags: [firelab], script: ["sleep 30", "echo done"] }`;

/**
 * The databases the fleet runs on: a file, and PostgreSQL when the test
 * setup started one; each lab gets a fresh, empty database.
 */
const databases = testDatabases().map((backend) => ({
  name: backend.name,
  skip: backend.skip,
  async fresh() {
    const config = await backend.config();
    return config.kind === 'postgres' ? { postgres: config.url } : undefined;
  },
}));

/** The expected end state: every job succeeded once, nothing left. */
async function everythingDoneOnce(lab: FleetLab, pipelineId: number) {
  await eventually(
    () =>
      lab.sim.admin.jobs({ pipelineId }).every((j) => j.status === 'success'),
    'every job to succeed',
    300_000,
  );
  await eventually(
    async () => (await lab.vms()).every((vm) => vm.state === 'ended'),
    'every VM to end',
  );
  await eventually(() => lab.sim.admin.runners().length === 0, 'no runners');
  const taken = (await lab.vms())
    .map((vm) => vm.tookJobId)
    .filter((id) => id !== null);
  assert.equal(
    new Set(taken).size,
    taken.length,
    'no job was taken by two VMs',
  );
  assert.equal(
    taken.length,
    lab.sim.admin.jobs({ pipelineId }).length,
    'every job was taken by a VM',
  );
  await eventually(
    async () => (await lab.leftovers()).length === 0,
    'no namespaces or VM folders left',
    30_000,
  );
}

/**
 * Waits until `agent` has taken `count` VMs in hand (it logs each VM by
 * id as it starts building it), so a kill lands after the server's start
 * request was answered: the VMs then end only through the path tested.
 */
async function agentHasVms(lab: FleetLab, agent: Service, count: number) {
  await eventually(async () => {
    const ids = (await lab.vms())
      .filter((vm) => vm.state === 'booting')
      .map((vm) => vm.id);
    return ids.filter((id) => agent.logs().includes(id)).length >= count;
  }, `the agent to be building ${count} VM(s)`);
}

async function vmsIn(lab: FleetLab, states: string[], count: number) {
  await eventually(
    async () =>
      (await lab.vms()).filter((vm) => states.includes(vm.state)).length >=
      count,
    `${count} VM(s) ${states.join('/')}`,
  );
}

for (const database of databases) {
  describe(
    `a fleet of real processes under crashes (${database.name} database)`,
    { skip: skip || database.skip, timeout: 30 * 60_000 },
    () => {
      test('server killed with SIGKILL mid-flight: a new one finishes the work', async () => {
        const lab = await startFleetLab(await database.fresh());
        try {
          const server = await lab.startServer();
          await lab.startAgent('kvm-a');
          await lab.startAgent('kvm-b');
          const pipelineId = await lab.push(TWO_JOBS);
          await vmsIn(lab, ['booting', 'idle', 'busy'], 2);
          await server.kill();
          // While no server runs, the agents' VMs go on and their exits
          // wait in the agents' outboxes.
          await new Promise((resolve) => setTimeout(resolve, 3000));
          await lab.startServer();
          await everythingDoneOnce(lab, pipelineId);
        } finally {
          await lab.close();
        }
      });

      test('agent killed with SIGKILL: on restart it removes its leftovers; unstarted jobs run again', async () => {
        const lab = await startFleetLab(await database.fresh());
        try {
          await lab.startServer();
          const agent = await lab.startAgent('kvm-a');
          const pipelineId = await lab.push(TWO_JOBS);
          await agentHasVms(lab, agent, 2);
          // The agent alone dies; its QEMU processes and relays live on.
          await agent.kill();
          assert.ok(
            (await lab.leftovers()).length > 0,
            'the killed agent left VMs behind',
          );
          await lab.startAgent('kvm-a');
          await everythingDoneOnce(lab, pipelineId);
          const crashed = (await lab.vms()).filter(
            (vm) => vm.exitKind === 'crashed',
          );
          assert.equal(crashed.length, 2, 'the lost VMs ended as crashed');
        } finally {
          await lab.close();
        }
      });

      test('agent killed mid-job: the job is canceled in GitLab and runs again as a retry', async () => {
        const lab = await startFleetLab(await database.fresh());
        try {
          await lab.startServer();
          const agent = await lab.startAgent('kvm-a');
          const pipelineId = await lab.push(LONG_JOB);
          await vmsIn(lab, ['busy'], 1);
          await agent.kill();
          await lab.startAgent('kvm-a');
          const [original] = lab.sim.admin.jobs({ pipelineId });
          await eventually(
            () =>
              lab.sim.admin
                .jobs({ pipelineId })
                .some((j) => j.id !== original!.id && j.status === 'success'),
            'the retry to succeed',
            300_000,
          );
          assert.equal(lab.sim.admin.job(original!.id)?.status, 'canceled');
          assert.equal(lab.sim.admin.jobs({ pipelineId }).length, 2);
          await eventually(
            async () => (await lab.vms()).every((vm) => vm.state === 'ended'),
            'every VM to end',
          );
          await eventually(
            () => lab.sim.admin.runners().length === 0,
            'no runners',
          );
          await eventually(
            async () => (await lab.leftovers()).length === 0,
            'no namespaces or VM folders left',
            30_000,
          );
        } finally {
          await lab.close();
        }
      });

      test('agent host gone for good: its VMs are given up and its jobs run elsewhere', async () => {
        const lab = await startFleetLab(await database.fresh());
        try {
          await lab.startServer();
          const doomed = await lab.startAgent('kvm-gone');
          const pipelineId = await lab.push(TWO_JOBS);
          await agentHasVms(lab, doomed, 2);
          // The whole host goes: agent, VMs, relays.
          await doomed.kill({ group: true });
          await lab.startAgent('kvm-b');
          await eventually(
            async () =>
              (await lab.vms()).some(
                (vm) =>
                  vm.agentId === 'kvm-gone' &&
                  /not heard from/.test(vm.exitDetail ?? ''),
              ),
            'the silent agent to be given up',
          );
          // The host comes back once, only to clean up after itself.
          const back = await lab.startAgent('kvm-gone');
          await back.stop();
          await everythingDoneOnce(lab, pipelineId);
          const onB = (await lab.vms()).filter(
            (vm) => vm.agentId === 'kvm-b' && vm.tookJobId !== null,
          );
          assert.equal(onB.length, 2, 'both jobs ran on the other agent');
        } finally {
          await lab.close();
        }
      });
    },
  );
}
