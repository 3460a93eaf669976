import type { Logger } from '../lib/logger.js';
import type { FaultInjector } from './fault-injector.js';
import type { GitRepos } from './git-repos.js';
import type { SimState } from './sim-state.js';
import type { HookTimeFormat } from './time-format.js';
import type { WebhookEmitter } from './webhook-emitter.js';

/**
 * Everything a route handler needs, built once by `createGitlabSim` (or by
 * a test). `baseUrl()` is a function because the listen port is only
 * known after the server started.
 */
export interface SimContext {
  state: SimState;
  baseUrl(): string;
  traceUpdateIntervalSeconds: number;
  gitlabVersion: string;
  hookTimeFormat: HookTimeFormat;
  logger: Logger;
  repos: GitRepos;
  hooks: WebhookEmitter;
  faults: FaultInjector;
}
