import { parse } from 'yaml';
import { CiConfigError } from './ci-config-error.js';
import { resolveExtends } from './ci-extends.js';
import {
  isMap,
  toImage,
  toNeeds,
  toScript,
  toSeconds,
  toStringList,
  toVariables,
} from './ci-values.js';
import type { YamlMap } from './ci-values.js';
import { WHEN_VALUES } from './types.js';
import type { AllowFailure, When } from './types.js';

/** One job of a parsed configuration, before it becomes a `Job`. */
export interface JobSpec {
  name: string;
  stage: string;
  stageIdx: number;
  when: Exclude<When, 'never'>;
  allowFailure: AllowFailure;
  tags: string[];
  needs: string[] | null;
  beforeScript: string[];
  script: string[];
  afterScript: string[];
  variables: Record<string, string>;
  image: string | null;
  timeoutSeconds: number | null;
}

export interface CiConfig {
  stages: string[];
  jobs: JobSpec[];
}

/** Top-level keys that are keywords, not jobs. */
const RESERVED = new Set([
  'image',
  'services',
  'stages',
  'types',
  'before_script',
  'after_script',
  'variables',
  'cache',
  'include',
  'default',
  'workflow',
  'spec',
]);

const DEFAULT_STAGES = ['build', 'test', 'deploy'];

/**
 * Parses a `.gitlab-ci.yml` the way GitLab's pipeline creation does for
 * the supported keywords (stages, default, variables, before_script,
 * script, after_script, tags, needs, allow_failure, when, image, timeout,
 * extends, hidden jobs). Jobs with `when: never` are left out. Any
 * rejected configuration throws `CiConfigError`.
 */
export function parseCiConfig(text: string): CiConfig {
  const root = parseYaml(text);
  const stages = stageList(root);
  const defaults = defaultsOf(root);
  const globalVars = toVariables(root['variables'], 'variables');

  const entries: Record<string, YamlMap> = {};
  for (const [name, value] of Object.entries(root)) {
    if (RESERVED.has(name)) continue;
    if (!isMap(value)) {
      if (name.startsWith('.')) continue;
      throw new CiConfigError(`jobs:${name} config should be a hash`);
    }
    entries[name] = value;
  }
  resolveExtends(entries);

  const jobs = Object.entries(entries)
    .filter(([name]) => !name.startsWith('.'))
    .map(([name, job]) => jobSpec(name, job, defaults, globalVars, stages))
    .filter((job): job is JobSpec => job !== null);
  if (jobs.length === 0) {
    throw new CiConfigError(
      'jobs config should contain at least one visible job',
    );
  }
  checkNeeds(jobs);
  return { stages, jobs };
}

function parseYaml(text: string): YamlMap {
  let root: unknown;
  try {
    root = parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CiConfigError(`(<unknown>): ${detail.split('\n')[0]}`);
  }
  if (!isMap(root)) {
    throw new CiConfigError('Invalid configuration format');
  }
  return root;
}

/** `.pre` and `.post` always exist around the declared stages. */
function stageList(root: YamlMap): string[] {
  const declared = root['stages'] ?? root['types'];
  const stages =
    declared === undefined ? DEFAULT_STAGES : toStringList(declared, 'stages');
  return [
    '.pre',
    ...stages.filter((s) => s !== '.pre' && s !== '.post'),
    '.post',
  ];
}

/** `default:` plus the legacy top-level image/before_script/after_script. */
function defaultsOf(root: YamlMap): YamlMap {
  const legacy: YamlMap = {};
  for (const key of ['image', 'before_script', 'after_script']) {
    if (root[key] !== undefined) legacy[key] = root[key];
  }
  const explicit = root['default'];
  if (explicit !== undefined && !isMap(explicit)) {
    throw new CiConfigError('default config should be a hash');
  }
  return { ...legacy, ...(explicit ?? {}) };
}

function jobSpec(
  name: string,
  raw: YamlMap,
  defaults: YamlMap,
  globalVars: Record<string, string>,
  stages: string[],
): JobSpec | null {
  const job = { ...defaults, ...raw };
  const where = `jobs:${name}`;
  if (job['script'] === undefined) {
    throw new CiConfigError(
      `${where} config should implement the script:, run:, or trigger: keyword`,
    );
  }
  const when = whenOf(job['when'], where);
  if (when === 'never') return null;

  const stage = stageOf(job['stage'], name, stages);
  return {
    name,
    stage,
    stageIdx: stages.indexOf(stage),
    when,
    allowFailure: allowFailureOf(job['allow_failure'], when, where),
    tags: toStringList(job['tags'], `${where}:tags`),
    needs: toNeeds(job['needs'], `${where}:needs`),
    beforeScript: toScript(job['before_script'], `${where}:before_script`),
    script: toScript(job['script'], `${where}:script`),
    afterScript: toScript(job['after_script'], `${where}:after_script`),
    variables: {
      ...globalVars,
      ...toVariables(job['variables'], `${where}:variables`),
    },
    image: toImage(job['image'], `${where}:image`),
    timeoutSeconds: toSeconds(job['timeout'], `${where}:timeout`),
  };
}

function whenOf(value: unknown, where: string): When {
  if (value === undefined) return 'on_success';
  if (WHEN_VALUES.includes(value as When)) return value as When;
  throw new CiConfigError(`${where} when unknown value: ${String(value)}`);
}

function stageOf(value: unknown, name: string, stages: string[]): string {
  const stage = value === undefined ? 'test' : value;
  if (typeof stage === 'string' && stages.includes(stage)) return stage;
  throw new CiConfigError(
    `${name} job: chosen stage ${String(stage)} does not exist; available stages are ${stages.join(', ')}`,
  );
}

/** Manual jobs default to `allow_failure: true`, like GitLab. */
function allowFailureOf(
  value: unknown,
  when: When,
  where: string,
): AllowFailure {
  if (value === undefined) return when === 'manual';
  if (typeof value === 'boolean') return value;
  if (isMap(value) && value['exit_codes'] !== undefined) {
    const codes = value['exit_codes'];
    const list = Array.isArray(codes) ? codes : [codes];
    if (list.every((c) => Number.isInteger(c))) {
      return { exitCodes: list as number[] };
    }
  }
  throw new CiConfigError(
    `${where}:allow_failure config should be a hash or a boolean value`,
  );
}

function checkNeeds(jobs: JobSpec[]): void {
  const byName = new Map(jobs.map((job) => [job.name, job]));
  for (const job of jobs) {
    for (const need of job.needs ?? []) {
      const target = byName.get(need);
      if (!target) {
        throw new CiConfigError(
          `'${job.name}' job needs '${need}' job, but '${need}' does not exist in the pipeline. This might be because of the only, except, or rules keywords. To need a job that sometimes does not exist in the pipeline, use needs:optional.`,
        );
      }
      if (target.stageIdx > job.stageIdx) {
        throw new CiConfigError(
          `${job.name} job: need ${need} is not defined in current or prior stages`,
        );
      }
    }
  }
}
