import type { Json } from './store.js';

export const UNSUPPORTED_TYPE = Symbol('unsupported type');

/**
 * Renders a value in the IMDS text format: a string as itself, an object
 * as its keys one per line (sorted, as Firecracker's ordered map returns
 * them), with `/` after keys whose value is itself an object. Any other
 * JSON type cannot be shown in this format, and the caller answers 501.
 */
export function renderImds(value: Json): string | typeof UNSUPPORTED_TYPE {
  if (typeof value === 'string') return value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return UNSUPPORTED_TYPE;
  }

  return Object.keys(value)
    .sort()
    .map((key) => (isObject(value[key]) ? `${key}/` : key))
    .join('\n');
}

/** Renders a value as compact JSON with object keys sorted, likewise. */
export function renderJson(value: Json): string {
  return JSON.stringify(value, (_key, inner: Json) =>
    isObject(inner) ? sortedCopy(inner) : inner,
  );
}

function sortedCopy(value: { [key: string]: Json }): Record<string, Json> {
  const out: Record<string, Json> = Object.create(null);
  for (const key of Object.keys(value).sort()) out[key] = value[key] as Json;
  return out;
}

function isObject(value: Json | undefined): value is { [k: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
