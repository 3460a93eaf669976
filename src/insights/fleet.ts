import type { HostLoad } from './host-load.js';
import { HOUR_MS } from './window.js';

/** One agent's part in the window (utilisation in %, null: no capacity). */
export interface AgentUsage {
  id: string;
  hostname: string;
  arch: string;
  state: string;
  draining: boolean;
  vcpus: number;
  memoryMiB: number;
  /** Hours of the window it offered capacity. */
  hours: number;
  vms: number;
  vcpuPercent: number | null;
  memoryPercent: number | null;
}

/**
 * The fleet over the window: capacity (each agent's vCPUs and memory for
 * its span) against what VMs reserved of it. Reservations, not use:
 * nothing inside the VMs is measured. With `jobs.cpuOvercommit` above 1
 * vCPU utilisation can pass 100 %.
 */
export interface Fleet {
  agents: AgentUsage[];
  capacityVcpuHours: number;
  reservedVcpuHours: number;
  capacityGibHours: number;
  reservedGibHours: number;
  vcpuPercent: number | null;
  memoryPercent: number | null;
}

export function fleetOf(loads: readonly HostLoad[]): Fleet {
  let capVcpu = 0;
  let capMib = 0;
  let usedVcpu = 0;
  let usedMib = 0;
  const agents = loads.map((load) => {
    const vcpuMs = sum(load.vms.map((v) => v.vcpuMs));
    const mibMs = sum(load.vms.map((v) => v.mibMs));
    capVcpu += load.capacityVcpuMs;
    capMib += load.capacityMibMs;
    usedVcpu += vcpuMs;
    usedMib += mibMs;
    const { agent } = load;
    return {
      id: agent.id,
      hostname: agent.hostname,
      arch: agent.arch,
      state: agent.state,
      draining: agent.draining,
      vcpus: agent.vcpus,
      memoryMiB: agent.memoryMiB,
      hours: hours(load.spanMs),
      vms: load.vms.length,
      vcpuPercent: percent(vcpuMs, load.capacityVcpuMs),
      memoryPercent: percent(mibMs, load.capacityMibMs),
    };
  });
  return {
    agents,
    capacityVcpuHours: hours(capVcpu),
    reservedVcpuHours: hours(usedVcpu),
    capacityGibHours: hours(capMib / 1024),
    reservedGibHours: hours(usedMib / 1024),
    vcpuPercent: percent(usedVcpu, capVcpu),
    memoryPercent: percent(usedMib, capMib),
  };
}

/** `part` of `whole` in %, to 0.1; null when there is no whole. */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part / whole) * 1000) / 10 : null;
}

function hours(ms: number): number {
  return Math.round(ms / (HOUR_MS / 10)) / 10;
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
