import type { GitlabClient } from '../gitlab/client.js';
import type { GitlabJob } from '../gitlab/types.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Store, VmRecord } from '../store/index.js';
import type { VmExit } from '../vmm/driver.js';
import type { ControllerSettings } from './settings.js';

/**
 * A VM that took a job has ended. If GitLab still has that job running,
 * nobody can finish it any more (its runner is gone): rather than let it
 * hang until GitLab's timeout, it is canceled and, once per job, retried
 * as a new job that firelab then serves like any other. GitLab has no way
 * to mark it as a runner failure, so the demand records why (`lost`).
 */
export async function rescueLostJob(
  deps: { store: Store; gitlab: GitlabClient; settings: ControllerSettings },
  lost: { vm: VmRecord; jobId: number; exit: VmExit },
  log: Logger,
): Promise<void> {
  const { store, gitlab } = deps;
  const { jobId, exit } = lost;
  const demand = await store.demands.getDemand(jobId);
  if (!demand) return;
  try {
    const job = await gitlab.getJob(demand.projectId, jobId);
    if (job.status !== 'running' && job.status !== 'pending') return;
    const canceled = await gitlab.cancelJob(demand.projectId, jobId);
    if (canceled.status === 'canceling')
      await gitlab.cancelJob(demand.projectId, jobId, { force: true });
    let reason = `its VM ended mid-job (${exit.kind}: ${exit.detail.slice(0, 200)}); the job was canceled`;
    let retried: GitlabJob | undefined;
    if (deps.settings.retryLostJobs && demand.retryOf === null) {
      retried = await gitlab.retryJob(demand.projectId, jobId);
      reason += ` and retried as job ${retried.id}`;
      await store.demands.insertDemand(
        {
          ...demand,
          jobId: retried.id,
          jobName: retried.name,
          gitlabStatus: retried.status,
          jobCreatedAt: Date.parse(retried.created_at) || null,
          retryOf: jobId,
        },
        Date.now(),
      );
      // Its pending hook may have made the demand first.
      await store.demands.setRetryOf(retried.id, jobId);
    } else if (demand.retryOf !== null) {
      reason += ` (not retried again: it is already a retry of job ${demand.retryOf})`;
    }
    await store.demands.transitionDemand(
      jobId,
      ['served', 'done'],
      'lost',
      Date.now(),
      { reason, gitlabStatus: 'canceled' },
    );
    log.warn({ retriedAs: retried?.id ?? null }, reason);
  } catch (error) {
    log.warn(
      { err: errorMessage(error) },
      'could not cancel or retry a job whose VM was lost',
    );
  }
}
