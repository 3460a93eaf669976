import type { Generated } from 'kysely';

/**
 * The database schema as Kysely sees it. Times are milliseconds since the
 * epoch (bigint) and lists are JSON text, so both backends store the same
 * values with the same SQL.
 */
export interface Database {
  demands: DemandTable;
  vms: VmTable;
  webhook_deliveries: WebhookDeliveryTable;
  agents: AgentTable;
  enrolment_tokens: EnrolmentTokenTable;
  leases: LeaseTable;
  projects: ProjectTable;
}

/** One row per GitLab job firelab decided to serve; never two. */
export interface DemandTable {
  job_id: number;
  project_id: number;
  pipeline_id: number;
  job_name: string;
  tags: string;
  arch: string;
  vcpus: number;
  memory_mib: number;
  status: string;
  reason: string | null;
  attempts: number;
  gitlab_status: string | null;
  job_created_at: number | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
  /** The job this one retries after its VM was lost mid-job. */
  retry_of: number | null;
  /** The project's group (its namespace), for per-group caps. */
  group_id: number | null;
  /** Not placed before this time (GitLab asked firelab to back off). */
  not_before: number | null;
}

/** One row per VM ever started; its GitLab runner lives and dies with it. */
export interface VmTable {
  id: string;
  demand_job_id: number;
  project_id: number;
  agent_id: string;
  runner_id: number | null;
  took_job_id: number | null;
  state: string;
  arch: string;
  vcpus: number;
  memory_mib: number;
  created_at: number;
  booted_at: number | null;
  job_started_at: number | null;
  ended_at: number | null;
  exit_kind: string | null;
  exit_detail: string | null;
  console_path: string | null;
  group_id: number | null;
}

export interface WebhookDeliveryTable {
  idempotency_key: string;
  received_at: number;
}

export interface AgentTable {
  id: string;
  name: string;
  arch: string;
  vcpus: number;
  memory_mib: number;
  hypervisor: string;
  acceleration: string;
  state: string;
  last_seen_at: number;
  seq: Generated<number>;
  /** sha256 of the agent's credential; the credential itself is never kept. */
  credential_hash: string | null;
  draining: Generated<number>;
  /** The server holding the agent's connection, while it is online. */
  server_id: string | null;
  /** When the agent first enrolled or connected (null: before insights). */
  first_seen_at: number | null;
}

/** One-time tokens that let a new agent obtain its credential. */
export interface EnrolmentTokenTable {
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  agent_id: string | null;
}

/** Background work that must run on one server at a time. */
export interface LeaseTable {
  name: string;
  holder: string;
  expires_at: number;
}

/** Names of the projects firelab served, as GitLab last told them. */
export interface ProjectTable {
  id: number;
  path: string;
  group_id: number | null;
  group_path: string | null;
  updated_at: number;
}
