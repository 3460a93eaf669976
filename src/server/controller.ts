import { randomBytes } from 'node:crypto';
import type { GitlabClient } from '../gitlab/client.js';
import type { GitlabJob } from '../gitlab/types.js';
import { isFinishedStatus } from '../gitlab/types.js';
import type { JobEvent } from '../gitlab/webhook.js';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { classify } from '../scheduler/runner-class.js';
import type { DemandRecord, Store } from '../store/index.js';
import type { AgentRegistry } from './agents/agent-registry.js';
import { Mutex } from './mutex.js';
import type { ControllerSettings } from './settings.js';
import { VmLifecycle } from './vm-lifecycle.js';

/**
 * Turns what GitLab says about jobs into demands, and demands into VMs.
 * Webhooks and the reconciler both call in here; every entry point is
 * idempotent on job id, so lost, repeated and reordered events converge
 * on the same state.
 */
export class Controller {
  readonly vms: VmLifecycle;
  #store: Store;
  #gitlab: GitlabClient;
  #settings: ControllerSettings;
  #log: Logger;
  #mutex = new Mutex();
  #groups = new Map<number, { groupId: number | null; at: number }>();

  constructor(deps: {
    store: Store;
    gitlab: GitlabClient;
    agents: AgentRegistry;
    settings: ControllerSettings;
    log: Logger;
    /** A VM's desired state changed: deliver it to the VM's agent. */
    instruct: () => void;
  }) {
    this.#store = deps.store;
    this.#gitlab = deps.gitlab;
    this.#settings = deps.settings;
    this.#log = deps.log;
    this.vms = new VmLifecycle({ ...deps, mutex: this.#mutex, newVmId });
  }

  /** Acts on one Job Hook. */
  async onJobEvent(event: JobEvent): Promise<void> {
    const log = this.#log.child({ jobId: event.jobId });
    log.debug({ status: event.status }, 'job event');
    if (event.status === 'pending') {
      await this.considerJob(event.projectId, event.jobId);
    } else if (event.status === 'running' && event.runnerId !== null) {
      await this.vms.runnerTookJob(event.runnerId, event.jobId);
    } else if (isFinishedStatus(event.status)) {
      await this.#finished(event.jobId, event.status, event.runnerId);
    }
  }

  /** A finished job's runner may be news too (its running hook was lost). */
  async #finished(jobId: number, status: string, runnerId: number | null) {
    if (runnerId !== null)
      await this.vms.runnerTookJob(runnerId, jobId, { pause: false });
    await this.vms.jobFinished(jobId, status);
  }

  /**
   * Makes sure a pending firelab job has its demand. `known` saves the
   * Jobs API call when the caller already holds the job (the reconciler's
   * list has tags; a hook does not).
   */
  async considerJob(
    projectId: number,
    jobId: number,
    known?: GitlabJob,
  ): Promise<void> {
    if (await this.#store.demands.getDemand(jobId)) return;

    const job = known ?? (await this.#gitlab.getJob(projectId, jobId));
    if (job.status !== 'pending') return;
    const result = classify(
      job.tag_list,
      this.#settings.defaultClass,
      this.#settings.classLimits,
    );
    if (result.kind === 'not-firelab') return;

    const groupId = await this.#groupOf(projectId);
    const created = await this.#mutex.run(() =>
      this.#recordDemand(projectId, groupId, job, result),
    );
    if (created) await this.vms.schedule();
  }

  /**
   * The project's group (its namespace) for per-group caps; remembered
   * for ten minutes. Unknown (null, no group cap) when GitLab cannot say.
   * The names are stored too, for the insights report.
   */
  async #groupOf(projectId: number): Promise<number | null> {
    const known = this.#groups.get(projectId);
    if (known && Date.now() - known.at < 10 * 60_000) return known.groupId;
    try {
      const project = await this.#gitlab.getProject(projectId);
      const group =
        project.namespace.kind === 'group' ? project.namespace : null;
      this.#groups.set(projectId, {
        groupId: group?.id ?? null,
        at: Date.now(),
      });
      await this.#nameProject(projectId, project.path_with_namespace, group);
      return group?.id ?? null;
    } catch (error) {
      this.#log.warn(
        { projectId, err: errorMessage(error) },
        "could not read the project's group: no group cap for its jobs",
      );
      return known?.groupId ?? null;
    }
  }

  /** Names only serve reports: a failure to store them is logged. */
  async #nameProject(
    id: number,
    path: string,
    group: { id: number; full_path: string } | null,
  ): Promise<void> {
    const project = {
      id,
      path,
      groupId: group?.id ?? null,
      groupPath: group?.full_path ?? null,
    };
    await this.#store.projects
      .saveProject(project, Date.now())
      .catch((error: unknown) =>
        this.#log.warn(
          { projectId: id, err: errorMessage(error) },
          "project's name not stored",
        ),
      );
  }

  async #recordDemand(
    projectId: number,
    groupId: number | null,
    job: GitlabJob,
    result: ReturnType<typeof classify>,
  ): Promise<boolean> {
    const runnerClass =
      result.kind === 'firelab'
        ? result.runnerClass
        : this.#settings.defaultClass;
    const now = Date.now();
    const created = await this.#store.demands.insertDemand(
      {
        jobId: job.id,
        projectId,
        groupId,
        pipelineId: job.pipeline.id,
        jobName: job.name,
        tags: job.tag_list,
        ...runnerClass,
        gitlabStatus: job.status,
        jobCreatedAt: Date.parse(job.created_at) || null,
      },
      now,
    );
    const log = this.#log.child({ jobId: job.id });
    if (created && result.kind === 'invalid') {
      await this.#store.demands.transitionDemand(
        job.id,
        ['queued'],
        'failed',
        now,
        {
          reason: result.reason,
        },
      );
      log.warn({ reason: result.reason }, 'job has unusable firelab tags');
      return false;
    }
    if (created) log.info({ name: job.name, tags: job.tag_list }, 'job queued');
    return created;
  }

  /**
   * One reconciler pass for one project: finds pending jobs the webhooks
   * missed and settles open demands whose jobs moved on without a hook.
   */
  async reconcileProject(projectId: number): Promise<void> {
    const pending = await this.#gitlab.listPendingJobs(projectId);
    for (const job of pending) {
      await this.#guard(job.id, () => this.considerJob(projectId, job.id, job));
    }
    const pendingIds = new Set(pending.map((j) => j.id));
    const open = await this.#store.demands.listOpenDemands();
    for (const demand of open.filter((d) => d.projectId === projectId)) {
      if (pendingIds.has(demand.jobId)) {
        if (demand.status === 'placed')
          await this.#guard(demand.jobId, () =>
            this.vms.requeueOrphan(demand.jobId),
          );
        continue;
      }
      await this.#guard(demand.jobId, () => this.#settle(demand));
    }
  }

  async #settle(demand: DemandRecord): Promise<void> {
    const job = await this.#gitlab.getJob(demand.projectId, demand.jobId);
    if (job.status === 'running' && job.runner) {
      await this.vms.runnerTookJob(job.runner.id, job.id);
    } else if (isFinishedStatus(job.status)) {
      await this.#finished(job.id, job.status, job.runner?.id ?? null);
    }
  }

  async #guard(jobId: number, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.#log.warn(
        { jobId, err: errorMessage(error) },
        'could not reconcile job',
      );
    }
  }
}

function newVmId(): string {
  return `vm-${randomBytes(4).toString('hex')}`;
}
