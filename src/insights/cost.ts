import { percent } from './fleet.js';
import type { HostLoad } from './host-load.js';
import type { Dimension, Subjects } from './subjects.js';
import { byGroup, byProject } from './subjects.js';
import { DAY_MS } from './window.js';

/**
 * What the hosts cost: a fixed amount per month for every agent's host,
 * `defaultMonthly` unless `monthlyByAgent` names the agent, in one
 * currency.
 */
export interface HostCosts {
  currency: string;
  defaultMonthly: number;
  monthlyByAgent: Readonly<Record<string, number>>;
}

/** A part of the window's cost and its share of the total, in %. */
export interface CostShare {
  key: string;
  name: string;
  amount: number;
  percent: number | null;
}

/**
 * The window's fixed cost, split by what VMs reserved; `idle` is what no
 * VM reserved.
 */
export interface CostReport {
  currency: string;
  total: number;
  idle: number;
  idlePercent: number | null;
  byGroup: CostShare[];
  byProject: CostShare[];
  byAgent: { id: string; amount: number; idle: number }[];
}

/** An average month: costs are per month, windows are in hours. */
export const MONTH_MS = (365.25 / 12) * DAY_MS;

/**
 * Splits each host's cost for its span in the window across the VMs it
 * held, by their share of its vCPU time and of its memory time (half
 * each: placement needs both). A host whose VMs reserved more than it
 * has (CPU over-commit) is split in proportion, leaving nothing idle.
 */
export function allocateCost(
  loads: readonly HostLoad[],
  costs: HostCosts,
  subjects: Subjects,
): CostReport {
  const dimensions = { group: byGroup(subjects), project: byProject(subjects) };
  const shares = {
    group: new Map<string, CostShare>(),
    project: new Map<string, CostShare>(),
  };
  let total = 0;
  let idle = 0;
  const byAgent = loads.map((load) => {
    const monthly = costs.monthlyByAgent[load.agent.id] ?? costs.defaultMonthly;
    const amount = (monthly * load.spanMs) / MONTH_MS;
    const weights = load.vms.map(
      (v) =>
        (ratio(v.vcpuMs, load.capacityVcpuMs) +
          ratio(v.mibMs, load.capacityMibMs)) /
        2,
    );
    const scale =
      1 /
      Math.max(
        1,
        weights.reduce((a, b) => a + b, 0),
      );
    let allocated = 0;
    load.vms.forEach(({ vm }, i) => {
      const part = amount * weights[i]! * scale;
      allocated += part;
      const subject = subjects.ofVm(vm);
      for (const kind of ['group', 'project'] as const)
        add(shares[kind], dimensions[kind], subject, part);
    });
    total += amount;
    idle += amount - allocated;
    return {
      id: load.agent.id,
      amount: money(amount),
      idle: money(amount - allocated),
    };
  });
  const finish = (map: Map<string, CostShare>) =>
    [...map.values()]
      .sort((a, b) => b.amount - a.amount)
      .map((s) => ({
        ...s,
        amount: money(s.amount),
        percent: percent(s.amount, total),
      }));
  return {
    currency: costs.currency,
    total: money(total),
    idle: money(idle),
    idlePercent: percent(idle, total),
    byGroup: finish(shares.group),
    byProject: finish(shares.project),
    byAgent,
  };
}

function add(
  shares: Map<string, CostShare>,
  dimension: Dimension,
  subject: Parameters<Dimension['keyOf']>[0],
  amount: number,
): void {
  const key = dimension.keyOf(subject);
  const share = shares.get(key);
  if (share) share.amount += amount;
  else
    shares.set(key, {
      key,
      name: dimension.nameOf(subject),
      amount,
      percent: null,
    });
}

function ratio(part: number, whole: number): number {
  return whole > 0 ? part / whole : 0;
}

function money(amount: number): number {
  return Math.round(amount * 100) / 100;
}
