import assert from 'node:assert/strict';
import type { Job, Runner } from '../../gitlab-sim/types.js';
import { RUNNER_PREFIX } from '../vm-lifecycle.js';
import { eventually } from './harness.js';
import type { Harness } from './harness.js';

/** The firelab jobs (a `firelab…` tag) of one pipeline, by id. */
export function firelabJobs(h: Harness, pipelineId: number): Job[] {
  return h.sim.admin
    .jobs({ pipelineId })
    .filter((job) => job.tags.some((tag) => tag.startsWith('firelab')));
}

/** Runners firelab made (by their description), still in GitLab. */
export function firelabRunners(h: Harness): Runner[] {
  return h.sim.admin
    .runners()
    .filter(
      (r) =>
        r.description.startsWith(RUNNER_PREFIX) &&
        vmIdOf(r) !== OTHER_INSTALLATIONS_VM,
    );
}

/** A VM of another firelab sharing the GitLab user (see addForeignRunners). */
const OTHER_INSTALLATIONS_VM = 'vm-0badc0de';

/** What a runner looked like, to prove later that nobody changed it. */
export type RunnerSnapshot = Pick<Runner, 'id' | 'description' | 'paused'> & {
  tags: readonly string[];
};

/**
 * Creates, through the REST API as firelab's own GitLab user, runners
 * firelab did not make: one for other work, one whose description
 * resembles firelab's prefix without matching it, a paused one that
 * carries the `firelab` tag, and one of another firelab installation
 * sharing the GitLab user (firelab's prefix, a VM this one never had). Returns snapshots taken after creation.
 */
export async function addForeignRunners(h: Harness): Promise<RunnerSnapshot[]> {
  const specs = [
    { description: 'team docker runner', tags: ['docker'] },
    { description: 'firelab vmware builder', tags: ['firelab'] },
    { description: 'nightly firelab vm pool', tags: ['firelab'] },
    {
      description: `${RUNNER_PREFIX}${OTHER_INSTALLATIONS_VM} job 9`,
      tags: ['firelab'],
    },
  ];
  const made: RunnerSnapshot[] = [];
  for (const spec of specs) {
    const { id } = await h.gitlab.createRunner({
      projectId: h.project.id,
      ...spec,
    });
    made.push({ id, ...spec, paused: false });
  }
  await h.gitlab.pauseRunner(made[2]!.id);
  made[2] = { ...made[2]!, paused: true };
  return made;
}

/** The VM id a firelab runner's description names. */
export function vmIdOf(runner: Runner): string {
  return runner.description.slice(RUNNER_PREFIX.length).split(' ')[0]!;
}

/**
 * Waits until a pipeline's `jobs` firelab jobs have succeeded and firelab
 * has nothing left in flight, then asserts the end state every fault
 * must converge on: each job succeeded once in GitLab and exactly one VM
 * took it; every demand is done; no VM lives; the stand-in holds no
 * firelab runner (only `foreign` ones, untouched); no VM ever had two
 * runners, and no runner was made that no VM accounts for.
 */
export async function assertCleanEnd(
  h: Harness,
  pipelineId: number,
  jobs: number,
  options: {
    foreign?: readonly RunnerSnapshot[];
    /** Ids of runners made in the test as firelab would have. */
    leftBehind?: readonly number[];
    ms?: number;
  } = {},
): Promise<void> {
  const ms = options.ms ?? 10_000;
  await eventually(
    () =>
      firelabJobs(h, pipelineId).filter((j) => j.status === 'success')
        .length === jobs,
    `${jobs} firelab jobs to succeed`,
    ms,
  );
  await eventually(
    async () => (await h.store.vms.listLiveVms()).length === 0,
    'every VM to end',
    ms,
  );
  await eventually(
    () => firelabRunners(h).length === 0,
    'every firelab runner to be deleted',
    ms,
  );
  await eventually(
    async () => (await h.store.demands.listOpenDemands()).length === 0,
    'no open demand',
    ms,
  );
  await h.server.idle();

  await assertJobsRanOnce(h, pipelineId, jobs);
  await assertRunnersAccountedFor(
    h,
    options.foreign ?? [],
    options.leftBehind ?? [],
  );
  assert.equal(h.agent.running, 0, 'no fake VM still runs');
}

async function assertJobsRanOnce(h: Harness, pipelineId: number, n: number) {
  const jobs = firelabJobs(h, pipelineId);
  assert.equal(jobs.length, n, 'no job was retried or added');
  const vms = await h.store.vms.listVms();
  for (const job of jobs) {
    assert.equal(job.status, 'success', `job ${job.id} succeeded`);
    const takers = vms.filter((vm) => vm.tookJobId === job.id);
    assert.equal(takers.length, 1, `exactly one VM took job ${job.id}`);
    const runner = h.sim.admin
      .runnersCreated()
      .find((r) => r.id === job.runnerId);
    assert.equal(
      runner && vmIdOf(runner),
      takers[0]!.id,
      `job ${job.id} ran on the runner of the VM that took it`,
    );
  }
  const demands = await h.store.demands.listDemands();
  assert.deepEqual(
    demands.map((d) => [d.jobId, d.status]).sort(),
    jobs.map((j) => [j.id, 'done']).sort(),
    'one demand per job, each done',
  );
  const started = h.agent.started.map((s) => s.vmId);
  assert.equal(new Set(started).size, started.length, 'no VM started twice');
}

async function assertRunnersAccountedFor(
  h: Harness,
  foreign: readonly RunnerSnapshot[],
  leftBehind: readonly number[],
) {
  const created = h.sim.admin.runnersCreated();
  const notFirelabs = new Set([...foreign.map((r) => r.id), ...leftBehind]);
  const ours = created.filter((r) => !notFirelabs.has(r.id));
  assert.ok(
    ours.every((r) => r.description.startsWith(RUNNER_PREFIX)),
    'firelab made only runners with its prefix',
  );
  const vmIds = ours.map(vmIdOf);
  assert.equal(new Set(vmIds).size, vmIds.length, 'no VM got two runners');
  const known = new Set((await h.store.vms.listVms()).map((vm) => vm.id));
  assert.ok(
    vmIds.every((id) => known.has(id)),
    'every runner firelab made belongs to one of its VMs',
  );
  assert.deepEqual(
    h.sim.admin.runners().map((r) => r.id),
    foreign.map((r) => r.id),
    'only the runners firelab did not make are left',
  );
  for (const before of foreign) {
    const now = h.sim.admin.runners().find((r) => r.id === before.id)!;
    assert.deepEqual(
      [now.description, now.paused, now.tags],
      [before.description, before.paused, before.tags],
      `runner ${before.id} (not firelab's) was not changed`,
    );
  }
}
