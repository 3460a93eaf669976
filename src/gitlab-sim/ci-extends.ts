import { CiConfigError } from './ci-config-error.js';
import { isMap } from './ci-values.js';
import type { YamlMap } from './ci-values.js';

/**
 * Resolves `extends:` for every entry of `jobs` (hidden `.templates`
 * included). GitLab merges hashes deeply, with the extending job winning;
 * arrays and scalars are replaced, not concatenated. Cycles and unknown
 * parents are configuration errors.
 */
export function resolveExtends(jobs: Record<string, YamlMap>): void {
  const done = new Set<string>();
  for (const name of Object.keys(jobs)) {
    resolveOne(jobs, name, done, []);
  }
}

function resolveOne(
  jobs: Record<string, YamlMap>,
  name: string,
  done: Set<string>,
  chain: string[],
): YamlMap {
  const job = jobs[name]!;
  if (done.has(name)) return job;
  if (chain.includes(name)) {
    throw new CiConfigError(
      `${name}: circular dependency detected in \`extends\``,
    );
  }

  const parents = parentNames(job['extends'], name);
  let merged: YamlMap = {};
  for (const parent of parents) {
    if (!jobs[parent]) {
      throw new CiConfigError(
        `${name}: unknown key in \`extends\` (${parent})`,
      );
    }
    const resolved = resolveOne(jobs, parent, done, [...chain, name]);
    merged = deepMerge(merged, resolved);
  }

  const own = { ...job };
  delete own['extends'];
  jobs[name] = deepMerge(merged, own);
  done.add(name);
  return jobs[name];
}

function parentNames(value: unknown, name: string): string[] {
  if (value === undefined) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value as string[];
  }
  throw new CiConfigError(
    `jobs:${name}:extends config should be a string or an array of strings`,
  );
}

/** Deep merge of hashes; `over` wins; arrays and scalars are replaced. */
export function deepMerge(base: YamlMap, over: YamlMap): YamlMap {
  const out: YamlMap = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = out[key];
    out[key] =
      isMap(current) && isMap(value) ? deepMerge(current, value) : value;
  }
  return out;
}
