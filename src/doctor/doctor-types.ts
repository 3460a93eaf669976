export const SEVERITIES = ['fatal', 'warn'] as const;
export type Severity = (typeof SEVERITIES)[number];

/**
 * One host check: `ok` or not, how bad a failure is, what was found
 * (`detail`) and, when not ok, the one thing to do about it (`fix`).
 */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  severity: Severity;
  detail: string;
  fix: string;
}

export interface DoctorReport {
  checks: DoctorCheck[];
  /** False when any fatal check failed. */
  ok: boolean;
  generatedAt: string;
}

export const HYPERVISOR_CHOICES = ['auto', 'firecracker', 'qemu'] as const;
export type HypervisorChoice = (typeof HYPERVISOR_CHOICES)[number];

/** Check names other code branches on. */
export const CHECK = {
  kvm: 'kvm',
  firecracker: 'firecracker',
  jailer: 'jailer',
} as const;
