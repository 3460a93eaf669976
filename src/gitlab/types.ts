/** The fields of GitLab's Job entity that firelab reads. */
export interface GitlabJob {
  id: number;
  name: string;
  stage: string;
  status: string;
  tag_list: string[];
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration: number | null;
  queued_duration: number | null;
  allow_failure: boolean;
  failure_reason?: string;
  pipeline: { id: number; project_id: number };
  runner: { id: number; description: string } | null;
  web_url?: string;
}

/** The fields of GitLab's Project entity that firelab reads. */
export interface GitlabProject {
  id: number;
  path_with_namespace: string;
  namespace: { id: number; kind: string; full_path: string };
}

/** A runner as `POST /user/runners` returns it (token shown once). */
export interface CreatedRunner {
  id: number;
  token: string;
  token_expires_at: string | null;
}

/** The fields of GitLab's Runner entity that firelab reads. */
export interface GitlabRunner {
  id: number;
  description: string;
  paused: boolean;
  status?: string;
}

export interface CreateRunnerRequest {
  projectId: number;
  description: string;
  tags: string[];
  /** Longest a job may run on it, seconds (GitLab's minimum is 600). */
  maximumTimeout?: number;
}

/** Statuses after which a job never changes again. */
export const FINISHED_JOB_STATUSES = [
  'success',
  'failed',
  'canceled',
  'skipped',
] as const;

export function isFinishedStatus(status: string): boolean {
  return (FINISHED_JOB_STATUSES as readonly string[]).includes(status);
}
