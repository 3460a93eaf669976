/**
 * The hypervisor port. The agent boots and stops VMs only through this
 * interface, so it cannot tell Firecracker from QEMU. A driver knows
 * nothing of GitLab: the metadata it serves to the guest is an opaque JSON
 * document.
 */
export const ARCHES = ['x86_64', 'arm64'] as const;
export type Arch = (typeof ARCHES)[number];

/** Everything a driver needs to boot one VM. Paths are absolute. */
export interface VmSpec {
  id: string;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  kernelPath: string;
  initrdPath?: string;
  /** The golden root filesystem; the driver boots a copy-on-write clone. */
  rootImagePath: string;
  /** Extra kernel arguments (never secrets: they are visible in the guest). */
  bootArgs: string[];
  network: VmNetwork;
  /**
   * Served to the guest at http://169.254.169.254 with the MMDS V2
   * protocol (PUT /latest/api/token, then GET with X-metadata-token).
   * Holds secrets such as the runner token: never log it.
   */
  metadata: Record<string, unknown>;
  /** Folder owned by this VM: disk clone, sockets, console log. */
  workDir: string;
  /** Where the serial console is written. */
  consolePath: string;
  /** Wall-clock time (ms since epoch) after which the VM is killed. */
  deadlineAt: number;
}

/** The network a VM is attached to, prepared by the network module. */
export interface VmNetwork {
  /** Network namespace the hypervisor process runs in. */
  netns: string;
  tap: string;
  mac: string;
  guestIp: string;
  gatewayIp: string;
  prefixLength: number;
}

/** How a VM ended. The job's own result comes from GitLab, not from here. */
export const VM_EXIT_KINDS = [
  /** The guest powered off or rebooted by itself (normal end). */
  'guest-exit',
  /** The hypervisor process died with an error or was killed by someone. */
  'crashed',
  /** Stopped on request (cancel, idle reap, shutdown). */
  'stopped',
  /** Killed because the deadline passed. */
  'deadline',
  /** Never reached a running state. */
  'boot-failed',
] as const;
export type VmExitKind = (typeof VM_EXIT_KINDS)[number];

export interface VmExit {
  kind: VmExitKind;
  /** Exit code of the hypervisor process, if it had one. */
  code: number | null;
  detail: string;
  endedAt: number;
}

export interface VmHandle {
  readonly id: string;
  readonly pid: number | undefined;
  /** Resolves once the VM has ended and its driver resources are freed. */
  readonly exited: Promise<VmExit>;
  /**
   * Merges `patch` into the metadata the guest reads (RFC 7396: null
   * removes a key), e.g. to withdraw the runner token once it is used.
   */
  patchMetadata(patch: Record<string, unknown>): Promise<void>;
  /** Asks the VM to end (graceful where possible, then kill). Idempotent. */
  stop(reason: 'stopped' | 'deadline', graceMs?: number): Promise<VmExit>;
}

export interface VmDriver {
  readonly name: string;
  /** How guests run on this host, e.g. "kvm" or "tcg", said in the log. */
  readonly acceleration: string;
  /**
   * Boots a VM and resolves once the hypervisor runs the guest. Rejects
   * (after cleaning up everything it made) if the VM cannot start.
   */
  boot(spec: VmSpec): Promise<VmHandle>;
  /**
   * For agent start, before any boot: removes what VMs of an earlier,
   * killed agent left that only the driver knows of (Firecracker's jails
   * and cgroups, killing the processes still in them) and returns what it
   * removed. Drivers with nothing of their own to sweep omit it: the VM's
   * network namespace and workDir are the agent's to clean.
   */
  cleanupStale?(): Promise<string[]>;
}
