import type { CostReport, HostCosts } from './cost.js';
import { allocateCost } from './cost.js';
import type { Fleet } from './fleet.js';
import { fleetOf } from './fleet.js';
import type { Hint } from './hints.js';
import { hintsFor } from './hints.js';
import { hostLoads } from './host-load.js';
import type { InsightsRecords } from './input.js';
import { outcomeOf } from './outcomes.js';
import type { SeriesPoint } from './series.js';
import { seriesOf } from './series.js';
import { byGroup, byJobName, byProject, Subjects } from './subjects.js';
import type { UsageRow } from './usage.js';
import { totalUsage, usageBy } from './usage.js';
import type { Waits } from './waits.js';
import { waitsIn } from './waits.js';
import type { InsightsWindow } from './window.js';
import { previousWindow } from './window.js';

/** Job-name rows beyond this many (the lightest) are left out. */
export const MAX_JOB_NAME_ROWS = 100;

/**
 * Everything the dashboard and `firelab insights` show about a window.
 * `previous` is the same totals for the window just before, to compare.
 * `cost` is null when no host cost is configured.
 */
export interface InsightsReport {
  window: { spec: string; from: string; to: string; bucketMs: number };
  totals: UsageRow;
  previous: UsageRow;
  byGroup: UsageRow[];
  byProject: UsageRow[];
  byJobName: UsageRow[];
  jobNamesLeftOut: number;
  waits: Waits;
  series: SeriesPoint[];
  fleet: Fleet;
  cost: CostReport | null;
  hints: Hint[];
  notes: string[];
}

const NOTES = [
  'firelab records what each VM reserved (vCPUs, memory) and when; it does not measure CPU or memory use inside VMs, so it cannot say whether a job would fit a smaller size.',
  'Capacity counts each agent at its current size from when it was first seen (or the window start) to the window end, online or not.',
];

/** The report for `window`, from the store's records. Pure. */
export function buildReport(
  records: InsightsRecords,
  window: InsightsWindow,
  costs: HostCosts | null,
): InsightsReport {
  const subjects = new Subjects(records);
  const totals = totalUsage(records, subjects, window);
  const jobNames = usageBy(records, subjects, window, byJobName(subjects));
  const waits = waitsIn(records, window);
  const series = seriesOf(records, window);
  const loads = hostLoads(records, window);
  const fleet = fleetOf(loads);
  const unservedReasons = records.demands
    .filter(
      (d) =>
        d.createdAt >= window.from &&
        d.createdAt < window.to &&
        outcomeOf(d) === 'unserved',
    )
    .map((d) => d.reason ?? 'no reason recorded');
  return {
    window: {
      spec: window.spec,
      from: new Date(window.from).toISOString(),
      to: new Date(window.to).toISOString(),
      bucketMs: window.bucketMs,
    },
    totals,
    previous: totalUsage(records, subjects, previousWindow(window)),
    byGroup: usageBy(records, subjects, window, byGroup(subjects)),
    byProject: usageBy(records, subjects, window, byProject(subjects)),
    byJobName: jobNames.slice(0, MAX_JOB_NAME_ROWS),
    jobNamesLeftOut: Math.max(0, jobNames.length - MAX_JOB_NAME_ROWS),
    waits,
    series,
    fleet,
    cost: costs && allocateCost(loads, costs, subjects),
    hints: hintsFor({ totals, waits, fleet, series, unservedReasons }),
    notes: [...NOTES, ...costNotes(costs, records)],
  };
}

/** What the cost settings leave out: none at all, or unknown agents. */
function costNotes(
  costs: HostCosts | null,
  records: InsightsRecords,
): string[] {
  if (!costs)
    return [
      'No host cost is configured (insights.hostMonthlyCost): no cost allocation.',
    ];
  const known = new Set(records.agents.map((agent) => agent.id));
  const unknown = Object.keys(costs.monthlyByAgent).filter(
    (id) => !known.has(id),
  );
  return unknown.length === 0
    ? []
    : [
        `insights.hostMonthlyCostByAgent names agents firelab does not know (${unknown.join(', ')}): keys are agent names as configured (agent.name).`,
      ];
}
