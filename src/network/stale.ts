import type { Logger } from '../lib/logger.js';
import { isVmNetns, NETNS_PREFIX } from './names.js';
import { listNetns, removeNetns } from './netns.js';

/**
 * For agent start: removes every namespace named like a VM network
 * (`fl-<id>`) that a previous agent left behind, killing the processes
 * still inside (relays, hypervisors) first. Only call it when no VM of
 * this host should be running. `prefix` narrows the match further (tests
 * use it so they never touch namespaces they did not make); it must start
 * with `fl-`. `vmIds` narrows it to the networks of those VMs (an agent
 * passes the VMs it finds in its own state folder, so several agents can
 * share a host). Returns the names removed; a namespace that cannot be
 * removed is logged and skipped.
 */
export async function cleanupStaleNetworks(
  log: Logger,
  opts: { prefix?: string; vmIds?: readonly string[] } = {},
): Promise<string[]> {
  const prefix = opts.prefix ?? NETNS_PREFIX;
  if (!prefix.startsWith(NETNS_PREFIX)) {
    throw new Error(`prefix ${prefix} must start with ${NETNS_PREFIX}`);
  }
  const only = opts.vmIds && new Set(opts.vmIds.map((id) => NETNS_PREFIX + id));
  const stale = (await listNetns(log)).filter(
    (name) =>
      name.startsWith(prefix) && isVmNetns(name) && (!only || only.has(name)),
  );

  const removed: string[] = [];
  for (const name of stale) {
    try {
      const killed = await removeNetns(name, log);
      log.warn({ netns: name, killed }, 'removed stale vm network');
      removed.push(name);
    } catch (error) {
      log.error({ netns: name, err: error }, 'cannot remove stale network');
    }
  }
  return removed;
}
