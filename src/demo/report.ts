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
  trace: Buffer;
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
    vmStartMs: number | null;
    runMs: number | null;
  };
  /** The end of the job's log, when it did not end as expected. */
  traceTail?: string;
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
  if (booting) {
    // `idle`: the hypervisor runs; the guest boots until its runner asks.
    const what =
      booting.state === 'creating' ? 'creating runner' : 'VM booting';
    return `${what} (${booting.id})`;
  }
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
  const asExpected = want === null || want === job.status;
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    expected: want,
    asExpected,
    // A runner omits exit_code 0 (Go's omitempty), so success means 0.
    exitCode: job.exitCode ?? (job.status === 'success' ? 0 : null),
    vmId: vm?.id ?? null,
    timings: {
      queuedMs: span(job.queuedAt?.getTime(), job.startedAt?.getTime()),
      vmStartMs: span(vm?.createdAt, vm?.bootedAt ?? undefined),
      runMs: span(job.startedAt?.getTime(), job.finishedAt?.getTime()),
    },
    ...(asExpected ? {} : { traceTail: tail(job.trace.toString(), 15) }),
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
  const lines = rows.flatMap((r) => [
    `${r.asExpected ? 'ok ' : 'BAD'} #${r.id} ${r.name.padEnd(18)} ${r.status.padEnd(8)}` +
      ` exit ${String(r.exitCode ?? '-').padEnd(3)} ${String(r.vmId ?? '-').padEnd(12)}` +
      ` queued ${seconds(r.timings.queuedMs)} start ${seconds(r.timings.vmStartMs)}` +
      ` run ${seconds(r.timings.runMs)}`,
    ...(r.traceTail ? r.traceTail.split('\n').map((l) => `      | ${l}`) : []),
  ]);
  const good = rows.filter((r) => r.asExpected).length;
  lines.push(
    `${good}/${rows.length} jobs ended as expected; ` +
      `${left.runners} firelab runners and ${left.vms} VMs left`,
  );
  return lines;
}

/** The last `lines` lines of a log. */
export function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
