import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Logger } from '../lib/logger.js';
import { silentLogger } from '../lib/logger.js';
import { createAdmin } from './admin.js';
import type { GitlabSimAdmin } from './admin.js';
import { buildApp } from './app.js';
import type { SimContext } from './context.js';
import { FaultInjector } from './fault-injector.js';
import { GitRepos } from './git-repos.js';
import { jobHookPayload } from './hook-payload.js';
import { SimState } from './sim-state.js';
import type { HookTimeFormat } from './time-format.js';
import { WebhookEmitter } from './webhook-emitter.js';

export { buildApp } from './app.js';
export type { GitlabSimAdmin } from './admin.js';
export type { SimContext } from './context.js';
export { FaultInjector } from './fault-injector.js';
export type { RequestFaultRule } from './fault-injector.js';
export type { CommitFiles } from './git-repos.js';
export { traceChecksum, crc32 } from './crc32.js';
export { parseCiConfig } from './ci-config.js';
export type { CiConfig, JobSpec } from './ci-config.js';
export { CiConfigError } from './ci-config-error.js';
export type { HookDelivery } from './webhook-emitter.js';
export type { HookTimeFormat } from './time-format.js';
export type * from './types.js';

export interface GitlabSimOptions {
  /** Directory for the bare repositories (created when missing). */
  dataDir: string;
  logger?: Logger;
  /** Sent as `X-GitLab-Trace-Update-Interval` (default 1 s). */
  traceUpdateIntervalSeconds?: number;
  /** Base URL written into payloads and clone URLs (default: own URL). */
  publicUrl?: string;
  /** Listen port on 127.0.0.1 (default 0: a free port). */
  port?: number;
  /** Reported as `GitLab/<version>` and by `/api/v4/version`. */
  gitlabVersion?: string;
  /** Webhook timestamp format (default ISO with milliseconds). */
  hookTimeFormat?: HookTimeFormat;
}

export interface GitlabSim {
  /** The listen URL, e.g. `http://127.0.0.1:40123` (no trailing slash). */
  url: string;
  admin: GitlabSimAdmin;
  close(): Promise<void>;
}

/**
 * Builds the in-memory world and its context (state, repositories,
 * webhook emitter, faults) without listening; `createGitlabSim` and
 * in-process tests share it. `baseUrl` may change once the port is known.
 */
export function createSimContext(
  options: Omit<GitlabSimOptions, 'port'> & { baseUrl?: string },
): { ctx: SimContext; setBaseUrl(url: string): void } {
  const logger = options.logger ?? silentLogger();
  const state = new SimState();
  const faults = new FaultInjector();
  const version = options.gitlabVersion ?? '18.5.0';
  let baseUrl = (
    options.publicUrl ??
    options.baseUrl ??
    'http://127.0.0.1'
  ).replace(/\/+$/, '');
  const ctx: SimContext = {
    state,
    baseUrl: () => baseUrl,
    traceUpdateIntervalSeconds: options.traceUpdateIntervalSeconds ?? 1,
    gitlabVersion: version,
    hookTimeFormat: options.hookTimeFormat ?? 'iso',
    logger,
    repos: new GitRepos(options.dataDir, logger),
    faults,
    hooks: new WebhookEmitter({
      state,
      faults,
      logger,
      userAgent: `GitLab/${version}`,
      instanceUrl: () => baseUrl,
      payload: (job, status) => jobHookPayload(ctx, job, status),
    }),
  };
  state.listen(ctx.hooks.handle);
  const setBaseUrl = (url: string) => {
    baseUrl = url.replace(/\/+$/, '');
  };
  return { ctx, setBaseUrl };
}

/**
 * Starts the GitLab simulator on 127.0.0.1 and returns its URL, the
 * in-process admin and `close()` (stops listening, drops open
 * connections including hanging ones, stops webhook timers).
 */
export async function createGitlabSim(
  options: GitlabSimOptions,
): Promise<GitlabSim> {
  await mkdir(options.dataDir, { recursive: true });
  const { ctx, setBaseUrl } = createSimContext(options);
  const closing = new AbortController();
  const app = buildApp(ctx, closing.signal);

  const server = await listen(app.fetch, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  if (!options.publicUrl) setBaseUrl(url);
  ctx.logger.info({ url }, 'gitlab simulator listening');

  return {
    url,
    admin: createAdmin(ctx),
    close: async () => {
      closing.abort();
      ctx.hooks.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function listen(
  fetch: Parameters<typeof serve>[0]['fetch'],
  port: number,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port, hostname: '127.0.0.1' }, () =>
      resolve(server as Server),
    ) as Server;
    server.once('error', reject);
  });
}
