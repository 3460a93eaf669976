import type { Store } from '../../store/index.js';
import { LIVE_VM_STATES } from '../../store/records.js';
import type { VmLifecycle } from '../vm-lifecycle.js';

/**
 * An agent (re)connects. VMs the store places on it that it no longer
 * has died with its previous run (a killed agent or `firelab up`): they
 * are ended as crashed, which deletes their runners and requeues jobs
 * they had not taken; then the queue is scheduled.
 */
export async function adoptAgent(
  deps: { store: Store; vms: VmLifecycle },
  agentId: string,
  runningVmIds: string[],
): Promise<void> {
  const has = new Set(runningVmIds);
  const live = await deps.store.vms.listVms({
    states: LIVE_VM_STATES,
    agentId,
  });
  for (const vm of live.filter((v) => !has.has(v.id))) {
    await deps.vms.vmExited(vm.id, {
      kind: 'crashed',
      code: null,
      detail: `its agent ${agentId} restarted without it`,
      endedAt: Date.now(),
      consolePath: null,
    });
  }
  await deps.vms.schedule();
}
