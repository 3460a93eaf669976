import type { Arch } from '../vmm/driver.js';

/**
 * Where a demand stands. `queued`: waiting for room; `placed`: a VM is
 * being made for it; `served`: a VM's runner took this job; `done`: the
 * job finished; `canceled`: the job ended before any VM took it;
 * `expired`: no VM took it in time; `failed`: it could not be served
 * (invalid tags, boots failed too often); `lost`: its VM ended mid-job
 * (a crash, a lost host) and GitLab's job was canceled (and retried).
 */
export const DEMAND_STATUSES = [
  'queued',
  'placed',
  'served',
  'done',
  'canceled',
  'expired',
  'failed',
  'lost',
] as const;
export type DemandStatus = (typeof DEMAND_STATUSES)[number];

export const OPEN_DEMAND_STATUSES: readonly DemandStatus[] = [
  'queued',
  'placed',
  'served',
];

export interface DemandRecord {
  jobId: number;
  projectId: number;
  pipelineId: number;
  jobName: string;
  tags: string[];
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  status: DemandStatus;
  reason: string | null;
  attempts: number;
  gitlabStatus: string | null;
  jobCreatedAt: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** The job this one retries after that job's VM was lost mid-job. */
  retryOf: number | null;
  /** The project's group (namespace); null when GitLab did not say. */
  groupId: number | null;
  /** Not placed before this time, ms (backing off a failing GitLab). */
  notBefore: number | null;
}

/**
 * A VM's life: `creating` (runner being created), `booting`, `idle`
 * (booted, its runner has no job yet), `busy` (its runner took a job),
 * `stopping`, `ended`. Capacity is reserved from `creating` to `ended`.
 */
export const VM_STATES = [
  'creating',
  'booting',
  'idle',
  'busy',
  'stopping',
  'ended',
] as const;
export type VmState = (typeof VM_STATES)[number];

export const LIVE_VM_STATES: readonly VmState[] = [
  'creating',
  'booting',
  'idle',
  'busy',
  'stopping',
];

export interface VmRecord {
  id: string;
  demandJobId: number;
  projectId: number;
  groupId: number | null;
  agentId: string;
  runnerId: number | null;
  tookJobId: number | null;
  state: VmState;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  createdAt: number;
  bootedAt: number | null;
  jobStartedAt: number | null;
  endedAt: number | null;
  exitKind: string | null;
  exitDetail: string | null;
  consolePath: string | null;
}

export interface AgentRecord {
  id: string;
  /** The host it runs on; `id` is the name it was configured with. */
  hostname: string;
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
  hypervisor: string;
  acceleration: string;
  state: 'online' | 'offline';
  /** Takes no new VMs; set by `firelab agent drain`, kept across restarts. */
  draining: boolean;
  /** The server holding its connection while online. */
  serverId: string | null;
  lastSeenAt: number;
  /** When it first enrolled or connected; null if that was never recorded. */
  firstSeenAt: number | null;
}

/**
 * A project firelab served, named as GitLab last said: `path` is its
 * `path_with_namespace`, `groupPath` its group's full path (null when the
 * project belongs to a user).
 */
export interface ProjectRecord {
  id: number;
  path: string;
  groupId: number | null;
  groupPath: string | null;
  updatedAt: number;
}
