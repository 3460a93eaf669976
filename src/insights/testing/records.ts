import type {
  AgentRecord,
  DemandRecord,
  ProjectRecord,
  VmRecord,
} from '../../store/index.js';
import type { InsightsRecords } from '../input.js';
import type { InsightsWindow } from '../window.js';
import { DAY_MS, HOUR_MS } from '../window.js';

/** Builders of store records for the insights tests: a day from T0. */
export const T0 = Date.UTC(2025, 0, 1);
export const MIN = 60_000;
export const DAY: InsightsWindow = {
  spec: '24h',
  from: T0,
  to: T0 + DAY_MS,
  bucketMs: HOUR_MS,
};

export function demand(over: Partial<DemandRecord> = {}): DemandRecord {
  const jobId = over.jobId ?? 1;
  return {
    jobId,
    projectId: 10,
    pipelineId: 1,
    jobName: 'build',
    tags: ['firelab'],
    arch: 'x86_64',
    vcpus: 2,
    memoryMiB: 2048,
    status: 'done',
    reason: null,
    attempts: 1,
    gitlabStatus: 'success',
    jobCreatedAt: null,
    createdAt: T0 + HOUR_MS,
    updatedAt: T0 + HOUR_MS,
    finishedAt: null,
    retryOf: null,
    groupId: 100,
    notBefore: null,
    ...over,
  };
}

export function vm(over: Partial<VmRecord> = {}): VmRecord {
  const demandJobId = over.demandJobId ?? 1;
  const createdAt = over.createdAt ?? T0 + HOUR_MS;
  return {
    id: `vm-${demandJobId}`,
    demandJobId,
    projectId: 10,
    groupId: 100,
    agentId: 'a',
    runnerId: null,
    tookJobId: demandJobId,
    state: 'ended',
    arch: 'x86_64',
    vcpus: 2,
    memoryMiB: 2048,
    createdAt,
    bootedAt: createdAt + 5_000,
    jobStartedAt: createdAt + 10_000,
    endedAt: createdAt + 10 * MIN,
    exitKind: 'guest-exit',
    exitDetail: null,
    consolePath: null,
    ...over,
  };
}

export function agent(over: Partial<AgentRecord> = {}): AgentRecord {
  return {
    id: 'a',
    hostname: 'host-a',
    arch: 'x86_64',
    vcpus: 8,
    memoryMiB: 16384,
    hypervisor: 'qemu',
    acceleration: 'kvm',
    state: 'online',
    draining: false,
    serverId: 's',
    lastSeenAt: T0,
    firstSeenAt: null,
    ...over,
  };
}

export function project(over: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    id: 10,
    path: 'acme/app',
    groupId: 100,
    groupPath: 'acme',
    updatedAt: T0,
    ...over,
  };
}

export function records(over: Partial<InsightsRecords> = {}): InsightsRecords {
  return {
    now: DAY.to,
    demands: [],
    vms: [],
    agents: [],
    projects: [],
    ...over,
  };
}
