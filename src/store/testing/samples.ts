import type { AgentReport, NewDemand } from '../index.js';

/** A small agent as it reports itself, named `id`, for store tests. */
export function agentReport(id: string): AgentReport {
  return {
    id,
    hostname: id,
    arch: 'x86_64',
    vcpus: 4,
    memoryMiB: 8192,
    hypervisor: 'qemu',
    acceleration: 'tcg',
  };
}

/** A pending one-vCPU job's demand, for store tests. */
export function sampleDemand(jobId: number): NewDemand {
  return {
    jobId,
    projectId: 1,
    pipelineId: 1,
    jobName: 'j',
    tags: ['firelab'],
    arch: 'x86_64',
    vcpus: 1,
    memoryMiB: 512,
    gitlabStatus: 'pending',
    jobCreatedAt: null,
  };
}
