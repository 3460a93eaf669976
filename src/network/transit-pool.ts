import { formatIpv4, parseCidr } from './subnet.js';

/**
 * Hands out the /30 transit links that join VM namespaces to the uplink
 * namespace (egress `nat`). Every live VM of an agent needs its own,
 * because the uplink routes replies by them; a link is reused once its
 * VM has released it. Lowest free first, so a restarted agent (which
 * removed every VM of its previous run) starts from the bottom again.
 */
export class TransitPool {
  readonly #base: number;
  readonly #size: number;
  readonly #taken = new Map<string, number>();

  constructor(readonly cidr: string) {
    const { base, prefix } = parseCidr(cidr);
    if (prefix > 30)
      throw new Error(`transit pool ${cidr} is smaller than a /30`);
    const span = 2 ** (32 - prefix);
    this.#base = base - (base % span);
    this.#size = span / 4;
  }

  /** How many VMs can hold a link at once. */
  get capacity(): number {
    return this.#size;
  }

  /** The /30 for `vmId` (the same one if it holds one already). */
  take(vmId: string): string {
    const held = this.#taken.get(vmId);
    if (held !== undefined) return this.#format(held);
    const used = new Set(this.#taken.values());
    for (let slot = 0; slot < this.#size; slot++) {
      if (used.has(slot)) continue;
      this.#taken.set(vmId, slot);
      return this.#format(slot);
    }
    throw new Error(
      `transit pool ${this.cidr} is full (${this.#size} VMs): widen agent.egress.transitPool`,
    );
  }

  release(vmId: string): void {
    this.#taken.delete(vmId);
  }

  #format(slot: number): string {
    return `${formatIpv4(this.#base + slot * 4)}/30`;
  }
}
