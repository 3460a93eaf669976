import { serve } from '@hono/node-server';
import type { ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import type { GitlabClient } from '../gitlab/client.js';
import { UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { Store } from '../store/index.js';
import type { AgentEvents, AgentLink } from './agents/agent-link.js';
import { adoptAgent } from './agents/adopt-agent.js';
import { AgentRegistry } from './agents/agent-registry.js';
import { Controller } from './controller.js';
import { apiRoutes } from './http/api-routes.js';
import { webhookRoute } from './http/webhook-route.js';
import { Reconciler } from './reconciler.js';
import type { ControllerSettings } from './settings.js';

export interface ServerOptions {
  store: Store;
  gitlab: GitlabClient;
  settings: ControllerSettings;
  projects: readonly number[];
  webhookSecret: string | undefined;
  adminToken: string;
  listen: { host: string; port: number };
  reconcileIntervalMs: number;
  log: Logger;
}

/**
 * A running firelab server: HTTP (webhooks, API), the controller and its
 * reconciler. Agents attach with `attachAgent`; `close` stops taking work
 * and waits for what is in flight.
 */
export interface FirelabServer {
  url: string;
  store: Store;
  controller: Controller;
  reconciler: Reconciler;
  agents: AgentRegistry;
  attachAgent(link: AgentLink): AgentEvents;
  /** Stops HTTP and the reconciler; agent events are still handled. */
  close(): Promise<void>;
  /** Resolves when no agent event or provisioning is being handled. */
  idle(): Promise<void>;
}

export async function startServer(
  options: ServerOptions,
): Promise<FirelabServer> {
  const { store, gitlab, log } = options;
  const agents = new AgentRegistry();
  const controller = new Controller({
    store,
    gitlab,
    agents,
    settings: options.settings,
    log,
  });
  const reconciler = new Reconciler({
    controller,
    store,
    gitlab,
    settings: options.settings,
    projects: options.projects,
    log,
  });

  const app = new Hono();
  app.get('/healthz', (c) => c.json({ ok: true }));
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
    apiRoutes({ adminToken: options.adminToken, store, gitlab, agents }),
  );

  const pending = new Set<Promise<void>>();
  const http = await listen(app, options.listen);
  const address = http.address() as AddressInfo;
  const url = `http://${options.listen.host}:${address.port}`;
  reconciler.start(options.reconcileIntervalMs);
  if (options.webhookSecret === undefined) {
    log.warn('gitlab.webhookSecret is not set: webhooks need no token');
  }
  log.info({ url, projects: options.projects }, 'server listening');

  return {
    url,
    store,
    controller,
    reconciler,
    agents,
    attachAgent(link) {
      agents.add(link);
      const report = (what: string, work: Promise<void>) => {
        const handled = work.catch((error: unknown) =>
          log.error(
            { agentId: link.id, err: error },
            `handling ${what} failed`,
          ),
        );
        pending.add(handled);
        void handled.finally(() => pending.delete(handled));
      };
      report(
        'agent attach',
        adoptAgent(
          { store, vms: controller.vms },
          link.id,
          link.runningVmIds(),
        ),
      );
      return {
        vmBooted: (vmId, at) =>
          report('VM boot', controller.vms.vmBooted(vmId, at)),
        vmExited: (vmId, exit) =>
          report('VM exit', controller.vms.vmExited(vmId, exit)),
      };
    },
    async close() {
      await reconciler.stop();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await controller.vms.settled();
    },
  };
}

function listen(
  app: Hono,
  at: { host: string; port: number },
): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve(
      { fetch: app.fetch, hostname: at.host, port: at.port },
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
