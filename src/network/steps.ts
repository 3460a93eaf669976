import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupStack } from '../lib/cleanup.js';
import type { Logger } from '../lib/logger.js';
import { startTcpBridge } from './bridge.js';
import { inNetns, ip, netnsExists, removeNetns } from './netns.js';
import type { NetworkPlan } from './plan.js';
import { startRelay } from './relay.js';
import { buildRuleset, TABLE } from './ruleset.js';

/**
 * The steps of `prepareVmNetwork`. Each checks, acts, verifies, and
 * registers the undo of what it made on `stack` the moment it exists.
 */
export async function createNamespace(
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): Promise<void> {
  if (await netnsExists(plan.netns, log)) {
    throw new Error(`namespace ${plan.netns} already exists`);
  }

  await ip(['netns', 'add', plan.netns], log);
  stack.push('delete namespace', async () => {
    const killed = await removeNetns(plan.netns, log);
    if (killed.length > 0) {
      log.warn({ pids: killed }, 'killed processes left in the namespace');
    }
  });
  await ip(['-n', plan.netns, 'link', 'set', 'lo', 'up'], log);
}

export async function attachDevice(
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): Promise<void> {
  const ns = ['-n', plan.netns];
  const dev = plan.device;

  if (plan.attach.kind === 'tap') {
    const owner = plan.attach.owner;
    const who = owner
      ? ['user', String(owner.uid), 'group', String(owner.gid)]
      : [];
    await ip([...ns, 'tuntap', 'add', 'dev', dev, 'mode', 'tap', ...who], log);
  } else {
    const peer = plan.attach.peerNetns;
    await ip(
      [...ns, 'link', 'add', dev, 'type', 'veth', 'peer', 'name', 'eth0'],
      log,
    );
    await ip([...ns, 'link', 'set', 'eth0', 'address', plan.mac], log);
    await ip([...ns, 'link', 'set', 'eth0', 'netns', peer], log);
  }
  // A tap outlives a namespace that a stray process keeps alive.
  stack.push('delete guest device', async () => {
    if (await netnsExists(plan.netns, log)) {
      await ip([...ns, 'link', 'del', dev], log).catch(() => undefined);
    }
  });
}

export async function addAddresses(
  plan: NetworkPlan,
  log: Logger,
): Promise<void> {
  const { gatewayIp, prefixLength } = plan.subnet;
  const on = ['dev', plan.device];
  const ns = ['-n', plan.netns];

  await ip([...ns, 'addr', 'add', `${gatewayIp}/${prefixLength}`, ...on], log);
  for (const extra of plan.extraIps) {
    await ip([...ns, 'addr', 'add', `${extra}/32`, ...on], log);
  }
  await ip([...ns, 'link', 'set', plan.device, 'up'], log);
}

export async function applyRuleset(
  plan: NetworkPlan,
  log: Logger,
): Promise<void> {
  const ruleset = buildRuleset({
    device: plan.device,
    guestIp: plan.subnet.guestIp,
    gatewayIp: plan.subnet.gatewayIp,
    endpoints: plan.services.map((s) => ({ ip: s.listenIp, port: s.port })),
    nat:
      plan.egress.mode === 'nat'
        ? {
            allow: plan.egress.allow ?? [],
            allowOnly: plan.egress.allowOnly ?? false,
            audit: plan.egress.audit ?? false,
          }
        : undefined,
  });

  await inNetns(plan.netns, 'nft', ['-f', '-'], log, ruleset);
  await inNetns(plan.netns, 'nft', ['list', 'table', 'inet', TABLE], log);
}

/** Starts a bridge (for host:port targets) and a relay per service. */
export async function startServices(
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): Promise<void> {
  if (plan.services.some((s) => 'host' in s.target)) {
    await mkdir(plan.socketDir, { recursive: true, mode: 0o700 });
    stack.push('remove socket folder', () =>
      rmdir(plan.socketDir).catch(() => undefined),
    );
  }

  for (const service of plan.services) {
    const unixPath = await bridgeFor(service, plan, stack, log);
    const relay = await startRelay({
      netns: plan.netns,
      listenIp: service.listenIp,
      port: service.port,
      unixPath,
      log,
    });
    stack.push(`stop relay ${service.name}`, () => relay.stop());
  }
}

async function bridgeFor(
  service: NetworkPlan['services'][number],
  plan: NetworkPlan,
  stack: CleanupStack,
  log: Logger,
): Promise<string> {
  if ('unixPath' in service.target) return service.target.unixPath;

  const bridge = await startTcpBridge({
    path: join(plan.socketDir, `${service.name}.sock`),
    host: service.target.host,
    port: service.target.port,
    log,
  });
  stack.push(`close bridge ${service.name}`, () => bridge.close());
  return bridge.path;
}
