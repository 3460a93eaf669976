import type { GitlabClient } from '../gitlab/client.js';
import type { CreatedRunner } from '../gitlab/types.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { DemandRecord, Store, VmRecord } from '../store/index.js';
import type { VmExit } from '../vmm/driver.js';
import type { AgentRegistry } from './agents/agent-registry.js';
import type { Mutex } from './mutex.js';
import { waitForGitlab } from './runner-refused.js';
import type { ControllerSettings } from './settings.js';

/** The prefix of every runner firelab creates; garbage collection keys on it. */
export const RUNNER_PREFIX = 'firelab vm ';

/**
 * A VM's runner's description: the VM, then the job it serves (renamed
 * when the runner takes another job of the same tags). Garbage
 * collection reads the VM id back from it.
 */
export function runnerDescription(vmId: string, jobId: number): string {
  return `${RUNNER_PREFIX}${vmId} job ${jobId}`;
}

export interface ProvisionDeps {
  store: Store;
  gitlab: GitlabClient;
  agents: AgentRegistry;
  settings: ControllerSettings;
  mutex: Mutex;
  /** Runner creations GitLab refused in a row, across VMs (for backoff). */
  runnerFailures: { inARow: number };
}

type Ended = VmExit & { consolePath: null };

/**
 * A placed VM gets its GitLab runner, then its agent is asked to start
 * it. A runner GitLab refuses makes the job wait (see runner-refused.ts);
 * otherwise, a VM that cannot be started is returned as ended, for the
 * caller to record like any other end.
 */
export async function provisionVm(
  deps: ProvisionDeps,
  vm: VmRecord,
  demand: DemandRecord,
  log: Logger,
): Promise<Ended | undefined> {
  const { store, settings } = deps;
  let runner: CreatedRunner;
  try {
    runner = await deps.gitlab.createRunner({
      projectId: demand.projectId,
      description: runnerDescription(vm.id, demand.jobId),
      tags: demand.tags,
      maximumTimeout: Math.max(600, settings.jobTimeoutSeconds),
    });
    deps.runnerFailures.inARow = 0;
  } catch (error) {
    await waitForGitlab(
      deps,
      { vm, demand, error, failures: ++deps.runnerFailures.inARow },
      log,
    );
    return undefined;
  }
  try {
    // Recorded whatever the VM's state, so whoever ends the VM deletes it.
    await store.vms.updateVm(vm.id, { runnerId: runner.id });
    const stillWanted = await store.vms.updateVm(vm.id, { state: 'booting' }, [
      'creating',
    ]);
    if (!stillWanted) return ended('stopped', 'stopped before it booted');
    log.debug({ runnerId: runner.id }, 'runner created');

    const agent = deps.agents.get(vm.agentId);
    if (!agent) throw new Error(`agent ${vm.agentId} is not connected`);
    await agent.startVm({
      vmId: vm.id,
      arch: vm.arch,
      vcpus: vm.vcpus,
      memoryMiB: vm.memoryMiB,
      runnerToken: runner.token,
      gitlabUrl: settings.gitlabUrl,
      waitTimeoutSeconds: Math.ceil(settings.idleTimeoutMs / 1000),
      jobTimeoutSeconds: settings.jobTimeoutSeconds,
      deadlineAt: Date.now() + deadlineMs(settings),
    });
    return undefined;
  } catch (error) {
    log.warn({ err: errorMessage(error) }, 'could not start VM');
    return ended('boot-failed', errorMessage(error));
  }
}

/** The VM is killed by then, whatever it does: boot, wait, job, margin. */
function deadlineMs(settings: ControllerSettings): number {
  const { bootTimeoutMs, idleTimeoutMs, jobTimeoutSeconds } = settings;
  return bootTimeoutMs + idleTimeoutMs + jobTimeoutSeconds * 1000 + 60_000;
}

function ended(kind: VmExit['kind'], detail: string): Ended {
  return { kind, code: null, detail, endedAt: Date.now(), consolePath: null };
}
