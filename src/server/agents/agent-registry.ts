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

  /** Adds an agent; a newer connection of the same agent replaces the old. */
  add(link: AgentLink): void {
    this.#links.set(link.id, link);
  }

  /** Removes `link`, unless a newer connection has replaced it. */
  remove(link: AgentLink): boolean {
    if (this.#links.get(link.id) !== link) return false;
    this.#links.delete(link.id);
    return true;
  }

  get(id: string): AgentLink | undefined {
    return this.#links.get(id);
  }

  list(): AgentLink[] {
    return [...this.#links.values()];
  }

  /** What each agent offers; `draining` agents take no new VMs. */
  capacities(
    liveVms: readonly VmRecord[],
    draining: ReadonlySet<string>,
  ): HostCapacity[] {
    return this.list().map((link) => {
      const mine = liveVms.filter((vm) => vm.agentId === link.id);
      return {
        id: link.id,
        arch: link.info.arch,
        vcpus: link.info.vcpus,
        memoryMiB: link.info.memoryMiB,
        usedVcpus: sum(mine.map((vm) => vm.vcpus)),
        usedMemoryMiB: sum(mine.map((vm) => vm.memoryMiB)),
        accepting: !draining.has(link.id),
      };
    });
  }
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
