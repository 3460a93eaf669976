import type { DoctorCheck, DoctorReport } from './doctor-types.js';

/** Builds a report; `ok` is false when any fatal check failed. Pure. */
export function makeReport(checks: DoctorCheck[], now: Date): DoctorReport {
  const ok = checks.every((c) => c.ok || c.severity !== 'fatal');
  return { checks, ok, generatedAt: now.toISOString() };
}

/**
 * The report as text: one line per check (`ok`, `FAIL` for a fatal
 * failure, `warn` otherwise), with the fix after an arrow, then a
 * summary line. Pure.
 */
export function formatReportText(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length), 4);
  const lines = report.checks.map((check) => {
    const mark = check.ok
      ? 'ok  '
      : check.severity === 'fatal'
        ? 'FAIL'
        : 'warn';
    const fix = check.ok || !check.fix ? '' : ` -> ${check.fix}`;
    return `${mark} ${check.name.padEnd(width)}  ${check.detail}${fix}`;
  });
  const failed = report.checks.filter((c) => !c.ok);
  const fatal = failed.filter((c) => c.severity === 'fatal').length;
  const summary = report.ok
    ? `host ready (${failed.length} warning${failed.length === 1 ? '' : 's'})`
    : `host not ready: ${fatal} fatal problem${fatal === 1 ? '' : 's'}`;
  return `${[...lines, summary].join('\n')}\n`;
}

/** The report as pretty JSON, stable key order. Pure. */
export function formatReportJson(report: DoctorReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The process exit code: 1 when any fatal check failed, else 0. */
export function doctorExitCode(report: DoctorReport): number {
  return report.ok ? 0 : 1;
}
