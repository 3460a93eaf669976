import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Store } from '../../store/index.js';
import { LIVE_VM_STATES } from '../../store/records.js';
import type { VmLifecycle } from '../vm-lifecycle.js';
import type { AgentLink } from './agent-link.js';

/**
 * An agent (re)connects and says which VMs it has. Both sides are made to
 * agree: VMs the store places on it that it no longer has died with its
 * previous run (a killed agent or `firelab up`), so they are ended as
 * crashed, which deletes their runners and requeues jobs they had not
 * taken; VMs it has that the store counts as ended (it was cut off long
 * enough to be given up, or the exit is a repeat on its way) are stopped. Then the queue is scheduled.
 */
export async function adoptAgent(
  deps: { store: Store; vms: VmLifecycle; log: Logger },
  link: AgentLink,
  runningVmIds: readonly string[],
): Promise<void> {
  const has = new Set(runningVmIds);
  const live = await deps.store.vms.listVms({
    states: LIVE_VM_STATES,
    agentId: link.id,
  });
  for (const vm of live.filter((v) => !has.has(v.id))) {
    await deps.vms.vmExited(vm.id, {
      kind: 'crashed',
      code: null,
      detail: `its agent ${link.id} came back without it`,
      endedAt: Date.now(),
      consolePath: null,
    });
  }
  const known = new Set(live.map((vm) => vm.id));
  // Stopping a VM the agent no longer runs is a no-op there.
  for (const vmId of runningVmIds.filter((id) => !known.has(id))) {
    deps.log.warn(
      { agentId: link.id, vmId },
      'stopping a VM the server had given up',
    );
    await link
      .stopVm(vmId)
      .catch((error: unknown) =>
        deps.log.warn(
          { vmId, err: errorMessage(error) },
          'could not stop a given-up VM',
        ),
      );
  }
  await deps.vms.schedule();
}
