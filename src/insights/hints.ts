import type { Fleet } from './fleet.js';
import type { SeriesPoint } from './series.js';
import type { UsageRow } from './usage.js';
import type { Waits } from './waits.js';

/** A right-sizing suggestion the window's records support, in words. */
export interface Hint {
  kind:
    | 'no-jobs'
    | 'capacity'
    | 'oversized'
    | 'bursty'
    | 'unused-arch'
    | 'unused-host'
    | 'slow-boot'
    | 'overhead'
    | 'lost'
    | 'unserved'
    | 'expired';
  text: string;
}

/** Jobs waiting longer than this for a place suggest adding hosts. */
export const PLACEMENT_WAIT_S = 30;
/** Average utilisation under this (%) with a low peak: too many hosts. */
export const LOW_UTILISATION_PERCENT = 25;
/** A peak (busiest bucket) under this (%) confirms the fleet is large. */
export const LOW_PEAK_PERCENT = 50;
/** VMs ready slower than this (p95, s) suggest no KVM or a slow disk. */
export const SLOW_BOOT_S = 10;
/** Less of the reserved VM time running jobs than this (%) is overhead. */
export const LOW_JOB_SHARE_PERCENT = 50;

export interface HintFacts {
  totals: UsageRow;
  waits: Waits;
  fleet: Fleet;
  series: readonly SeriesPoint[];
  /** Why each job firelab could not serve was refused. */
  unservedReasons: readonly string[];
}

/**
 * Suggestions from reservations and timings only: firelab does not see
 * CPU or memory use inside VMs, so it never says a job is oversized.
 */
export function hintsFor(facts: HintFacts): Hint[] {
  if (facts.totals.jobs === 0 && facts.totals.vmMinutes === 0)
    return [{ kind: 'no-jobs', text: 'No firelab jobs in this window.' }];
  return [
    ...capacityHints(facts),
    ...unusedHostHints(facts.fleet),
    ...timingHints(facts),
    ...outcomeHints(facts),
  ];
}

function capacityHints({ waits, fleet, series }: HintFacts): Hint[] {
  const hints: Hint[] = [];
  const peak = peakPercent(series);
  const wait = waits.placement.p95;
  if (wait !== null && wait > PLACEMENT_WAIT_S) {
    const full =
      peak === null
        ? ''
        : ` (at the busiest time ${peak} % of vCPUs were reserved)`;
    hints.push({
      kind: 'capacity',
      text: `Jobs waited p95 ${wait} s for a place on a host${full}: add hosts, or raise jobs.maxPerProject / maxPerGroup if the caps held them.`,
    });
  }
  const cpu = fleet.vcpuPercent;
  const memory = fleet.memoryPercent;
  if (cpu === null || memory === null || peak === null) return hints;
  if (Math.max(cpu, memory) < LOW_UTILISATION_PERCENT) {
    hints.push(
      peak < LOW_PEAK_PERCENT
        ? {
            kind: 'oversized',
            text: `Utilisation was ${cpu} % of vCPU time and ${memory} % of memory time, and at most ${peak} % of vCPUs were reserved at the busiest time: the fleet is larger than this window needed.`,
          }
        : {
            kind: 'bursty',
            text: `Utilisation averaged ${cpu} % of vCPU time but reached ${peak} % at the busiest time: demand comes in bursts; fewer hosts would make jobs wait then.`,
          },
    );
  }
  return hints;
}

/** Hosts (or whole architectures) that ran no VM although they were there. */
function unusedHostHints(fleet: Fleet): Hint[] {
  const hints: Hint[] = [];
  const archs = new Set(fleet.agents.map((a) => a.arch));
  for (const arch of archs) {
    const hosts = fleet.agents.filter((a) => a.arch === arch && a.hours > 0);
    const idle = hosts.filter((a) => a.vms === 0);
    if (idle.length === 0) continue;
    if (idle.length === hosts.length && archs.size > 1) {
      hints.push({
        kind: 'unused-arch',
        text: `No job used the ${arch} hosts (${idle.map((a) => a.id).join(', ')}) in this window.`,
      });
      continue;
    }
    for (const agent of idle)
      hints.push({
        kind: 'unused-host',
        text: `Host ${agent.id} ran no VM in this window${agent.draining ? ' (it is draining)' : ''}.`,
      });
  }
  return hints;
}

function timingHints({ waits, totals }: HintFacts): Hint[] {
  const hints: Hint[] = [];
  const boot = waits.boot.p95;
  if (boot !== null && boot > SLOW_BOOT_S)
    hints.push({
      kind: 'slow-boot',
      text: `VMs took p95 ${boot} s from being made to running their job (runner creation, hypervisor, guest boot, runner start): check the hosts with \`firelab doctor\` (KVM, disk).`,
    });
  const share =
    totals.vmMinutes > 0
      ? Math.round((totals.jobMinutes / totals.vmMinutes) * 100)
      : null;
  if (share !== null && share < LOW_JOB_SHARE_PERCENT)
    hints.push({
      kind: 'overhead',
      text: `Jobs ran in ${share} % of the reserved VM time; the rest went to creating runners, booting and VMs waiting for a job (see jobs.idleTimeoutSeconds).`,
    });
  return hints;
}

function outcomeHints({ totals, unservedReasons }: HintFacts): Hint[] {
  const { lost, retried, unserved, expired } = totals.outcomes;
  const hints: Hint[] = [];
  if (lost > 0)
    hints.push({
      kind: 'lost',
      text: `${lost} job(s) lost their VM mid-job (a crash or a lost host); ${retried} retry job(s) were recorded in this window.`,
    });
  if (unserved > 0) {
    const common = mostCommon(unservedReasons);
    hints.push({
      kind: 'unserved',
      text: `${unserved} job(s) could not be served${common ? `; the most common reason: ${common}` : ''}.`,
    });
  }
  if (expired > 0)
    hints.push({
      kind: 'expired',
      text: `${expired} job(s) expired before any VM took them.`,
    });
  return hints;
}

/** The busiest bucket's reserved vCPUs as % of the capacity then. */
function peakPercent(series: readonly SeriesPoint[]): number | null {
  let peak: number | null = null;
  for (const p of series) {
    if (p.capacityVcpus <= 0) continue;
    const share = Math.round((p.reservedVcpus / p.capacityVcpus) * 1000) / 10;
    peak = Math.max(peak ?? 0, share);
  }
  return peak;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
