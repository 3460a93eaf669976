import type { HostCosts } from '../insights/cost.js';
import type { PlacementLimits } from '../scheduler/place.js';
import type { RunnerClass } from '../scheduler/runner-class.js';

/** The controller's knobs, from the validated config. */
export interface ControllerSettings {
  defaultClass: RunnerClass;
  classLimits: { maxVcpus: number; maxMemoryMiB: number };
  placement: PlacementLimits;
  /** A booted VM whose runner took no job by then is stopped. */
  idleTimeoutMs: number;
  /** A VM that has not booted by then counts as a failed boot. */
  bootTimeoutMs: number;
  /** Longest a job may run; also the runner's maximum_timeout. */
  jobTimeoutSeconds: number;
  /** Boots tried per job before its demand fails. */
  maxAttempts: number;
  /**
   * A job whose VM ends mid-job (a crash, a lost host) is canceled in
   * GitLab, then retried once as a new job when this is set.
   */
  retryLostJobs: boolean;
  /**
   * After GitLab refuses to create a runner, the job waits `baseMs`,
   * doubling while failures go on, up to `maxMs` (or GitLab's Retry-After).
   */
  runnerBackoff: { baseMs: number; maxMs: number };
  /** An agent not heard from for this long is gone; its VMs are ended. */
  agentLostAfterMs: number;
  /** GitLab URL as the VMs' runners must use it. */
  gitlabUrl: string;
}

/** What the insights report takes from the config. */
export interface InsightsSettings {
  /** Null: no host cost configured, so no cost allocation. */
  hostCosts: HostCosts | null;
}
