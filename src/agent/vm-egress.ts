import type { CleanupStack } from '../lib/cleanup.js';
import { errorMessage, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  DEFAULT_SUBNET,
  ensureUplink,
  overlaps,
  TransitPool,
} from '../network/index.js';
import type { EgressOptions, VmNetworkLease } from '../network/index.js';

/** Egress `nat` as an agent runs it (config `agent.egress`). */
export interface NatEgressSettings {
  uplinkNetns: string;
  /** The namespace playing the host (tests); unset: the host's own. */
  hostNetns?: string;
  linkSubnet: string;
  transitPool: string;
  allow: string[];
  allowOnly: boolean;
  /** With `allowOnly`: let the rest through and log it when the VM ends. */
  audit: boolean;
  /** Resolvers written into each guest's resolv.conf. */
  nameservers: string[];
}

/**
 * The agent's side of egress `nat`: the host's uplink, made at start,
 * and for each VM a transit link from the pool (given back when the VM's
 * cleanup runs) plus the egress options of its network. The nameservers
 * are opened in every VM's allowlist, since a private resolver would
 * otherwise be blocked with the rest of the private ranges.
 */
export class NatEgress {
  readonly #settings: NatEgressSettings;
  readonly #pool: TransitPool;

  constructor(settings: NatEgressSettings) {
    const { transitPool, linkSubnet } = settings;
    for (const [other, what] of [
      [DEFAULT_SUBNET, 'the guest link'],
      [linkSubnet, 'agent.egress.linkSubnet'],
    ] as const) {
      if (overlaps(transitPool, other)) {
        throw new Error(
          `agent.egress.transitPool ${transitPool} overlaps ${what} (${other})`,
        );
      }
    }
    if (overlaps(linkSubnet, DEFAULT_SUBNET)) {
      throw new Error(
        `agent.egress.linkSubnet ${linkSubnet} overlaps the guest link (${DEFAULT_SUBNET})`,
      );
    }
    this.#settings = settings;
    this.#pool = new TransitPool(transitPool);
  }

  get nameservers(): string[] {
    return this.#settings.nameservers;
  }

  /** Makes (or finds) the host's uplink. */
  async prepareHost(log: Logger): Promise<void> {
    const { uplinkNetns, hostNetns, linkSubnet } = this.#settings;
    await ensureUplink({
      netns: uplinkNetns,
      hostNetns,
      linkSubnet,
      log,
    }).catch((error: unknown) => {
      // A host that cannot have it cannot run these VMs: say so, once.
      throw new UserError(
        `cannot make the egress uplink ${uplinkNetns} (agent.egress): ${errorMessage(error)}`,
      );
    });
    log.info(
      { uplink: uplinkNetns, nameservers: this.nameservers },
      'VMs reach out through the uplink (egress nat)',
    );
  }

  /**
   * Logs, as the VM ends, where it went that `allowOnly` would have
   * blocked (egress `audit`): the list to grow `allow` from.
   */
  async reportAudit(network: VmNetworkLease, log: Logger): Promise<void> {
    const { allowOnly, audit } = this.#settings;
    if (!allowOnly || !audit) return;
    const reached = await network.auditedEgress().catch((error: unknown) => {
      log.warn({ err: errorMessage(error) }, 'egress audit unreadable');
      return [];
    });
    if (reached.length === 0) return;
    log.warn(
      {
        destinations: reached.map(
          ({ address, protocol, port }) => `${address} ${protocol}/${port}`,
        ),
      },
      'egress audit: the VM connected out to destinations outside agent.egress.allow',
    );
  }

  /** The egress of one VM; its transit link is freed by `cleanup`. */
  forVm(
    vmId: string,
    cleanup: CleanupStack,
  ): Extract<EgressOptions, { mode: 'nat' }> {
    const transitSubnet = this.#pool.take(vmId);
    cleanup.push('transit link', () => this.#pool.release(vmId));
    const { uplinkNetns, allow, allowOnly, audit, nameservers } =
      this.#settings;
    return {
      mode: 'nat',
      uplinkNetns,
      transitSubnet,
      allow: [...allow, ...nameservers.map((ip) => `${ip}/32`)],
      allowOnly,
      audit,
    };
  }
}

/**
 * The IPv4 resolvers of a resolv.conf that a guest can use: loopback
 * ones (systemd-resolved's 127.0.0.53, a local dnsmasq) answer only on
 * the host itself, so they are left out.
 */
export function usableResolvers(resolvConf: string): string[] {
  const servers: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const [keyword, address] = line.trim().split(/\s+/);
    if (keyword !== 'nameserver' || !address) continue;
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(address)) continue;
    if (address.startsWith('127.') || servers.includes(address)) continue;
    servers.push(address);
  }
  return servers;
}
