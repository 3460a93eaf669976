import type { Logger } from '../lib/logger.js';
import type { Store, VmRecord } from '../store/index.js';
import type { VmExit } from '../vmm/driver.js';
import type { ControllerSettings } from './settings.js';

interface ExitDeps {
  store: Store;
  settings: ControllerSettings;
  log: Logger;
}

/**
 * Records a VM's end (once; a repeated report returns undefined). If it
 * took no job, its job is retried (or failed after `maxAttempts`); if
 * whether it took one is not known, its job stays `placed` for the
 * reconciler to settle from GitLab's record of the job. Runs under the
 * controller's mutex; returns the VM as it was before it ended.
 */
export async function recordExit(
  deps: ExitDeps,
  vmId: string,
  exit: VmExit & { consolePath: string | null },
  jobKnown: boolean,
): Promise<VmRecord | undefined> {
  const { store } = deps;
  const vm = await store.vms.getVm(vmId);
  if (!vm || vm.state === 'ended') return undefined;
  await store.vms.updateVm(vmId, {
    state: 'ended',
    endedAt: exit.endedAt,
    exitKind: exit.kind,
    exitDetail: exit.detail.slice(0, 1000),
    ...(exit.consolePath ? { consolePath: exit.consolePath } : {}),
  });
  deps.log.info({ vmId, exit: exit.kind, detail: exit.detail }, 'VM ended');
  if (vm.tookJobId === null && jobKnown) await retryOrFail(deps, vm, exit);
  return vm;
}

async function retryOrFail(
  deps: ExitDeps,
  vm: VmRecord,
  exit: VmExit,
): Promise<void> {
  const demand = await deps.store.demands.getDemand(vm.demandJobId);
  if (!demand || demand.status !== 'placed') return;
  const why = `${exit.kind}: ${exit.detail.slice(0, 200)}`;
  const givenUp = demand.attempts >= deps.settings.maxAttempts;
  await deps.store.demands.transitionDemand(
    demand.jobId,
    ['placed'],
    givenUp ? 'failed' : 'queued',
    Date.now(),
    {
      reason: givenUp
        ? `no VM took the job in ${demand.attempts} attempts (last: ${why})`
        : `retrying after ${why}`,
    },
  );
}
