import { CHECK } from './doctor-types.js';
import type { DoctorReport, HypervisorChoice } from './doctor-types.js';

/**
 * Which hypervisor to run, and why. Pure. An explicit choice is kept
 * (the why then notes a failing prerequisite, which the doctor reports
 * as fatal); `auto` picks Firecracker only when KVM really booted a guest
 * and the firecracker binary answered, and QEMU otherwise, naming the
 * check that ruled Firecracker out.
 */
export function chooseHypervisor(
  report: DoctorReport,
  configured: HypervisorChoice,
): { hypervisor: 'firecracker' | 'qemu'; why: string } {
  const failing = [CHECK.kvm, CHECK.firecracker].filter(
    (name) => !report.checks.find((c) => c.name === name)?.ok,
  );
  if (configured === 'qemu') {
    return { hypervisor: 'qemu', why: 'configured' };
  }
  if (configured === 'firecracker') {
    const why = failing.length
      ? `configured, but ${failing.join(' and ')} failed its check`
      : 'configured';
    return { hypervisor: 'firecracker', why };
  }
  if (failing.length === 0) {
    return {
      hypervisor: 'firecracker',
      why: 'KVM works and firecracker is installed',
    };
  }
  const why = `auto: ${failing.join(' and ')} not usable, QEMU works without them`;
  return { hypervisor: 'qemu', why };
}
