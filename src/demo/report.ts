import type { DemandRecord, VmRecord } from '../store/index.js';

/** What the demo knows of one job, from GitLab's side and firelab's. */
export interface JobView {
  id: number;
  name: string;
  status: string;
  exitCode: number | null;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface JobReport {
  id: number;
  name: string;
  status: string;
  expected: string | null;
  asExpected: boolean;
  exitCode: number | null;
  vmId: string | null;
  timings: {
    queuedMs: number | null;
    vmBootMs: number | null;
    runMs: number | null;
  };
}

/** The phase a job is in, as the live view prints it. */
export function phaseOf(
  job: JobView,
  demand: DemandRecord | undefined,
  vms: VmRecord[],
): string {
  if (['success', 'failed', 'canceled', 'skipped'].includes(job.status)) {
    return `finished: ${job.status}`;
  }
  const mine = vms.find((vm) => vm.tookJobId === job.id);
  if (mine || job.status === 'running')
    return `running${mine ? ` in ${mine.id}` : ''}`;
  const booting = vms.find(
    (vm) =>
      vm.demandJobId === job.id &&
      vm.tookJobId === null &&
      vm.state !== 'ended',
  );
  if (booting) return `VM ${booting.state} (${booting.id})`;
  if (demand?.status === 'queued' && demand.reason)
    return `queued: ${demand.reason}`;
  return job.status;
}

/** One report row per job: its outcome, its VM and where time went. */
export function reportJob(
  job: JobView,
  vms: VmRecord[],
  expected: Record<string, string>,
): JobReport {
  const vm = vms.find((v) => v.tookJobId === job.id);
  const want = expected[job.name] ?? null;
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    expected: want,
    asExpected: want === null || want === job.status,
    exitCode: job.exitCode,
    vmId: vm?.id ?? null,
    timings: {
      queuedMs: span(job.queuedAt?.getTime(), job.startedAt?.getTime()),
      vmBootMs: span(vm?.createdAt, vm?.bootedAt ?? undefined),
      runMs: span(job.startedAt?.getTime(), job.finishedAt?.getTime()),
    },
  };
}

function span(
  from: number | undefined | null,
  to: number | undefined | null,
): number | null {
  return from == null || to == null ? null : Math.max(0, to - from);
}

/** The summary lines printed after the live view. */
export function summaryLines(
  rows: JobReport[],
  left: { runners: number; vms: number },
): string[] {
  const seconds = (ms: number | null) =>
    ms === null ? '   -  ' : `${(ms / 1000).toFixed(1).padStart(5)}s`;
  const lines = rows.map(
    (r) =>
      `${r.asExpected ? 'ok ' : 'BAD'} #${r.id} ${r.name.padEnd(18)} ${r.status.padEnd(8)}` +
      ` exit ${String(r.exitCode ?? '-').padEnd(3)} ${String(r.vmId ?? '-').padEnd(12)}` +
      ` queued ${seconds(r.timings.queuedMs)} boot ${seconds(r.timings.vmBootMs)}` +
      ` run ${seconds(r.timings.runMs)}`,
  );
  const good = rows.filter((r) => r.asExpected).length;
  lines.push(
    `${good}/${rows.length} jobs ended as expected; ` +
      `${left.runners} firelab runners and ${left.vms} VMs left`,
  );
  return lines;
}
