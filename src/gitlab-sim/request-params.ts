import type { Context } from 'hono';
import { HttpError } from '../lib/errors.js';

export type Params = Record<string, unknown>;

/**
 * Grape-style parameters: query string and body merged (body wins), from
 * JSON, url-encoded or multipart bodies. `key[]` names become arrays under
 * `key`, so `scope[]=pending&scope[]=running` reads as `scope: [...]`.
 * A body that is not valid JSON throws `HttpError(400)`, as GitLab
 * answers 400 for it.
 */
export async function readParams(c: Context): Promise<Params> {
  const params: Params = {};
  for (const [key, values] of Object.entries(c.req.queries())) {
    addParam(params, key, values);
  }
  const type = c.req.header('content-type') ?? '';
  if (type.includes('application/json')) {
    const text = await c.req.text();
    if (text.trim() === '') return params;
    try {
      const body: unknown = JSON.parse(text);
      if (typeof body === 'object' && body !== null)
        Object.assign(params, body);
    } catch {
      throw new HttpError(400, 'The request body is not valid JSON');
    }
  } else if (type.includes('form')) {
    const form = await c.req.parseBody({ all: true });
    for (const [key, value] of Object.entries(form)) {
      const values = Array.isArray(value) ? value : [value];
      addParam(params, key, values.map(String));
    }
  }
  return params;
}

function addParam(params: Params, key: string, values: string[]): void {
  if (key.endsWith('[]')) {
    const name = key.slice(0, -2);
    const current = params[name];
    params[name] = [...(Array.isArray(current) ? current : []), ...values];
    return;
  }
  params[key] = values.length > 1 ? values : values[0];
}

/** Grape's Boolean coercion; undefined when absent, null when invalid. */
export function boolParam(value: unknown): boolean | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  if (value === 'true' || value === '1' || value === 1) return true;
  if (value === 'false' || value === '0' || value === 0) return false;
  return null;
}

/** Grape's `CommaSeparatedToArray`: an array or `"a, b"` → tags. */
export function listParam(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const items = Array.isArray(value) ? value : String(value).split(',');
  return items.map((item) => String(item).trim()).filter((t) => t !== '');
}

export function intParam(value: unknown): number | undefined | null {
  if (value === undefined || value === null || value === '') return undefined;
  const number = Number(value);
  return Number.isInteger(number) ? number : null;
}

export function stringParam(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return String(value);
}

/** Runs `handler` with the request's parameters (see `readParams`). */
export async function withParams<C extends Context>(
  c: C,
  handler: (params: Params) => Response,
): Promise<Response> {
  return handler(await readParams(c));
}
