import { loadConfig } from '../config/load.js';
import { createLogger } from '../lib/logger.js';
import type { Logger } from '../lib/logger.js';
import { startFirelab, startRemoteAgent, startServerPart } from './compose.js';

/** How long a first signal lets running jobs finish. */
const DRAIN_MS = 10 * 60 * 1000;

/*
 * The long-running commands. Each runs until a signal: the first SIGINT
 * or SIGTERM stops taking jobs and lets running VMs finish (up to 10
 * minutes); a second stops them at once, cleans them up and cancels
 * their jobs; a third quits without waiting for that.
 */

/** `firelab up`: server and local agent in one process. */
export async function runUp(configPath: string): Promise<void> {
  const config = await loadConfig(configPath, 'up');
  const log = createLogger({ level: config.log.level });
  const firelab = await startFirelab(config, log);
  log.info(
    { url: firelab.server.url, image: firelab.image.id },
    'firelab is up',
  );
  untilSignal(log, {
    drain: () => firelab.close(DRAIN_MS),
    force: () => firelab.agent.stopAll(),
  });
}

/** `firelab server`: no VMs here; agents connect to it. */
export async function runServer(configPath: string): Promise<void> {
  const config = await loadConfig(configPath, 'server');
  const log = createLogger({ level: config.log.level });
  const server = await startServerPart(config, log);
  log.info({ url: server.url, server: server.id }, 'firelab server is up');
  untilSignal(log, {
    // Agents keep their VMs running and reconnect to another server.
    drain: async () => {
      await server.close();
      await server.idle();
      await server.store.close();
    },
    force: async () => undefined,
  });
}

/** `firelab agent run`: this host's VMs, for the server it dials. */
export async function runAgent(
  configPath: string,
  options: { enrolmentToken?: string },
): Promise<void> {
  const config = await loadConfig(configPath, 'agent');
  const log = createLogger({ level: config.log.level });
  const remote = await startRemoteAgent(
    options.enrolmentToken
      ? {
          ...config,
          agent: { ...config.agent, enrolmentToken: options.enrolmentToken },
        }
      : config,
    log,
  );
  log.info(
    { agent: remote.agent.id, image: remote.image.id },
    'firelab agent is up',
  );
  untilSignal(log, {
    drain: () => remote.close(DRAIN_MS),
    force: () => remote.agent.stopAll(),
  });
}

function untilSignal(
  log: Logger,
  actions: { drain(): Promise<void>; force(): Promise<void> },
): void {
  let signals = 0;
  let exitCode = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log.info({ signal }, 'draining: no new jobs; send again to stop VMs now');
      void actions.drain().then(() => process.exit(exitCode));
    } else if (signals === 2) {
      log.warn({ signal }, 'stopping VMs now; send again to quit at once');
      exitCode = 130;
      // The drain ends once the stopped VMs are cleaned up and recorded
      // (runners deleted, their jobs canceled): a forced stop leaves
      // nothing behind either, unless that takes too long.
      void actions.force();
      setTimeout(() => {
        log.error('the VMs were not cleaned up within 60 s; quitting');
        process.exit(130);
      }, 60_000).unref();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
