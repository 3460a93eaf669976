/**
 * The metadata document and the two operations Firecracker offers on it:
 * replace (PUT /mmds) and JSON merge patch (PATCH /mmds, RFC 7396). Reads
 * use JSON Pointer (RFC 6901) paths, as Firecracker does.
 */
export type Json =
  string | number | boolean | null | Json[] | { [key: string]: Json };

/** Firecracker's default `--mmds-size-limit`, in bytes of JSON. */
export const DEFAULT_SIZE_LIMIT = 51_200;

export const NOT_FOUND = Symbol('not found');

/**
 * Returns a JSON-cloned copy of `data`, or throws if it is not a JSON
 * object or its serialised size exceeds `limit`. Cloning means later
 * changes by the caller never reach the served document.
 */
export function checkedDocument(
  data: unknown,
  limit: number,
): Record<string, Json> {
  const text = JSON.stringify(data);
  if (text === undefined || typeof data !== 'object' || data === null) {
    throw new TypeError('metadata must be a JSON object');
  }
  if (Array.isArray(data)) {
    throw new TypeError('metadata must be a JSON object, not an array');
  }
  if (Buffer.byteLength(text) > limit) {
    throw new RangeError(`metadata exceeds the ${limit}-byte limit`);
  }
  return JSON.parse(text) as Record<string, Json>;
}

/**
 * Resolves a request path such as `/latest/meta-data/` against `doc`.
 * Repeated slashes collapse and one trailing slash is ignored, so `/a//b/`
 * reads `/a/b`; `~1` and `~0` unescape per RFC 6901.
 */
export function lookup(doc: Json, path: string): Json | typeof NOT_FOUND {
  const clean = path.replace(/\/{2,}/g, '/').replace(/(.)\/$/, '$1');
  if (clean === '/' || clean === '') return doc;

  let node: Json = doc;
  for (const raw of clean.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const next = child(node, key);
    if (next === NOT_FOUND) return NOT_FOUND;
    node = next;
  }
  return node;
}

function child(node: Json, key: string): Json | typeof NOT_FOUND {
  if (Array.isArray(node)) {
    if (!/^(0|[1-9][0-9]*)$/.test(key)) return NOT_FOUND;
    return node[Number(key)] ?? NOT_FOUND;
  }
  if (typeof node === 'object' && node !== null && Object.hasOwn(node, key)) {
    return node[key] as Json;
  }
  return NOT_FOUND;
}

/** Applies an RFC 7396 merge patch: `null` deletes, objects merge. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;

  // A null prototype keeps a `__proto__` key in a patch an ordinary key.
  const result: Record<string, Json> = Object.assign(
    Object.create(null),
    isObject(target) ? target : {},
  );
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key] ?? null, value);
  }
  return result;
}

function isObject(value: Json): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
