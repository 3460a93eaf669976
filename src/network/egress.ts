import type { CleanupStack } from '../lib/cleanup.js';
import type { Logger } from '../lib/logger.js';
import { UPLINK_DEVICE, uplinkPeerName } from './names.js';
import { inNetns, ip, netnsExists } from './netns.js';
import type { NetworkPlan } from './plan.js';
import { parseSubnet } from './subnet.js';

/**
 * Egress `nat`: links the VM namespace to the uplink namespace with a
 * veth (`up0` here at transit .2, the peer there at transit .1), routes
 * the VM namespace's default through it and turns on forwarding in the
 * VM namespace only. The filtering and masquerade live in the ruleset.
 * The uplink namespace must already exist and route onwards by itself.
 */
export async function setupNat(
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): Promise<void> {
  if (plan.egress.mode !== 'nat') return;
  const uplink = plan.egress.uplinkNetns;
  const transit = parseSubnet(plan.egress.transitSubnet);
  const peer = uplinkPeerName(plan.vmId);
  const ns = ['-n', plan.netns];
  if (!(await netnsExists(uplink, log))) {
    throw new Error(`uplink namespace ${uplink} does not exist`);
  }

  await ip(
    [...ns, 'link', 'add', UPLINK_DEVICE, 'type', 'veth', 'peer', 'name', peer],
    log,
  );
  await ip([...ns, 'link', 'set', peer, 'netns', uplink], log);
  stack.push('delete uplink veth', () =>
    // Gone already when the VM namespace went first: nothing to undo.
    ip(['-n', uplink, 'link', 'del', peer], log).then(
      () => undefined,
      () => undefined,
    ),
  );

  await ip(
    ['-n', uplink, 'addr', 'add', `${transit.gatewayIp}/30`, 'dev', peer],
    log,
  );
  await ip(['-n', uplink, 'link', 'set', peer, 'up'], log);
  await ip(
    [...ns, 'addr', 'add', `${transit.guestIp}/30`, 'dev', UPLINK_DEVICE],
    log,
  );
  await ip([...ns, 'link', 'set', UPLINK_DEVICE, 'up'], log);
  await ip([...ns, 'route', 'add', 'default', 'via', transit.gatewayIp], log);
  await inNetns(plan.netns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'], log);
}
