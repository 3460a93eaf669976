import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitlabClient } from '../../gitlab/client.js';
import type { GitlabClientOptions } from '../../gitlab/client.js';
import { createGitlabSim } from '../../gitlab-sim/index.js';
import type { GitlabSim } from '../../gitlab-sim/index.js';
import type { Project } from '../../gitlab-sim/types.js';
import { silentLogger } from '../../lib/logger.js';
import type { Logger } from '../../lib/logger.js';
import { openStore } from '../../store/index.js';
import type { DatabaseConfig, Store } from '../../store/index.js';
import { startServer } from '../server.js';
import type { FirelabServer } from '../server.js';
import type { ControllerSettings, InsightsSettings } from '../settings.js';
import { FakeAgent } from './fake-agent.js';

/**
 * A whole firelab server wired to the GitLab stand-in and a fake agent,
 * in one process, for tests of the server's behaviour. Everything listens
 * on 127.0.0.1 and is removed by `close`.
 */
export interface Harness {
  sim: GitlabSim;
  project: Project;
  /** The `siblings` projects: served, in `project`'s group. */
  siblings: Project[];
  server: FirelabServer;
  store: Store;
  /** A client of the stand-in as the server's GitLab user. */
  gitlab: GitlabClient;
  agent: FakeAgent;
  webhookSecret: string;
  adminToken: string;
  push(ci: string): Promise<number>;
  /**
   * Starts another server on the same database and GitLab (the harness
   * must use a database file or PostgreSQL); closed with the harness.
   */
  addServer(): Promise<FirelabServer>;
  close(): Promise<void>;
}

export async function startHarness(
  options: {
    settings?: Partial<ControllerSettings>;
    insights?: InsightsSettings;
    /** Bearer token for GET /metrics (default: the admin token). */
    metricsToken?: string;
    database?: DatabaseConfig;
    hooks?: boolean;
    reconcileIntervalMs?: number;
    agentHeartbeatMs?: number;
    tls?: { cert: string; key: string };
    log?: Logger;
    /** False: the test attaches its own agent (default: a FakeAgent). */
    fakeAgent?: boolean;
    /** More projects served, in the same group as `project`. */
    siblings?: number;
    /**
     * The server's GitLab client: another token (default: the project
     * owner's), timeout or retry policy (default: short retries).
     */
    gitlab?: Partial<
      Pick<GitlabClientOptions, 'token' | 'timeoutMs' | 'retry'>
    >;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'firelab-harness-'));
  const log = options.log ?? silentLogger();
  const sim = await createGitlabSim({ dataDir: join(dir, 'sim') });
  const { user, token } = sim.admin.createUser({ username: 'ci-owner' });
  const project = await sim.admin.createProject({
    namespace: 'demo',
    name: 'app',
    members: [user],
  });
  const siblings: Project[] = [];
  for (let i = 0; i < (options.siblings ?? 0); i++) {
    siblings.push(
      await sim.admin.createProject({
        namespace: 'demo',
        name: `app-${i + 2}`,
        members: [user],
      }),
    );
  }
  const served = [project, ...siblings];
  const database = options.database ?? {
    kind: 'embedded',
    path: ':memory:',
  };
  const store = await openStore(database);
  const gitlab = new GitlabClient({
    url: sim.url,
    token,
    log,
    retry: { attempts: 3, baseMs: 5, maxMs: 20 },
    ...options.gitlab,
  });
  const webhookSecret = randomBytes(8).toString('hex');
  const adminToken = randomBytes(16).toString('hex');
  const serverOptions = (serverStore: Store, id: string) => ({
    store: serverStore,
    gitlab,
    settings: { ...testSettings(sim.url), ...options.settings },
    insights: options.insights,
    projects: served.map((p) => p.id),
    webhookSecret,
    adminToken,
    metricsToken: options.metricsToken,
    listen: { host: '127.0.0.1', port: 0 },
    reconcileIntervalMs: options.reconcileIntervalMs ?? 60_000,
    agentHeartbeatMs: options.agentHeartbeatMs ?? 1_000,
    tls: options.tls,
    serverId: id,
    log,
  });
  const server = await startServer(serverOptions(store, 'server-1'));
  const more: FirelabServer[] = [];
  if (options.hooks !== false) {
    for (const p of served) {
      sim.admin.addHook(p, {
        url: `${server.url}/webhooks/gitlab`,
        token: webhookSecret,
        jobEvents: true,
      });
    }
  }
  const agent = new FakeAgent();
  if (options.fakeAgent !== false) agent.connect(server.attachAgent(agent));

  return {
    sim,
    project,
    siblings,
    server,
    store,
    gitlab,
    agent,
    webhookSecret,
    adminToken,
    push: (ci) => pushCi(sim, project, ci),
    async addServer() {
      if (database.kind === 'embedded' && database.path === ':memory:')
        throw new Error('addServer needs a shared database');
      const next = await startServer(
        serverOptions(await openStore(database), `server-${more.length + 2}`),
      );
      more.push(next);
      return next;
    },
    async close() {
      for (const other of more) {
        await other.close();
        await other.idle();
        await other.store.close();
      }
      await server.close();
      agent.stopAll();
      while (agent.running > 0) await new Promise((r) => setTimeout(r, 20));
      await server.idle();
      await store.close();
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function testSettings(gitlabUrl: string): ControllerSettings {
  return {
    defaultClass: { arch: 'x86_64', vcpus: 1, memoryMiB: 512 },
    classLimits: { maxVcpus: 8, maxMemoryMiB: 16384 },
    placement: { cpuOvercommit: 1, maxPerProject: 50 },
    idleTimeoutMs: 5_000,
    bootTimeoutMs: 5_000,
    jobTimeoutSeconds: 600,
    maxAttempts: 3,
    retryLostJobs: true,
    runnerBackoff: { baseMs: 50, maxMs: 500 },
    agentLostAfterMs: 60_000,
    gitlabUrl,
  };
}

/** Polls `check` until it returns a truthy value or `ms` passes. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  what: string | (() => string),
  ms = 10_000,
): Promise<NonNullable<T>> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > until) {
      const said = typeof what === 'string' ? what : what();
      throw new Error(`timed out waiting for ${said}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Commits `ci` as the project's .gitlab-ci.yml; resolves its pipeline id. */
export async function pushCi(
  sim: GitlabSim,
  project: Project,
  ci: string,
): Promise<number> {
  const { pipeline } = await sim.admin.pushFiles(
    project,
    { '.gitlab-ci.yml': ci },
    'ci',
  );
  if (!pipeline) throw new Error('push created no pipeline');
  return pipeline.id;
}
