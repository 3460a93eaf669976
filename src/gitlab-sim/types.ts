/**
 * The simulator's in-memory entities. Field names follow GitLab's own
 * models where they exist, so the REST and webhook serializers read as a
 * plain mapping. Timestamps are `Date`s; serializers format them.
 */

/** Every job status GitLab can report (reference §2.1, subset we emit). */
export const JOB_STATUSES = [
  'created',
  'waiting_for_resource',
  'preparing',
  'pending',
  'running',
  'success',
  'failed',
  'canceling',
  'canceled',
  'skipped',
  'manual',
  'scheduled',
] as const;

export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses after which a job never changes again (short of a retry). */
export const FINISHED_STATUSES: readonly JobStatus[] = [
  'success',
  'failed',
  'canceled',
  'skipped',
];

export type PipelineStatus = JobStatus;

export const WHEN_VALUES = [
  'on_success',
  'on_failure',
  'always',
  'manual',
  'never',
] as const;

export type When = (typeof WHEN_VALUES)[number];

export const RUNNER_TYPES = [
  'instance_type',
  'group_type',
  'project_type',
] as const;

export type RunnerType = (typeof RUNNER_TYPES)[number];

export interface User {
  id: number;
  username: string;
  name: string;
  email: string;
  admin: boolean;
  /** sha256 digests of the user's personal access tokens. */
  tokenDigests: Buffer[];
}

export interface Namespace {
  id: number;
  path: string;
  name: string;
}

export interface Project {
  id: number;
  path: string;
  name: string;
  namespace: Namespace;
  pathWithNamespace: string;
  defaultBranch: string;
  memberIds: Set<number>;
  createdAt: Date;
}

export interface Pipeline {
  id: number;
  iid: number;
  projectId: number;
  userId: number;
  ref: string;
  sha: string;
  beforeSha: string;
  commitMessage: string;
  authorName: string;
  authorEmail: string;
  status: PipelineStatus;
  source: string;
  yamlErrors: string | null;
  stages: string[];
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** What `allow_failure` allows: everything, nothing, or some exit codes. */
export type AllowFailure = boolean | { exitCodes: number[] };

export interface Job {
  id: number;
  projectId: number;
  pipelineId: number;
  userId: number;
  name: string;
  stage: string;
  stageIdx: number;
  status: JobStatus;
  when: When;
  allowFailure: AllowFailure;
  tags: string[];
  /** `null` = stage ordering; an array (even empty) = DAG (`needs`). */
  needs: string[] | null;
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  variables: Record<string, string>;
  image: string | null;
  timeoutSeconds: number;
  token: string | null;
  runnerId: number | null;
  /** Two-phase commit: handed to a runner, waiting for PUT running. */
  awaitingAck: boolean;
  gracefulCancel: boolean;
  retried: boolean;
  retriesCount: number;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  failureReason: string | null;
  exitCode: number | null;
  trace: Buffer;
  checksumMismatches: number;
  traceChecksumValid: boolean | null;
}

export interface Runner {
  id: number;
  tokenDigest: Buffer;
  tokenExpiresAt: Date | null;
  description: string;
  runnerType: RunnerType;
  projectId: number | null;
  groupId: number | null;
  creatorId: number;
  tags: string[];
  runUntagged: boolean;
  locked: boolean;
  paused: boolean;
  accessLevel: 'not_protected' | 'ref_protected';
  maximumTimeout: number | null;
  maintenanceNote: string;
  createdAt: Date;
  contactedAt: Date | null;
  /** Runner `info` from the last job request (version, features...). */
  info: RunnerInfo;
}

export interface RunnerInfo {
  name?: string;
  version?: string;
  revision?: string;
  platform?: string;
  architecture?: string;
  features?: Record<string, unknown>;
}

export interface ProjectHook {
  id: number;
  projectId: number;
  url: string;
  token: string | null;
  jobEvents: boolean;
  pushEvents: boolean;
  pipelineEvents: boolean;
  enableSslVerification: boolean;
  createdAt: Date;
}
