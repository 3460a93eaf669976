import { parseCiConfig } from './ci-config.js';
import type { JobSpec } from './ci-config.js';
import { CiConfigError } from './ci-config-error.js';
import { processPipeline } from './job-lifecycle.js';
import type { SimState } from './sim-state.js';
import type { Job, Pipeline } from './types.js';

/** The commit a pipeline is created for. */
export interface PipelineCommit {
  projectId: number;
  userId: number;
  ref: string;
  sha: string;
  beforeSha: string;
  message: string;
  authorName: string;
  authorEmail: string;
  source?: string;
  /** A pipeline id reserved in advance (e.g. to create its git ref). */
  pipelineId?: number;
}

const DEFAULT_TIMEOUT_SECONDS = 3600;

/**
 * Creates a pipeline from a `.gitlab-ci.yml` text the way a push does: all
 * jobs are created (`created` hook each, in file order), then processing
 * moves the first ones to pending. An invalid configuration gives a
 * `failed` pipeline with `yaml_errors` and no jobs.
 */
export function createPipeline(
  state: SimState,
  commit: PipelineCommit,
  ciYaml: string,
): Pipeline {
  const now = new Date();
  const pipeline = newPipeline(state, commit, now);
  state.pipelines.set(pipeline.id, pipeline);

  let specs: JobSpec[];
  try {
    const config = parseCiConfig(ciYaml);
    pipeline.stages = config.stages;
    specs = config.jobs;
  } catch (error) {
    if (!(error instanceof CiConfigError)) throw error;
    pipeline.yamlErrors = error.message;
    pipeline.status = 'failed';
    pipeline.finishedAt = now;
    state.emit({ kind: 'pipeline', pipeline });
    return pipeline;
  }

  // GitLab creates jobs stage by stage, in file order within a stage.
  const ordered = [...specs].sort((a, b) => a.stageIdx - b.stageIdx);
  for (const spec of ordered) {
    const job = newJob(state, pipeline, spec, now);
    state.jobs.set(job.id, job);
    state.emit({ kind: 'job', job, status: 'created' });
  }
  processPipeline(state, pipeline.id, now);
  return pipeline;
}

function newPipeline(
  state: SimState,
  commit: PipelineCommit,
  now: Date,
): Pipeline {
  const iid = state.pipelinesOfProject(commit.projectId).length + 1;
  return {
    id: commit.pipelineId ?? state.nextId('pipeline'),
    iid,
    projectId: commit.projectId,
    userId: commit.userId,
    ref: commit.ref,
    sha: commit.sha,
    beforeSha: commit.beforeSha,
    commitMessage: commit.message,
    authorName: commit.authorName,
    authorEmail: commit.authorEmail,
    status: 'created',
    source: commit.source ?? 'push',
    yamlErrors: null,
    stages: [],
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
  };
}

function newJob(
  state: SimState,
  pipeline: Pipeline,
  spec: JobSpec,
  now: Date,
): Job {
  return {
    id: state.nextId('job'),
    projectId: pipeline.projectId,
    pipelineId: pipeline.id,
    userId: pipeline.userId,
    name: spec.name,
    stage: spec.stage,
    stageIdx: spec.stageIdx,
    status: 'created',
    when: spec.when,
    allowFailure: spec.allowFailure,
    tags: spec.tags,
    needs: spec.needs,
    beforeScript: spec.beforeScript,
    script: spec.script,
    afterScript: spec.afterScript,
    variables: spec.variables,
    image: spec.image,
    timeoutSeconds: spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS,
    token: null,
    runnerId: null,
    awaitingAck: false,
    gracefulCancel: false,
    retried: false,
    retriesCount: 0,
    createdAt: now,
    queuedAt: null,
    startedAt: null,
    finishedAt: null,
    failureReason: null,
    exitCode: null,
    trace: Buffer.alloc(0),
    checksumMismatches: 0,
    traceChecksumValid: null,
  };
}
