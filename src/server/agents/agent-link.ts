import type { Arch, VmExit } from '../../vmm/driver.js';

/**
 * What the server asks of an agent. Owned by the server: the in-process
 * agent of `firelab up` implements it directly, a remote agent through its
 * connection. Calls resolve when the agent has accepted the work; progress
 * comes back through `AgentEvents`.
 */
export interface AgentLink {
  readonly id: string;
  readonly info: AgentInfo;
  startVm(request: StartVmRequest): Promise<void>;
  stopVm(vmId: string): Promise<void>;
  /** The VM's runner has its job: withdraw the token from its metadata. */
  jobTaken(vmId: string): Promise<void>;
  /**
   * The end of the VM's serial console (running or ended), or null when
   * the agent has none; at most `CONSOLE_TAIL_BYTES`.
   */
  readConsole(vmId: string): Promise<string | null>;
  /**
   * The VMs the agent has now (a restarted agent has none), including
   * ended ones whose exit the server has not acknowledged yet.
   */
  runningVmIds(): string[];
}

export interface AgentInfo {
  /** The host the agent runs on (its id is the configured name). */
  hostname: string;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  hypervisor: string;
  acceleration: string;
}

/** The most of a console an agent sends (frames are limited to 1 MiB). */
export const CONSOLE_TAIL_BYTES = 256 * 1024;

/** Everything an agent needs to run one VM for one runner. */
export interface StartVmRequest {
  vmId: string;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  /** The runner's authentication token: a secret, never logged. */
  runnerToken: string;
  gitlabUrl: string;
  /** Seconds the runner waits for a job before giving up. */
  waitTimeoutSeconds: number;
  /** Longest the job itself may run, seconds. */
  jobTimeoutSeconds: number;
  /** The VM is killed at this time (ms since epoch), whatever it does. */
  deadlineAt: number;
}

/** What an agent reports back about its VMs. */
export interface AgentEvents {
  /** Each resolves once the server has handled (and stored) the event. */
  vmBooted(vmId: string, at: number): Promise<void>;
  vmExited(
    vmId: string,
    exit: VmExit & { consolePath: string | null },
  ): Promise<void>;
}
