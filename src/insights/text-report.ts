import type { InsightsReport } from './report.js';
import type { Spread } from './spread.js';
import type { UsageRow } from './usage.js';

/** Rows per usage table in the text report; the API has them all. */
const TEXT_ROWS = 10;

/**
 * The report as `firelab insights` prints it: a few lines of totals,
 * the heaviest groups, projects and jobs, cost, hints and notes.
 */
export function textReport(report: InsightsReport): string {
  const { totals, previous, fleet, waits, cost } = report;
  const o = totals.outcomes;
  const lines = [
    `firelab insights, last ${report.window.spec} (${report.window.from} to ${report.window.to})`,
    '',
    `jobs: ${totals.jobs} (the window before: ${previous.jobs}); ${o.success} succeeded, ${o.failed} failed, ${o.canceled} canceled, ${o.unserved} not served, ${o.expired} expired, ${o.lost} lost, ${o.retried} retries, ${o.open} open`,
    `VM time: ${totals.vmMinutes} min (jobs ran ${totals.jobMinutes}), ${totals.vcpuMinutes} vCPU-min, ${totals.gibMinutes} GiB-min (the window before: ${previous.vcpuMinutes} vCPU-min)`,
    `fleet: ${fleet.agents.length} agent(s); VMs reserved ${pct(fleet.vcpuPercent)} of vCPU time and ${pct(fleet.memoryPercent)} of memory time (${fleet.reservedVcpuHours} of ${fleet.capacityVcpuHours} vCPU-hours)`,
    `waits p50/p95: job started ${spread(waits.start)}, VM made ${spread(waits.placement)}, VM ready ${spread(waits.boot)}; ${waits.notStarted} job(s) not started`,
    ...(cost
      ? [
          `cost: ${money(cost.total, cost.currency)}, idle capacity ${money(cost.idle, cost.currency)} (${pct(cost.idlePercent)})`,
        ]
      : []),
    '',
    ...usageTable('groups', report.byGroup, cost?.byGroup),
    ...usageTable('projects', report.byProject, cost?.byProject),
    ...usageTable('job names', report.byJobName),
    'hints:',
    ...report.hints.map((h) => `- ${h.text}`),
    '',
    'notes:',
    ...report.notes.map((n) => `- ${n}`),
  ];
  return `${lines.join('\n')}\n`;
}

function usageTable(
  title: string,
  rows: readonly UsageRow[],
  costs?: readonly { key: string; amount: number }[],
): string[] {
  if (rows.length === 0) return [];
  const amount = new Map(costs?.map((c) => [c.key, c.amount]));
  const header = ['jobs', 'vCPU-min', 'GiB-min', ...(costs ? ['cost'] : [])];
  const cells = rows
    .slice(0, TEXT_ROWS)
    .map((r) => [
      printable(r.project ? `${r.project}: ${r.name}` : r.name),
      String(r.jobs),
      String(r.vcpuMinutes),
      String(r.gibMinutes),
      ...(costs ? [(amount.get(r.key) ?? 0).toFixed(2)] : []),
    ]);
  const more =
    rows.length > TEXT_ROWS ? [`  … ${rows.length - TEXT_ROWS} more`] : [];
  return [`${title}:`, ...columns([['', ...header], ...cells]), ...more, ''];
}

/** Pads cells into columns: the first left-aligned, the rest right. */
function columns(rows: readonly string[][]): string[] {
  const widths = rows[0]!.map((_, i) =>
    Math.max(...rows.map((r) => r[i]!.length)),
  );
  return rows.map(
    (r) =>
      '  ' +
      r
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!),
        )
        .join('  ')
        .trimEnd(),
  );
}

/**
 * Names come from GitLab: control characters (a terminal's escape
 * sequences) are shown as `?` rather than sent to the terminal.
 */
function printable(name: string): string {
  // eslint-disable-next-line no-control-regex -- matching them is the point
  return name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

function spread(s: Spread): string {
  return s.count === 0 ? '-' : `${s.p50}/${s.p95} s`;
}

function pct(value: number | null): string {
  return value === null ? '-' : `${value} %`;
}

function money(amount: number, currency: string): string {
  return `${amount.toFixed(2)} ${currency}`;
}
