import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import type { GitlabClient } from '../gitlab/client.js';
import { errorMessage, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/index.js';
import type { AgentEvents, AgentLink } from './agents/agent-link.js';
import { adoptAgent } from './agents/adopt-agent.js';
import { AgentRegistry } from './agents/agent-registry.js';
import { AgentSocketServer } from './agents/agent-socket.js';
import { AgentSync } from './agents/agent-sync.js';
import { AGENT_SOCKET_PATH } from './agents/protocol.js';
import { Controller } from './controller.js';
import { apiRoutes } from './http/api-routes.js';
import { dashboardRoutes } from './http/dashboard-routes.js';
import { insightsRoutes } from './http/insights-routes.js';
import { metricsRoute } from './http/metrics-route.js';
import { webhookRoute } from './http/webhook-route.js';
import { createMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import type { ControllerSettings, InsightsSettings } from './settings.js';

export interface ServerOptions {
  store: Store;
  gitlab: GitlabClient;
  settings: ControllerSettings;
  /** Default: no host costs. */
  insights?: InsightsSettings;
  projects: readonly number[];
  webhookSecret: string | undefined;
  adminToken: string;
  /** Bearer token for GET /metrics (default: the admin token). */
  metricsToken?: string | undefined;
  listen: { host: string; port: number };
  /** Serve HTTPS (webhooks, API, agents) with this certificate and key. */
  tls?: { cert: string | Buffer; key: string | Buffer } | undefined;
  reconcileIntervalMs: number;
  /** How often agents are pinged; also how often the agent sync runs ×10. */
  agentHeartbeatMs?: number;
  /** Names this server in leases and logs (default: host, pid, random). */
  serverId?: string;
  log: Logger;
}

/**
 * A running firelab server: HTTP (webhooks, API, agent connections), the
 * controller, the reconciler (run by one server at a time, under a
 * lease) and the agent sync. In-process agents attach with
 * `attachAgent`; remote ones connect to `AGENT_SOCKET_PATH`. `close`
 * stops taking work and waits for what is in flight.
 */
export interface FirelabServer {
  id: string;
  url: string;
  store: Store;
  controller: Controller;
  reconciler: Reconciler;
  agents: AgentRegistry;
  attachAgent(link: AgentLink): AgentEvents;
  /** Stops HTTP, agent connections, the reconciler and the agent sync. */
  close(): Promise<void>;
  /** Resolves when no agent event or provisioning is being handled. */
  idle(): Promise<void>;
}

const BACKGROUND_LEASE = 'background';

export async function startServer(
  options: ServerOptions,
): Promise<FirelabServer> {
  const { gitlab, log } = options;
  const metrics = createMetrics(options.store);
  const store = metrics.observe(options.store);
  const serverId =
    options.serverId ??
    `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const heartbeatMs = options.agentHeartbeatMs ?? 10_000;
  const agents = new AgentRegistry();
  const controller = new Controller({
    store,
    gitlab,
    agents,
    settings: options.settings,
    log,
    instruct: () => sync.kick(),
  });
  const sync = new AgentSync({
    store,
    agents,
    serverId,
    provisioning: () => controller.vms.provisioning,
    schedule: () => controller.vms.schedule(),
    log,
  });
  const leaseMs = Math.max(3 * options.reconcileIntervalMs, 10_000);
  const reconciler = new Reconciler({
    controller,
    store,
    gitlab,
    agents,
    settings: options.settings,
    projects: options.projects,
    lease: () =>
      store.leases.acquireLease(
        BACKGROUND_LEASE,
        serverId,
        Date.now(),
        leaseMs,
      ),
    log,
  });

  const pending = new Set<Promise<void>>();
  const track = (what: string, agentId: string, work: Promise<void>) => {
    const handled = work.catch((error: unknown) => {
      log.error({ agentId, err: errorMessage(error) }, `${what} failed`);
      throw error;
    });
    const settled = handled.catch(() => undefined);
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return handled;
  };
  const attachAgent = (link: AgentLink): AgentEvents => {
    agents.add(link);
    void track(
      'agent attach',
      link.id,
      (async () => {
        await store.agents.agentOnline(
          { id: link.id, ...link.info },
          serverId,
          Date.now(),
        );
        await adoptAgent(
          { store, vms: controller.vms, log },
          link,
          link.runningVmIds(),
        );
        sync.kick();
      })(),
    );
    return {
      vmBooted: (vmId, at) =>
        track('VM boot', link.id, controller.vms.vmBooted(vmId, at)),
      vmExited: (vmId, exit) =>
        track('VM exit', link.id, controller.vms.vmExited(vmId, exit)),
    };
  };
  const sockets = new AgentSocketServer({
    store,
    serverId,
    heartbeatMs,
    attach: attachAgent,
    detach: async (link) => {
      if (!agents.remove(link)) return;
      await store.agents
        .agentOffline(link.id, serverId, Date.now())
        .catch((error: unknown) =>
          log.warn({ err: errorMessage(error) }, 'agent offline not stored'),
        );
    },
    log,
  });

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true, server: serverId }));
  app.notFound((c) =>
    c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404),
  );
  app.route(
    '/',
    webhookRoute({
      secret: options.webhookSecret,
      projects: options.projects,
      store,
      log,
      onEvent: (event) => controller.onJobEvent(event),
    }),
  );
  app.route(
    '/',
    apiRoutes({
      adminToken: options.adminToken,
      store,
      gitlab,
      agents,
      onDrainChange: () => sync.kick(),
    }),
  );
  app.route(
    '/',
    insightsRoutes({
      adminToken: options.adminToken,
      store,
      hostCosts: options.insights?.hostCosts ?? null,
    }),
  );
  app.route('/', dashboardRoutes());
  app.route(
    '/',
    metricsRoute({
      registry: metrics.registry,
      token: options.metricsToken ?? options.adminToken,
    }),
  );

  const http = await listen(app, options.listen, options.tls);
  http.on('upgrade', (request, socket, head) => {
    if (request.url === AGENT_SOCKET_PATH) {
      sockets.handleUpgrade(request, socket, head);
    } else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    }
  });
  const address = http.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  const url = `${scheme}://${options.listen.host}:${address.port}`;
  reconciler.start(options.reconcileIntervalMs);
  sync.start(Math.max(100, Math.floor(heartbeatMs / 10)));
  if (options.webhookSecret === undefined) {
    log.warn('gitlab.webhookSecret is not set: webhooks need no token');
  }
  log.info(
    { url, server: serverId, projects: options.projects },
    'server listening',
  );

  return {
    id: serverId,
    url,
    store,
    controller,
    reconciler,
    agents,
    attachAgent,
    async close() {
      controller.vms.stopScheduling();
      await reconciler.stop();
      await store.leases
        .releaseLease(BACKGROUND_LEASE, serverId)
        .catch(() => undefined);
      sockets.close();
      await sync.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
    async idle() {
      for (;;) {
        while (pending.size > 0) await Promise.allSettled([...pending]);
        await controller.vms.settled();
        await sync.settled();
        if (pending.size === 0) return;
      }
    },
  };
}

function listen(
  app: Hono,
  at: { host: string; port: number },
  tls: ServerOptions['tls'],
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        fetch: app.fetch,
        hostname: at.host,
        port: at.port,
        ...(tls
          ? { createServer: createHttpsServer, serverOptions: { ...tls } }
          : {}),
      },
      () => resolve(server),
    );
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${at.host}:${at.port}`;
      reject(
        new UserError(
          `cannot listen on ${where}: ${error.code ?? error.message}`,
        ),
      );
    });
  });
}
