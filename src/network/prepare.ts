import { CleanupStack } from '../lib/cleanup.js';
import { withContext } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { readAudit } from './audit.js';
import { setupNat } from './egress.js';
import { planNetwork } from './plan.js';
import type { NetworkPlan } from './plan.js';
import {
  addAddresses,
  applyRuleset,
  attachDevice,
  createNamespace,
  startServices,
} from './steps.js';
import type { PrepareNetworkOptions, VmNetworkLease } from './types.js';

/**
 * Builds a VM's isolated network: namespace `fl-<vmId>`, the guest device
 * `tap0` with the gateway address and 169.254.169.254, the nftables
 * ruleset, and one socat relay (plus a bridge for host:port targets) per
 * exposed service. The hypervisor must then run inside the namespace
 * (`ip netns exec <netns> ...`) and give the guest `mac` and `guestIp`.
 * On any failure everything made so far is undone and the error says
 * which VM and step failed. `destroy` stops relays and bridges and
 * deletes the namespace (killing anything still in it); it is idempotent
 * and never throws, logging what it could not undo.
 */
export async function prepareVmNetwork(
  opts: PrepareNetworkOptions,
): Promise<VmNetworkLease> {
  const context = `preparing the network of VM ${opts.vmId}`;
  let plan: NetworkPlan;
  try {
    plan = planNetwork(opts);
  } catch (error) {
    throw withContext(context, error);
  }
  // The namespace names the VM (`fl-<vmId>`); callers often name it too.
  const log = opts.log.child({ netns: plan.netns });
  const stack = new CleanupStack();
  const started = Date.now();

  try {
    await createNamespace(plan, stack, log);
    await attachDevice(plan, stack, log);
    await addAddresses(plan, log);
    await applyRuleset(plan, log);
    await setupNat(plan, stack, log);
    await startServices(plan, stack, log);
  } catch (error) {
    await stack.run(log);
    throw withContext(context, error);
  }

  log.info({ durationMs: Date.now() - started }, 'vm network ready');
  return makeLease(plan, stack, log);
}

function makeLease(
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): VmNetworkLease {
  let destroying: Promise<void> | undefined;
  return {
    netns: plan.netns,
    tap: plan.device,
    mac: plan.mac,
    guestIp: plan.subnet.guestIp,
    gatewayIp: plan.subnet.gatewayIp,
    prefixLength: plan.subnet.prefixLength,
    auditedEgress: async () =>
      plan.egress.mode === 'nat' && plan.egress.audit && plan.egress.allowOnly
        ? readAudit(plan.netns, log)
        : [],
    destroy: () =>
      (destroying ??= stack.run(log).then(() => {
        log.info('vm network removed');
      })),
  };
}
