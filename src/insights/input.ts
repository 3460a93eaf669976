import type {
  AgentRecord,
  DemandRecord,
  ProjectRecord,
  VmRecord,
} from '../store/index.js';

/**
 * What a report is computed from, as the store holds it: the demands
 * recorded in the window (and in the one before, for comparison) plus
 * those of the jobs its VMs ran, the VMs that held capacity in it, every
 * agent, and the projects' names. `now` ends the VMs still live.
 */
export interface InsightsRecords {
  now: number;
  demands: readonly DemandRecord[];
  vms: readonly VmRecord[];
  agents: readonly AgentRecord[];
  projects: readonly ProjectRecord[];
}

/** When a VM held capacity: from its record until it ended (or `now`). */
export function vmHeld(
  vm: VmRecord,
  now: number,
): { start: number; end: number } {
  return { start: vm.createdAt, end: vm.endedAt ?? now };
}
