import { loadConfig } from '../config/load.js';
import { createLogger } from '../lib/logger.js';
import { startFirelab } from './compose.js';

/** How long a first signal lets running jobs finish. */
const DRAIN_MS = 10 * 60 * 1000;

/**
 * `firelab up`: server and local agent until a signal. The first SIGINT or
 * SIGTERM stops taking jobs and lets running VMs finish (up to 10
 * minutes); a second stops them at once.
 */
export async function runUp(configPath: string): Promise<void> {
  const config = await loadConfig(configPath);
  const log = createLogger({ level: config.log.level });
  const firelab = await startFirelab(config, log);
  log.info(
    { url: firelab.server.url, image: firelab.image.id },
    'firelab is up',
  );

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      log.info({ signal }, 'draining: no new jobs; send again to stop VMs now');
      void firelab.close(DRAIN_MS).then(() => process.exit(0));
    } else {
      log.warn({ signal }, 'stopping VMs now');
      void firelab.agent.stopAll().then(() => process.exit(130));
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
