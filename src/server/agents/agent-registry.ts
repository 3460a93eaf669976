import type { HostCapacity } from '../../scheduler/place.js';
import type { VmRecord } from '../../store/index.js';
import type { AgentLink } from './agent-link.js';

/**
 * The agents connected to this server and what they offer. Capacity in
 * use is derived from the live VMs in the store, never counted
 * separately, so it cannot drift.
 */
export class AgentRegistry {
  #links = new Map<string, AgentLink>();
  #draining = new Set<string>();

  add(link: AgentLink): void {
    this.#links.set(link.id, link);
    this.#draining.delete(link.id);
  }

  remove(id: string): void {
    this.#links.delete(id);
  }

  get(id: string): AgentLink | undefined {
    return this.#links.get(id);
  }

  list(): AgentLink[] {
    return [...this.#links.values()];
  }

  drain(id: string): void {
    this.#draining.add(id);
  }

  capacities(liveVms: readonly VmRecord[]): HostCapacity[] {
    return this.list().map((link) => {
      const mine = liveVms.filter((vm) => vm.agentId === link.id);
      return {
        id: link.id,
        arch: link.info.arch,
        vcpus: link.info.vcpus,
        memoryMiB: link.info.memoryMiB,
        usedVcpus: sum(mine.map((vm) => vm.vcpus)),
        usedMemoryMiB: sum(mine.map((vm) => vm.memoryMiB)),
        accepting: !this.#draining.has(link.id),
      };
    });
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
