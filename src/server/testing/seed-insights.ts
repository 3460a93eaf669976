import { MONTH_MS } from '../../insights/cost.js';
import type { HostCosts } from '../../insights/cost.js';
import { HOUR_MS } from '../../insights/window.js';
import type { Store } from '../../store/index.js';

const MIN = 60_000;

/** A job name as GitLab allows it: pages must show it as text. */
export const HOSTILE_NAME = '<img src=x onerror=alert(1)>';

/** A host costing 10 EUR an hour, so two hours of it cost 20. */
export const TEN_AN_HOUR: HostCosts = {
  currency: 'EUR',
  defaultMonthly: (MONTH_MS / HOUR_MS) * 10,
  monthlyByAgent: {},
};

/**
 * Seeds the store with an hour-old picture of a small installation: one
 * agent (8 vCPUs, 16 GiB) first seen two hours ago, group `acme` with two
 * projects, a 10-minute job with 2 vCPUs, a 20-minute job with 4 vCPUs
 * whose name is markup, and a job refused for its tags.
 */
export async function seedInsights(store: Store, now = Date.now()) {
  await store.agents.agentOnline(
    {
      id: 'host-a',
      hostname: 'host-a.example',
      arch: 'x86_64',
      vcpus: 8,
      memoryMiB: 16384,
      hypervisor: 'qemu',
      acceleration: 'kvm',
    },
    'seed',
    now - 2 * 60 * MIN,
  );
  // Heard from just now: a running server's reconciler must not give it
  // up as silent (ending its VMs as crashed, now) while this seeds.
  await store.agents.touchAgents(['host-a'], 'seed', now);
  for (const [id, path] of [
    [1001, 'acme/app'],
    [1002, 'acme/web'],
  ] as const)
    await store.projects.saveProject(
      { id, path, groupId: 501, groupPath: 'acme' },
      now,
    );
  await job(
    store,
    { jobId: 1, projectId: 1001, name: 'build' },
    now - 60 * MIN,
    {
      vcpus: 2,
      minutes: 10,
    },
  );
  await job(
    store,
    { jobId: 2, projectId: 1002, name: HOSTILE_NAME },
    now - 30 * MIN,
    {
      vcpus: 4,
      minutes: 20,
    },
  );
  await job(
    store,
    { jobId: 3, projectId: 1001, name: 'deploy' },
    now - 20 * MIN,
  );
  await store.demands.transitionDemand(3, ['queued'], 'failed', now, {
    reason: 'unusable tag firelab-99cpu',
  });
}

/** A demand at `at`, and a VM that ran it when `vm` is given. */
async function job(
  store: Store,
  demand: { jobId: number; projectId: number; name: string },
  at: number,
  vm?: { vcpus: number; minutes: number },
) {
  const { jobId, projectId } = demand;
  const size = { vcpus: vm?.vcpus ?? 1, memoryMiB: (vm?.vcpus ?? 1) * 1024 };
  await store.demands.insertDemand(
    {
      jobId,
      projectId,
      groupId: 501,
      pipelineId: 1,
      jobName: demand.name,
      tags: ['firelab'],
      arch: 'x86_64',
      ...size,
      gitlabStatus: 'pending',
      jobCreatedAt: at,
    },
    at,
  );
  if (!vm) return;
  const id = `vm-${jobId}`;
  await store.vms.insertVm(
    {
      id,
      demandJobId: jobId,
      projectId,
      groupId: 501,
      agentId: 'host-a',
      arch: 'x86_64',
      ...size,
    },
    at + 1_000,
  );
  await store.vms.updateVm(id, {
    state: 'ended',
    tookJobId: jobId,
    bootedAt: at + 4_000,
    jobStartedAt: at + 5_000,
    endedAt: at + 1_000 + vm.minutes * MIN,
    exitKind: 'guest-exit',
  });
  await store.demands.transitionDemand(
    jobId,
    ['queued'],
    'done',
    at + vm.minutes * MIN,
    {
      gitlabStatus: 'success',
    },
  );
}
