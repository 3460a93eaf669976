import type { DemandRecord, VmRecord } from '../store/index.js';
import type { InsightsRecords } from './input.js';

/** Whose work a demand or a VM was: the project, its group, the job. */
export interface Subject {
  projectId: number;
  groupId: number | null;
  jobName: string;
}

/**
 * Names what reports group by. Paths come from the projects table (GitLab's
 * last word); what it does not know is shown by id. A demand recorded
 * while GitLab could not say its group takes the group GitLab gave later.
 */
export class Subjects {
  #demands = new Map<number, DemandRecord>();
  #projects = new Map<number, { path: string; groupId: number | null }>();
  #groups = new Map<number, string>();

  constructor(records: Pick<InsightsRecords, 'demands' | 'projects'>) {
    for (const demand of records.demands)
      this.#demands.set(demand.jobId, demand);
    for (const project of records.projects) {
      this.#projects.set(project.id, project);
      if (project.groupId !== null && project.groupPath !== null)
        this.#groups.set(project.groupId, project.groupPath);
    }
  }

  ofDemand(demand: DemandRecord): Subject {
    return {
      projectId: demand.projectId,
      groupId: demand.groupId ?? this.#groupOf(demand.projectId),
      jobName: demand.jobName,
    };
  }

  /** A VM stands for the job it ran, or else the one it was made for. */
  ofVm(vm: VmRecord): Subject {
    const jobId = vm.tookJobId ?? vm.demandJobId;
    const demand = this.#demands.get(jobId);
    if (demand) return this.ofDemand(demand);
    return {
      projectId: vm.projectId,
      groupId: vm.groupId ?? this.#groupOf(vm.projectId),
      jobName: `job ${jobId}`,
    };
  }

  projectName(id: number): string {
    return this.#projects.get(id)?.path ?? `project ${id}`;
  }

  groupName(id: number | null): string {
    if (id === null) return '(no group)';
    return this.#groups.get(id) ?? `group ${id}`;
  }

  #groupOf(projectId: number): number | null {
    return this.#projects.get(projectId)?.groupId ?? null;
  }
}

/** A way to group subjects: a stable key and the name shown for it. */
export interface Dimension {
  keyOf(subject: Subject): string;
  nameOf(subject: Subject): string;
  /** The project, for rows that are not projects themselves. */
  projectOf?(subject: Subject): string;
}

export function byGroup(subjects: Subjects): Dimension {
  return {
    keyOf: (s) => String(s.groupId ?? 'none'),
    nameOf: (s) => subjects.groupName(s.groupId),
  };
}

export function byProject(subjects: Subjects): Dimension {
  return {
    keyOf: (s) => String(s.projectId),
    nameOf: (s) => subjects.projectName(s.projectId),
  };
}

/** Job names are per project: two projects' `test` jobs are apart. */
export function byJobName(subjects: Subjects): Dimension {
  return {
    keyOf: (s) => `${s.projectId}/${s.jobName}`,
    nameOf: (s) => s.jobName,
    projectOf: (s) => subjects.projectName(s.projectId),
  };
}
