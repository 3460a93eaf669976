import type { VmRecord } from '../store/index.js';

/**
 * What to do when runner R (of VM `vm`, made for job D) turns out to have
 * taken job J. GitLab cannot bind a runner to a job, so J may differ from
 * D. Runners are a pool per tag set: if another idle VM was made for J,
 * the two VMs swap the jobs they stand for, so D is still covered and J
 * never gets a second VM. If none was, D goes back to the queue. A VM
 * that ended before firelab could learn its job (GitLab did not answer)
 * has it recorded late: nothing is swapped, D is requeued if it was not J.
 */
export type Takeover =
  | { kind: 'ignore'; reason: string }
  | { kind: 'late'; originalJobId: number }
  | { kind: 'own-job' }
  | { kind: 'swap'; otherVmId: string; originalJobId: number }
  | { kind: 'requeue'; originalJobId: number };

export function planTakeover(
  vm: VmRecord | undefined,
  takenJobId: number,
  candidates: readonly VmRecord[],
): Takeover {
  if (!vm) return { kind: 'ignore', reason: 'runner belongs to no firelab VM' };
  if (vm.tookJobId !== null) {
    return vm.tookJobId === takenJobId
      ? { kind: 'ignore', reason: 'already known' }
      : { kind: 'ignore', reason: `runner already took job ${vm.tookJobId}` };
  }
  if (vm.state === 'ended')
    return { kind: 'late', originalJobId: vm.demandJobId };
  if (vm.demandJobId === takenJobId) return { kind: 'own-job' };

  const other = candidates.find(
    (c) =>
      c.id !== vm.id &&
      c.demandJobId === takenJobId &&
      c.tookJobId === null &&
      c.state !== 'ended' &&
      c.state !== 'stopping',
  );
  return other
    ? { kind: 'swap', otherVmId: other.id, originalJobId: vm.demandJobId }
    : { kind: 'requeue', originalJobId: vm.demandJobId };
}
