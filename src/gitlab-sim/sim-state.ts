import type {
  Job,
  Namespace,
  Pipeline,
  Project,
  ProjectHook,
  Runner,
  User,
} from './types.js';

/** Something that changed, for webhooks and waiters. */
export type SimEvent =
  | { kind: 'job'; job: Job; status: Job['status'] }
  | { kind: 'pipeline'; pipeline: Pipeline };

export type SimListener = (event: SimEvent) => void;

/**
 * The simulator's whole world, in memory. Ids come from one counter per
 * kind, starting at distinct offsets so that a job id is never mistaken
 * for a pipeline id in a test. Listeners hear every job status change
 * (after it is recorded) and every pipeline status change.
 */
export class SimState {
  readonly users = new Map<number, User>();
  readonly namespaces = new Map<number, Namespace>();
  readonly projects = new Map<number, Project>();
  readonly pipelines = new Map<number, Pipeline>();
  readonly jobs = new Map<number, Job>();
  readonly runners = new Map<number, Runner>();
  /** Every runner ever created, deleted ones included, oldest first. */
  readonly createdRunners: Runner[] = [];
  readonly hooks = new Map<number, ProjectHook>();
  /** Bumped whenever the pending queue changes (X-GitLab-Last-Update). */
  queueVersion = 1;

  #counters = new Map<string, number>([
    ['user', 0],
    ['namespace', 10],
    ['project', 100],
    ['pipeline', 1000],
    ['job', 5000],
    ['runner', 9000],
    ['hook', 200],
  ]);
  #listeners = new Set<SimListener>();

  nextId(kind: string): number {
    const next = (this.#counters.get(kind) ?? 0) + 1;
    this.#counters.set(kind, next);
    return next;
  }

  listen(listener: SimListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(event: SimEvent): void {
    for (const listener of this.#listeners) listener(event);
  }

  jobsOfPipeline(pipelineId: number): Job[] {
    return [...this.jobs.values()]
      .filter((job) => job.pipelineId === pipelineId)
      .sort((a, b) => a.id - b.id);
  }

  pipelinesOfProject(projectId: number): Pipeline[] {
    return [...this.pipelines.values()]
      .filter((p) => p.projectId === projectId)
      .sort((a, b) => a.id - b.id);
  }

  /** The project by numeric id or by `namespace/path` (URL-decoded). */
  findProject(idOrPath: string | number): Project | undefined {
    const text = String(idOrPath);
    if (/^\d+$/.test(text)) return this.projects.get(Number(text));
    return [...this.projects.values()].find(
      (p) => p.pathWithNamespace === text,
    );
  }
}
