import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UserError } from '../lib/errors.js';
import { configSchema } from './schema.js';
import type { Config } from './schema.js';

/** Environment variables that may carry secrets instead of the file. */
const SECRET_ENV = {
  FIRELAB_GITLAB_TOKEN: ['gitlab', 'token'],
  FIRELAB_WEBHOOK_SECRET: ['gitlab', 'webhookSecret'],
  FIRELAB_ADMIN_TOKEN: ['server', 'adminToken'],
} as const;

/**
 * Reads, validates and freezes the configuration. The only place that
 * reads the environment. A bad file stops startup with one line naming
 * the option, never a stack trace.
 */
export async function loadConfig(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Readonly<Config>> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UserError(
      `cannot read config ${path}: ${(error as Error).message}`,
    );
  }
  return parseConfig(raw ?? {}, env, path);
}

export function parseConfig(
  raw: unknown,
  env: NodeJS.ProcessEnv,
  source = 'config',
): Readonly<Config> {
  const merged = structuredClone(raw) as Record<
    string,
    Record<string, unknown>
  >;
  for (const [name, [section, key]] of Object.entries(SECRET_ENV)) {
    const value = env[name];
    if (value) (merged[section] ??= {})[key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    throw new UserError(`${source}: ${where}: ${issue.message}`);
  }
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
