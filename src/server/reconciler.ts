import type { GitlabClient } from '../gitlab/client.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/index.js';
import { LIVE_VM_STATES } from '../store/records.js';
import type { AgentRegistry } from './agents/agent-registry.js';
import type { Controller } from './controller.js';
import type { ControllerSettings } from './settings.js';
import { RUNNER_PREFIX } from './vm-lifecycle.js';

/**
 * The second path to every fact a webhook carries. Webhooks are lossy and
 * unordered, so on a fixed interval this polls GitLab for pending jobs,
 * asks idle runners which job they took, stops VMs idle past their limit,
 * gives up the VMs of agents silent for too long, and deletes firelab
 * runners whose VM is gone. With several servers on one database, only
 * the holder of the lease runs a pass; the lease moves to another server
 * when its holder stops renewing it.
 */
export class Reconciler {
  #controller: Controller;
  #store: Store;
  #gitlab: GitlabClient;
  #settings: ControllerSettings;
  #projects: readonly number[];
  #agents: AgentRegistry;
  #lease: () => Promise<boolean>;
  #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<boolean> | undefined;
  #passes = 0;

  constructor(deps: {
    controller: Controller;
    store: Store;
    gitlab: GitlabClient;
    settings: ControllerSettings;
    projects: readonly number[];
    agents: AgentRegistry;
    /** Takes or renews the lease; false: another server holds it. */
    lease: () => Promise<boolean>;
    log: Logger;
  }) {
    this.#controller = deps.controller;
    this.#store = deps.store;
    this.#gitlab = deps.gitlab;
    this.#settings = deps.settings;
    this.#projects = deps.projects;
    this.#agents = deps.agents;
    this.#lease = deps.lease;
    this.#log = deps.log;
  }

  start(intervalMs: number): void {
    this.#timer = setInterval(() => void this.runOnce(), intervalMs);
    void this.runOnce();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /**
   * One pass; overlapping calls share the pass in progress. Resolves
   * false when another server holds the lease (and did nothing here).
   */
  runOnce(): Promise<boolean> {
    this.#running ??= this.#pass().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #pass(): Promise<boolean> {
    const started = Date.now();
    let held = false;
    await this.#step('lease', async () => {
      held = await this.#lease();
    });
    if (!held) return false;
    for (const projectId of this.#projects) {
      await this.#step(`project ${projectId}`, () =>
        this.#controller.reconcileProject(projectId),
      );
    }
    await this.#step('runner poll', () => this.#pollIdleRunners());
    await this.#step('idle reaping', () => this.#reapIdle());
    await this.#step('silent agents', () => this.#giveUpSilentAgents());
    if (this.#passes++ % 6 === 0) {
      await this.#step('runner garbage collection', async () => {
        await this.collectGarbage();
      });
    }
    await this.#step('scheduling', () => this.#controller.vms.schedule());
    this.#log.debug({ ms: Date.now() - started }, 'reconciler pass');
    return true;
  }

  async #step(name: string, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#log.warn(
        { step: name, err: errorMessage(error) },
        'reconciler step failed',
      );
    }
  }

  async #pollIdleRunners(): Promise<void> {
    const idle = await this.#store.vms.listVms({ states: ['booting', 'idle'] });
    for (const vm of idle) {
      if (vm.runnerId === null) continue;
      const jobs = await this.#gitlab.listRunnerJobs(vm.runnerId);
      const taken = jobs.at(-1);
      if (taken)
        await this.#controller.vms.runnerTookJob(vm.runnerId, taken.id);
    }
  }

  async #reapIdle(): Promise<void> {
    const { bootTimeoutMs, idleTimeoutMs } = this.#settings;
    const limit = Date.now() - bootTimeoutMs - idleTimeoutMs;
    const idle = await this.#store.vms.listVms({
      states: ['creating', 'booting', 'idle'],
    });
    for (const vm of idle.filter((v) => v.createdAt < limit)) {
      await this.#controller.vms.stopVm(vm, 'its runner took no job in time');
    }
  }

  /**
   * An agent no server has heard from for `agentLostAfterMs` is taken
   * for gone: its VMs are ended (their runners deleted, jobs they had not
   * started requeued) and its capacity is no longer counted. If it comes
   * back, it is told to stop whatever it still runs.
   */
  async #giveUpSilentAgents(): Promise<void> {
    const lostAfterMs = this.#settings.agentLostAfterMs;
    const before = Date.now() - lostAfterMs;
    // Agents whose server died never said goodbye: not online any more.
    await this.#store.agents.markSilentOffline(before);
    const silent = await this.#store.agents.listSilentAgents(before);
    for (const agent of silent) {
      if (this.#agents.get(agent.id)) continue;
      const live = await this.#store.vms.listVms({
        states: LIVE_VM_STATES,
        agentId: agent.id,
      });
      if (live.length === 0) continue;
      this.#log.warn(
        { agentId: agent.id, vms: live.length },
        'agent silent too long: giving up its VMs',
      );
      for (const vm of live) {
        await this.#controller.vms.vmExited(vm.id, {
          kind: 'crashed',
          code: null,
          detail: `agent ${agent.id} not heard from for ${Math.round(lostAfterMs / 1000)} s`,
          endedAt: Date.now(),
          consolePath: null,
        });
      }
    }
  }

  /**
   * Deletes runners firelab made whose VM has ended. Only runners whose
   * description carries firelab's prefix and names a VM of this
   * installation's database are touched: a VM is recorded before its
   * runner is made, so an unknown VM's runner belongs to another
   * installation sharing the GitLab user (a staging firelab, say).
   */
  async collectGarbage(): Promise<number> {
    const runners = await this.#gitlab.listRunners();
    let deleted = 0;
    for (const runner of runners) {
      if (!runner.description.startsWith(RUNNER_PREFIX)) continue;
      const vmId = runner.description
        .slice(RUNNER_PREFIX.length)
        .split(' ')[0]!;
      const vm = await this.#store.vms.getVm(vmId);
      if (!vm || vm.state !== 'ended') continue;
      // One runner GitLab will not delete must not shield the others.
      try {
        await this.#gitlab.deleteRunner(runner.id);
      } catch (error) {
        this.#log.warn(
          { runnerId: runner.id, vmId, err: errorMessage(error) },
          'could not delete an orphaned runner; trying again next time',
        );
        continue;
      }
      this.#log.info({ runnerId: runner.id, vmId }, 'deleted orphaned runner');
      deleted++;
    }
    return deleted;
  }
}
