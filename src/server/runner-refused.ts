import { GitlabApiError } from '../gitlab/client.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { DemandRecord, Store, VmRecord } from '../store/index.js';
import type { Mutex } from './mutex.js';
import type { ControllerSettings } from './settings.js';

/**
 * GitLab would not create a VM's runner. That says nothing about the job
 * or the host, so it costs the job no attempt: the VM is ended unstarted
 * and the job waits, backing off (GitLab's Retry-After, else
 * `runnerBackoff`, doubling while `failures` in a row go on), for GitLab
 * to recover. Once is a hiccup and is a warning; three in a row are for
 * a human to look at and are an error.
 */
export async function waitForGitlab(
  deps: { store: Store; mutex: Mutex; settings: ControllerSettings },
  refused: {
    vm: VmRecord;
    demand: DemandRecord;
    error: unknown;
    failures: number;
  },
  log: Logger,
): Promise<void> {
  const { vm, demand, error, failures } = refused;
  const hint = error instanceof GitlabApiError ? error.retryAfterMs : 0;
  const { baseMs, maxMs } = deps.settings.runnerBackoff;
  const waitMs = Math.max(
    hint ?? 0,
    Math.min(maxMs, baseMs * 2 ** (failures - 1)),
  );
  const why = `GitLab did not create a runner: ${errorMessage(error)}`;
  await deps.mutex.run(async () => {
    const now = Date.now();
    await deps.store.vms.updateVm(vm.id, {
      state: 'ended',
      endedAt: now,
      exitKind: 'boot-failed',
      exitDetail: why.slice(0, 1000),
    });
    await deps.store.demands.transitionDemand(
      demand.jobId,
      ['placed'],
      'queued',
      now,
      {
        reason: `waiting for GitLab (${why.slice(0, 300)})`,
        attempts: demand.attempts,
        notBefore: now + waitMs,
      },
    );
  });
  const fields = { err: errorMessage(error), retryInMs: waitMs, failures };
  const message = 'could not create a runner; the job waits';
  if (failures >= 3) log.error(fields, message);
  else log.warn(fields, message);
}
