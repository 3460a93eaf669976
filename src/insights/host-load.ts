import type { AgentRecord, VmRecord } from '../store/index.js';
import type { InsightsRecords } from './input.js';
import { vmHeld } from './input.js';
import type { InsightsWindow } from './window.js';
import { overlapMs } from './window.js';

/**
 * One agent over a window: how long it offered its capacity (from the
 * window's start, or from when it was first seen if later, to the
 * window's end; at its current size, online or not: the host is there
 * and paid for) and what its VMs reserved of it.
 */
export interface HostLoad {
  agent: AgentRecord;
  spanMs: number;
  capacityVcpuMs: number;
  capacityMibMs: number;
  vms: { vm: VmRecord; vcpuMs: number; mibMs: number }[];
}

export function hostLoads(
  records: InsightsRecords,
  window: InsightsWindow,
): HostLoad[] {
  const loads = new Map<string, HostLoad & { start: number }>();
  for (const agent of records.agents) {
    const start = Math.max(window.from, agent.firstSeenAt ?? window.from);
    const spanMs = Math.max(0, window.to - start);
    loads.set(agent.id, {
      agent,
      start,
      spanMs,
      capacityVcpuMs: spanMs * agent.vcpus,
      capacityMibMs: spanMs * agent.memoryMiB,
      vms: [],
    });
  }
  for (const vm of records.vms) {
    const load = loads.get(vm.agentId);
    if (!load) continue;
    const held = vmHeld(vm, records.now);
    const ms = overlapMs(held.start, held.end, load.start, window.to);
    if (ms > 0)
      load.vms.push({ vm, vcpuMs: ms * vm.vcpus, mibMs: ms * vm.memoryMiB });
  }
  return [...loads.values()].map(({ start: _start, ...load }) => load);
}
