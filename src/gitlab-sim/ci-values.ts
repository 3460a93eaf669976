import { CiConfigError } from './ci-config-error.js';

/**
 * Coercions for `.gitlab-ci.yml` values. Each throws `CiConfigError` with
 * GitLab's wording shape (`jobs:<name>:<key> ...`) when a value has the
 * wrong type, so the pipeline fails with a readable yaml error.
 */
export type YamlMap = Record<string, unknown>;

export function isMap(value: unknown): value is YamlMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A script: a string or a (nested) array of strings (GitLab flattens). */
export function toScript(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) {
    return value.flatMap((line: unknown) => {
      if (Array.isArray(line)) return toScript(line, where);
      if (typeof line === 'string') return [line];
      if (typeof line === 'number' || typeof line === 'boolean') {
        return [String(line)];
      }
      throw new CiConfigError(
        `${where} config should be a string or a nested array of strings up to 10 levels deep`,
      );
    });
  }
  throw new CiConfigError(
    `${where} config should be a string or a nested array of strings up to 10 levels deep`,
  );
}

/** `variables:` values may be scalars or `{ value, description }`. */
export function toVariables(
  value: unknown,
  where: string,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) {
    throw new CiConfigError(`${where} config should be a hash`);
  }
  const out: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    const scalar = isMap(raw) ? raw['value'] : raw;
    if (scalar !== null && typeof scalar === 'object') {
      throw new CiConfigError(
        `${where} config should be a hash of key value pairs`,
      );
    }
    out[key] = scalar === undefined || scalar === null ? '' : String(scalar);
  }
  return out;
}

export function toStringList(value: unknown, where: string): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return value as string[];
  }
  throw new CiConfigError(`${where} config should be an array of strings`);
}

/** `image:` is a name or `{ name: ... }`; the simulator keeps the name. */
export function toImage(value: unknown, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (isMap(value) && typeof value['name'] === 'string') return value['name'];
  throw new CiConfigError(`${where} config should be a hash or a string`);
}

/** `needs:` entries are job names or `{ job: name, ... }`. */
export function toNeeds(value: unknown, where: string): string[] | null {
  if (value === undefined) return null;
  if (!Array.isArray(value)) {
    throw new CiConfigError(`${where} config should be an array`);
  }
  return value.map((need: unknown) => {
    if (typeof need === 'string') return need;
    if (isMap(need) && typeof need['job'] === 'string') return need['job'];
    throw new CiConfigError(`${where} config can only be a string or a hash`);
  });
}

/** Durations like `1h 30m`, `90 minutes`, `600` (seconds). */
export function toSeconds(value: unknown, where: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') {
    throw new CiConfigError(`${where} config should be a duration`);
  }
  const units: Record<string, number> = { h: 3600, m: 60, s: 1 };
  let total = 0;
  const pattern = /(\d+)\s*(h|hours?|m|min|minutes?|s|sec|seconds?)?/g;
  for (const match of value.matchAll(pattern)) {
    total += Number(match[1]) * (units[(match[2] ?? 's')[0]!] ?? 1);
  }
  if (total <= 0) {
    throw new CiConfigError(`${where} config should be a duration`);
  }
  return total;
}
