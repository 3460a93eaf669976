import type { Logger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import type { RunResult } from '../lib/process.js';
import { inNetns, ip, netnsExists, removeNetns } from './netns.js';
import { parseSubnet } from './subnet.js';

/** The uplink's veth on the host side (interface names: 15 bytes). */
export const HOST_DEVICE = 'firelab-up';
/** The same veth's other end, inside the uplink namespace. */
export const UPLINK_SIDE_DEVICE = 'host0';
/** nftables table firelab owns on the host and in the uplink namespace. */
export const UPLINK_TABLE = 'firelab_uplink';
/** VM links in the uplink namespace are named by `uplinkPeerName`. */
const VM_LINKS = '"flv*"';

export interface UplinkOptions {
  /** The uplink namespace; made if missing. */
  netns: string;
  /**
   * The namespace the uplink leads to. Unset: the host's own, where
   * traffic leaves by the host's routes. Tests name one they created.
   */
  hostNetns?: string;
  /** The /30 joining host (.1) and uplink (.2). */
  linkSubnet: string;
  log: Logger;
}

/**
 * Egress `nat` leaves through one shared namespace per host, the uplink.
 * Each VM namespace joins it by its own transit link (`setupNat`); the
 * uplink joins the host by a veth. Both masquerade, so the host sees one
 * source address for all VMs and needs no routes to them. The host's
 * rules (table `inet firelab_uplink`) drop anything from the uplink to
 * the host itself; the uplink's drop VM-to-VM traffic and anything aimed
 * at the uplink. Idempotent: the agent calls it at every start, and a
 * second agent on the host finds it made.
 */
export async function ensureUplink(opts: UplinkOptions): Promise<void> {
  const { netns, log } = opts;
  const link = parseSubnet(opts.linkSubnet);
  if (link.prefixLength !== 30) {
    throw new Error(`uplink link ${opts.linkSubnet} must be a /30`);
  }
  const host = onHost(opts.hostNetns, log);
  // Checked first, so a wrong name makes nothing.
  if (opts.hostNetns && !(await netnsExists(opts.hostNetns, log))) {
    throw new Error(`host namespace ${opts.hostNetns} does not exist`);
  }
  if (!(await netnsExists(netns, log))) {
    await ip(['netns', 'add', netns], log);
    await ip(['-n', netns, 'link', 'set', 'lo', 'up'], log);
  }
  const linked = await ip(
    ['-n', netns, 'link', 'show', UPLINK_SIDE_DEVICE],
    log,
  )
    .then(() => true)
    .catch(() => false);
  if (!linked) {
    // A host side left from an earlier uplink would block the name.
    await host.ip(['link', 'del', HOST_DEVICE]).catch(() => undefined);
    await host.ip([
      'link',
      'add',
      HOST_DEVICE,
      'type',
      'veth',
      'peer',
      'name',
      UPLINK_SIDE_DEVICE,
      'netns',
      netns,
    ]);
  }
  const prefix = `/${link.prefixLength}`;
  await host.ip([
    'addr',
    'replace',
    link.gatewayIp + prefix,
    'dev',
    HOST_DEVICE,
  ]);
  await host.ip(['link', 'set', HOST_DEVICE, 'up']);
  const ns = ['-n', netns];
  await ip(
    [
      ...ns,
      'addr',
      'replace',
      link.guestIp + prefix,
      'dev',
      UPLINK_SIDE_DEVICE,
    ],
    log,
  );
  await ip([...ns, 'link', 'set', UPLINK_SIDE_DEVICE, 'up'], log);
  await ip([...ns, 'route', 'replace', 'default', 'via', link.gatewayIp], log);

  await inNetns(netns, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1'], log);
  await host.run('sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
  await inNetns(netns, 'nft', ['-f', '-'], log, uplinkRuleset());
  await host.run('nft', ['-f', '-'], hostRuleset(opts.linkSubnet));
}

/** Removes the uplink namespace (and with it every link) and host rules. */
export async function removeUplink(
  opts: Omit<UplinkOptions, 'linkSubnet'>,
): Promise<void> {
  const host = onHost(opts.hostNetns, opts.log);
  await removeNetns(opts.netns, opts.log);
  await host.ip(['link', 'del', HOST_DEVICE]).catch(() => undefined);
  await host
    .run('nft', ['delete', 'table', 'inet', UPLINK_TABLE])
    .catch(() => undefined);
}

/** The uplink namespace's rules, as `nft -f` input. */
export function uplinkRuleset(): string {
  const up = JSON.stringify(UPLINK_SIDE_DEVICE);
  return lines(
    ...replaceTable(),
    '  chain input {',
    '    type filter hook input priority filter; policy drop;',
    '    iifname "lo" accept',
    '    ct state established,related accept',
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    `    iifname ${VM_LINKS} oifname ${up} accept`,
    `    iifname ${up} oifname ${VM_LINKS} ct state established,related accept`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname ${up} masquerade`,
    '  }',
    '}',
  );
}

/**
 * The host's rules: what comes from the uplink is forwarded and
 * masqueraded, never delivered to the host itself; only replies go back.
 */
export function hostRuleset(linkSubnet: string): string {
  const up = JSON.stringify(HOST_DEVICE);
  return lines(
    ...replaceTable(),
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname ${up} ct state established,related accept`,
    `    iifname ${up} drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    `    iifname ${up} accept`,
    `    oifname ${up} ct state established,related accept`,
    `    oifname ${up} drop`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    ip saddr ${linkSubnet} oifname != ${up} masquerade`,
    '  }',
    '}',
  );
}

function replaceTable(): string[] {
  return [
    `table inet ${UPLINK_TABLE}`,
    `delete table inet ${UPLINK_TABLE}`,
    `table inet ${UPLINK_TABLE} {`,
  ];
}

function lines(...text: string[]): string {
  return `${text.join('\n')}\n`;
}

/** Commands run on the host: in its own namespace, or in `hostNetns`. */
function onHost(hostNetns: string | undefined, log: Logger) {
  return {
    ip: (args: string[]): Promise<RunResult> =>
      ip(hostNetns ? ['-n', hostNetns, ...args] : args, log),
    run: (file: string, args: string[], input?: string): Promise<RunResult> =>
      hostNetns
        ? inNetns(hostNetns, file, args, log, input)
        : run(file, args, { log, input, timeoutMs: 10_000 }),
  };
}
