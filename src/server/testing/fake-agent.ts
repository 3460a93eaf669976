import { runOneJob } from '../../gitlab-sim/runner-client.js';
import type {
  AgentEvents,
  AgentInfo,
  AgentLink,
  StartVmRequest,
} from '../agents/agent-link.js';

/**
 * A test double of an agent whose "VMs" are a few lines of TypeScript
 * speaking the runner job protocol to the GitLab URL they are given:
 * request one job (polling), ack it with `PUT state=running`, send a
 * trace, report success, and exit. Used to test the server's logic fast
 * and deterministically; real VMs are exercised in test/e2e.
 */
export class FakeAgent implements AgentLink {
  readonly id: string;
  readonly info: AgentInfo;
  readonly started: StartVmRequest[] = [];
  readonly stopped: string[] = [];
  readonly tokensWithdrawn: string[] = [];
  /** Set to make the next boots fail. */
  failBoots = 0;
  /** Delay before a fake VM starts polling, ms. */
  bootDelayMs = 20;
  /** How long a fake VM's job runs, ms. */
  jobMs = 0;
  #events: AgentEvents | undefined;
  #stops = new Map<string, () => void>();
  #booted = new Set<string>();

  constructor(id = 'fake', info: Partial<AgentInfo> = {}) {
    this.id = id;
    this.info = {
      hostname: id,
      arch: 'x86_64',
      vcpus: 8,
      memoryMiB: 16384,
      hypervisor: 'fake',
      acceleration: 'none',
      ...info,
    };
  }

  connect(events: AgentEvents): void {
    this.#events = events;
  }

  async jobTaken(vmId: string): Promise<void> {
    this.tokensWithdrawn.push(vmId);
  }

  /** Fake VMs print one line; ended ones keep it. */
  async readConsole(vmId: string): Promise<string | null> {
    return this.started.some((r) => r.vmId === vmId)
      ? `console of fake VM ${vmId}\n`
      : null;
  }

  runningVmIds(): string[] {
    return [...this.#stops.keys()];
  }

  get running(): number {
    return this.#stops.size;
  }

  async startVm(request: StartVmRequest): Promise<void> {
    this.started.push(request);
    if (this.failBoots > 0) {
      this.failBoots--;
      setTimeout(
        () => this.#exit(request.vmId, 'boot-failed', 'injected boot failure'),
        5,
      );
      return;
    }
    let stopped = false;
    const boot = setTimeout(() => {
      this.#booted.add(request.vmId);
      void this.#events?.vmBooted(request.vmId, Date.now());
      const run = runOneJob({
        gitlabUrl: request.gitlabUrl,
        runnerToken: request.runnerToken,
        waitMs: request.waitTimeoutSeconds * 1000,
        stopped: () => stopped,
        trace: 'hello from a fake VM\n',
        jobMs: this.jobMs,
      });
      void run.then(
        () => this.#exit(request.vmId, stopped ? 'stopped' : 'guest-exit', ''),
        (error: Error) => this.#exit(request.vmId, 'crashed', error.message),
      );
    }, this.bootDelayMs);
    this.#stops.set(request.vmId, () => {
      stopped = true;
      // Stopped before it "booted": it ends at once, like a real VM.
      if (!this.#booted.has(request.vmId)) {
        clearTimeout(boot);
        this.#exit(request.vmId, 'stopped', 'stopped before boot');
      }
    });
  }

  /** Dies like a killed agent: its VMs vanish and nothing is reported. */
  crash(): void {
    this.#events = undefined;
    this.stopAll();
  }

  /** Ends every fake VM, as a forced shutdown would. */
  stopAll(): void {
    for (const stop of [...this.#stops.values()]) stop();
  }

  async stopVm(vmId: string): Promise<void> {
    this.stopped.push(vmId);
    this.#stops.get(vmId)?.();
  }

  #exit(
    vmId: string,
    kind: 'guest-exit' | 'stopped' | 'crashed' | 'boot-failed',
    detail: string,
  ) {
    this.#stops.delete(vmId);
    void this.#events?.vmExited(vmId, {
      kind,
      code: 0,
      detail,
      endedAt: Date.now(),
      consolePath: null,
    });
  }
}
