import type { Logger } from '../lib/logger.js';
import { placeAll } from '../scheduler/place.js';
import type { DemandRecord, Store, VmRecord } from '../store/index.js';
import type { AgentRegistry } from './agents/agent-registry.js';
import type { ControllerSettings } from './settings.js';

export interface PlacementDeps {
  store: Store;
  agents: AgentRegistry;
  settings: ControllerSettings;
  log: Logger;
  newVmId: () => string;
}

/**
 * One scheduling round: places every queued demand that fits (the pure
 * `placeAll` decides), reserves each placed demand's capacity by writing
 * its VM record, and notes why the others wait. Runs under the
 * controller's mutex; returns the VMs to provision.
 */
export async function placeQueued(
  deps: PlacementDeps,
): Promise<[VmRecord, DemandRecord][]> {
  const now = Date.now();
  const queued = (
    await deps.store.demands.listDemands({ statuses: ['queued'] })
  ).filter((d) => d.notBefore === null || d.notBefore <= now);
  if (queued.length === 0) return [];
  const live = await deps.store.vms.listLiveVms();
  const draining = new Set(
    (await deps.store.agents.listAgents())
      .filter((a) => a.draining)
      .map((a) => a.id),
  );
  const byProject = new Map<number, number>();
  const byGroup = new Map<number, number>();
  for (const vm of live) {
    byProject.set(vm.projectId, (byProject.get(vm.projectId) ?? 0) + 1);
    if (vm.groupId !== null)
      byGroup.set(vm.groupId, (byGroup.get(vm.groupId) ?? 0) + 1);
  }

  const placements = placeAll(
    queued.map((d) => ({
      jobId: d.jobId,
      projectId: d.projectId,
      groupId: d.groupId,
      runnerClass: d,
    })),
    deps.agents.capacities(live, draining),
    deps.settings.placement,
    { byProject, byGroup },
  );
  const started: [VmRecord, DemandRecord][] = [];
  for (const [i, placement] of placements.entries()) {
    const demand = queued[i]!;
    if (placement.hostId === null) {
      if (demand.reason !== placement.reason) {
        await deps.store.demands.setDemandReason(
          demand.jobId,
          placement.reason,
        );
      }
      continue;
    }
    const vm = await reserve(deps, demand, placement.hostId);
    if (vm) started.push([vm, demand]);
  }
  return started;
}

async function reserve(
  deps: PlacementDeps,
  demand: DemandRecord,
  agentId: string,
): Promise<VmRecord | undefined> {
  const now = Date.now();
  // Another server may have placed it since the queue was read: whoever
  // moves it out of `queued` first makes its one VM.
  const claimed = await deps.store.demands.transitionDemand(
    demand.jobId,
    ['queued'],
    'placed',
    now,
    {
      reason: null,
      attempts: demand.attempts + 1,
      notBefore: null,
    },
  );
  if (!claimed) return undefined;
  const vm = {
    id: deps.newVmId(),
    demandJobId: demand.jobId,
    projectId: demand.projectId,
    groupId: demand.groupId,
    agentId,
    arch: demand.arch,
    vcpus: demand.vcpus,
    memoryMiB: demand.memoryMiB,
  };
  await deps.store.vms.insertVm(vm, now);
  deps.log.info({ jobId: demand.jobId, vmId: vm.id, agentId }, 'VM placed');
  return (await deps.store.vms.getVm(vm.id))!;
}
