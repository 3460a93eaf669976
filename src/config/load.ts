import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { UserError } from '../lib/errors.js';
import { configSchema } from './schema.js';
import type {
  AgentConfig,
  ClientConfig,
  Config,
  Role,
  ServerConfig,
} from './schema.js';

/** Environment variables that may carry secrets instead of the file. */
const SECRET_ENV = {
  FIRELAB_GITLAB_TOKEN: ['gitlab', 'token'],
  FIRELAB_WEBHOOK_SECRET: ['gitlab', 'webhookSecret'],
  FIRELAB_ADMIN_TOKEN: ['server', 'adminToken'],
  FIRELAB_METRICS_TOKEN: ['server', 'metricsToken'],
  FIRELAB_ENROLMENT_TOKEN: ['agent', 'enrolmentToken'],
} as const;

type ForRole<R extends Role> = R extends 'up' | 'server'
  ? ServerConfig
  : R extends 'agent'
    ? AgentConfig
    : ClientConfig;

/** The sections a command cannot run without. */
const NEEDS: Record<Role, (config: Config) => string | undefined> = {
  up: (c) =>
    missing(c, ['gitlab', 'server']) ??
    (c.agent.server
      ? 'agent.server is for `firelab agent run`; `up` runs its own agent'
      : undefined),
  server: (c) => missing(c, ['gitlab', 'server']),
  agent: (c) =>
    c.agent.server ? undefined : 'agent.server: required for this command',
  client: (c) => missing(c, ['server']),
};

function missing(
  config: Config,
  sections: ('gitlab' | 'server')[],
): string | undefined {
  const absent = sections.find((name) => config[name] === undefined);
  return absent && `${absent}: required for this command`;
}

/**
 * Reads, validates and freezes the configuration. The only place that
 * reads the environment. A bad file stops startup with one line naming
 * the option, never a stack trace.
 */
export async function loadConfig<R extends Role>(
  path: string,
  role: R,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Readonly<ForRole<R>>> {
  let raw: unknown;
  try {
    raw = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new UserError(
      `cannot read config ${path}: ${(error as Error).message}`,
    );
  }
  return parseConfig(raw ?? {}, role, env, path);
}

export function parseConfig<R extends Role>(
  raw: unknown,
  role: R,
  env: NodeJS.ProcessEnv,
  source = 'config',
): Readonly<ForRole<R>> {
  const merged = structuredClone(raw) as Record<
    string,
    Record<string, unknown>
  >;
  for (const [name, [section, key]] of Object.entries(SECRET_ENV)) {
    const value = env[name];
    // Only into sections the file has (the agent's always exists), so a
    // secret exported on a host does not conjure up a half-made section.
    if (!value) continue;
    if (section === 'agent') (merged.agent ??= {})[key] = value;
    else if (merged[section]) merged[section][key] = value;
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const where = issue.path.join('.') || '(top level)';
    throw new UserError(`${source}: ${where}: ${issue.message}`);
  }
  const problem = NEEDS[role](result.data);
  if (problem) throw new UserError(`${source}: ${problem}`);
  return deepFreeze(result.data) as ForRole<R>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
