import type { GitlabClient } from '../gitlab/client.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { DemandRecord, Store, VmRecord } from '../store/index.js';
import type { VmExit } from '../vmm/driver.js';
import type { AgentRegistry } from './agents/agent-registry.js';
import type { Mutex } from './mutex.js';
import { placeQueued } from './place-queued.js';
import type { ControllerSettings } from './settings.js';
import { rescueLostJob } from './lost-job.js';
import { provisionVm, runnerDescription } from './provision-vm.js';
import { recordExit } from './vm-exit.js';
import { planTakeover } from './takeover.js';

export { RUNNER_PREFIX } from './provision-vm.js';

/**
 * A VM's whole life on the server side: placement, its GitLab runner,
 * learning which job the runner took, stopping it when it is not needed,
 * and cleaning up after it. State changes run under the controller's
 * mutex; slow calls (GitLab, agents) run outside it.
 */
export class VmLifecycle {
  #store: Store;
  #gitlab: GitlabClient;
  #agents: AgentRegistry;
  #settings: ControllerSettings;
  #log: Logger;
  #mutex: Mutex;
  #newVmId: () => string;
  #instruct: () => void;
  #inFlight = new Set<Promise<void>>();
  #provisioning = new Set<string>();
  #runnerFailures = { inARow: 0 };
  #scheduling = true;

  constructor(deps: {
    store: Store;
    gitlab: GitlabClient;
    agents: AgentRegistry;
    settings: ControllerSettings;
    log: Logger;
    mutex: Mutex;
    newVmId: () => string;
    /**
     * A VM's desired state changed in the store (stop it, withdraw its
     * token): the agent sync delivers it to the VM's agent.
     */
    instruct: () => void;
  }) {
    this.#store = deps.store;
    this.#gitlab = deps.gitlab;
    this.#agents = deps.agents;
    this.#settings = deps.settings;
    this.#log = deps.log;
    this.#mutex = deps.mutex;
    this.#newVmId = deps.newVmId;
    this.#instruct = deps.instruct;
  }

  /** VMs whose start request has not reached their agent yet. */
  get provisioning(): ReadonlySet<string> {
    return this.#provisioning;
  }

  /** A closing server places nothing more (its agents are draining). */
  stopScheduling(): void {
    this.#scheduling = false;
  }

  /** Places queued demands on agents with room and starts their VMs. */
  async schedule(): Promise<void> {
    if (!this.#scheduling) return;
    const started = await this.#mutex.run(() =>
      placeQueued({
        store: this.#store,
        agents: this.#agents,
        settings: this.#settings,
        log: this.#log,
        newVmId: this.#newVmId,
      }),
    );
    for (const [vm, demand] of started) {
      this.#provisioning.add(vm.id);
      this.#track(
        this.#provision(vm, demand).finally(() => {
          this.#provisioning.delete(vm.id);
          this.#instruct();
        }),
      );
    }
  }

  /** Creates the VM's runner and asks its agent to start it. */
  async #provision(vm: VmRecord, demand: DemandRecord): Promise<void> {
    const failed = await provisionVm(
      {
        store: this.#store,
        gitlab: this.#gitlab,
        agents: this.#agents,
        settings: this.#settings,
        mutex: this.#mutex,
        runnerFailures: this.#runnerFailures,
      },
      vm,
      demand,
      this.#log.child({ vmId: vm.id, jobId: demand.jobId }),
    );
    if (failed) await this.vmExited(vm.id, failed);
  }

  /** The agent reports that a VM is running its guest. */
  async vmBooted(vmId: string, at: number): Promise<void> {
    const moved = await this.#mutex.run(() =>
      this.#store.vms.updateVm(vmId, { state: 'idle', bootedAt: at }, [
        'booting',
      ]),
    );
    if (moved) this.#log.info({ vmId }, 'VM started');
  }

  /**
   * A runner took a job (from a `running` hook or a poll). Pauses the
   * runner so it can take no other, and settles which demand the VM
   * serves.
   */
  async runnerTookJob(
    runnerId: number,
    jobId: number,
    options = { pause: true },
  ): Promise<void> {
    const taker = await this.#mutex.run(async () => {
      const vm = await this.#store.vms.findVmByRunner(runnerId);
      const candidates = await this.#store.vms.findVmsForJob(jobId);
      const plan = planTakeover(vm, jobId, candidates);
      if (plan.kind === 'ignore' || !vm) return undefined;

      const now = Date.now();
      await this.#store.vms.updateVm(vm.id, {
        ...(plan.kind === 'late' ? {} : { state: 'busy' as const }),
        // After a swap this VM stands for the job it took.
        ...(plan.kind === 'swap' ? { demandJobId: jobId } : {}),
        tookJobId: jobId,
        jobStartedAt: now,
      });
      await this.#markServed(vm, jobId, now);
      if (plan.kind === 'swap') {
        await this.#store.vms.updateVm(plan.otherVmId, {
          demandJobId: plan.originalJobId,
        });
      } else if (
        plan.kind === 'requeue' ||
        (plan.kind === 'late' && plan.originalJobId !== jobId)
      ) {
        await this.#store.demands.transitionDemand(
          plan.originalJobId,
          ['placed'],
          'queued',
          now,
        );
      }
      this.#log.info(
        { vmId: vm.id, jobId, runnerId, plan: plan.kind },
        'runner took job',
      );
      return vm;
    });
    if (!taker || taker.state === 'ended') return;
    // The guest read its runner token long ago; now that the runner has
    // its job, nothing in the VM (the job included) may fetch it again.
    this.#instruct();
    if (!options.pause) return;
    // Renamed too: after a swap it serves another job than it was made for.
    const description = runnerDescription(taker.id, jobId);
    await this.#gitlab.pauseRunner(runnerId, description).catch((error) => {
      this.#log.warn(
        { runnerId, err: errorMessage(error) },
        'could not pause runner',
      );
    });
    await this.schedule();
  }

  async #markServed(vm: VmRecord, jobId: number, now: number): Promise<void> {
    const moved = await this.#store.demands.transitionDemand(
      jobId,
      ['queued', 'placed'],
      'served',
      now,
      { gitlabStatus: 'running', reason: null },
    );
    if (moved || (await this.#store.demands.getDemand(jobId))) return;
    // The job had no demand yet (its hook was lost and no poll has run):
    // it has the same tags as the VM's own job, or the runner could not
    // have taken it.
    const own = (await this.#store.demands.getDemand(vm.demandJobId))!;
    await this.#store.demands.insertDemand(
      {
        ...own,
        jobId,
        jobName: `job ${jobId}`,
        gitlabStatus: 'running',
        jobCreatedAt: null,
      },
      now,
    );
    await this.#store.demands.transitionDemand(
      jobId,
      ['queued'],
      'served',
      now,
    );
  }

  /**
   * A job reached a final status. A VM that ran it ends by itself; a VM
   * made for it that has no job yet is no longer needed.
   */
  async jobFinished(jobId: number, status: string): Promise<void> {
    const toStop = await this.#mutex.run(async () => {
      const now = Date.now();
      await this.#store.demands.setGitlabStatus(jobId, status);
      await this.#store.demands.transitionDemand(
        jobId,
        ['served'],
        'done',
        now,
      );
      const ended = status === 'canceled' ? 'canceled' : 'done';
      const unserved = await this.#store.demands.transitionDemand(
        jobId,
        ['queued', 'placed'],
        ended,
        now,
        { reason: `job ${status} before a VM took it` },
      );
      if (!unserved) return [];
      const vms = await this.#store.vms.findVmsForJob(jobId);
      return vms.filter(
        (vm) => vm.demandJobId === jobId && vm.tookJobId === null,
      );
    });
    for (const vm of toStop)
      await this.stopVm(vm, 'its job ended before it started');
  }

  /** Stops a VM that has no job to run, whatever state it is in. */
  async stopVm(vm: VmRecord, why: string): Promise<void> {
    const moved = await this.#mutex.run(() =>
      this.#store.vms.updateVm(vm.id, { state: 'stopping' }, [
        'creating',
        'booting',
        'idle',
      ]),
    );
    if (!moved) return;
    this.#log.info({ vmId: vm.id, why }, 'stopping VM');
    // A VM still `creating` has no agent-side VM yet: its provisioning
    // sees the `stopping` state and ends it. Others are stopped by their
    // agent, told by the agent sync of the server it is connected to.
    this.#instruct();
  }

  /**
   * The agent reports that a VM is gone. Deletes its runner, frees its
   * capacity, and requeues its job if the VM died before taking one.
   */
  async vmExited(
    vmId: string,
    exit: VmExit & { consolePath: string | null },
  ): Promise<void> {
    const learned = await this.#learnTakenJob(vmId);
    const vm = await this.#mutex.run(() =>
      recordExit(
        { store: this.#store, settings: this.#settings, log: this.#log },
        vmId,
        exit,
        learned,
      ),
    );
    if (!vm) return;
    if (vm.runnerId !== null) await this.#deleteRunner(vm.runnerId, vmId);
    const took = (await this.#store.vms.getVm(vmId))?.tookJobId ?? null;
    if (took !== null) {
      await rescueLostJob(
        { store: this.#store, gitlab: this.#gitlab, settings: this.#settings },
        { vm, jobId: took, exit },
        this.#log.child({ vmId, jobId: took }),
      );
    }
    await this.schedule();
  }

  /**
   * A short job can start and end between two polls, with its `running`
   * hook lost: before a VM's end is judged, its runner is asked (while it
   * still exists) whether it took a job. False when GitLab did not say.
   */
  async #learnTakenJob(vmId: string): Promise<boolean> {
    const vm = await this.#store.vms.getVm(vmId);
    if (
      !vm ||
      vm.runnerId === null ||
      vm.tookJobId !== null ||
      vm.state === 'ended'
    )
      return true;
    try {
      const taken = (await this.#gitlab.listRunnerJobs(vm.runnerId)).at(-1);
      if (taken)
        await this.runnerTookJob(vm.runnerId, taken.id, { pause: false });
      return true;
    } catch (error) {
      this.#log.warn(
        { vmId, err: errorMessage(error) },
        'could not ask the runner for its job; the reconciler will find out',
      );
      return false;
    }
  }

  /**
   * A pending job still `placed` whose VMs have all ended (their end came
   * while GitLab could not say whether they took it): back to the queue.
   */
  async requeueOrphan(jobId: number): Promise<void> {
    const moved = await this.#mutex.run(async () => {
      const vms = await this.#store.vms.findVmsForJob(jobId);
      const live = vms.some(
        (vm) => vm.demandJobId === jobId && vm.state !== 'ended',
      );
      if (live) return false;
      return this.#store.demands.transitionDemand(
        jobId,
        ['placed'],
        'queued',
        Date.now(),
        { reason: 'its VM ended without taking it' },
      );
    });
    if (moved) await this.schedule();
  }

  async #deleteRunner(runnerId: number, vmId: string): Promise<void> {
    try {
      await this.#gitlab.deleteRunner(runnerId);
      this.#log.debug({ vmId, runnerId }, 'runner deleted');
    } catch (error) {
      // Left for garbage collection, which retries on every pass.
      this.#log.warn(
        { vmId, runnerId, err: errorMessage(error) },
        'could not delete runner',
      );
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    void work.finally(() => this.#inFlight.delete(work));
  }

  /** Resolves when provisioning started so far has finished. */
  async settled(): Promise<void> {
    while (this.#inFlight.size > 0)
      await Promise.allSettled([...this.#inFlight]);
  }
}
