import { arch as hostArch, cpus, hostname, totalmem } from 'node:os';
import { join } from 'node:path';
import { Agent } from '../agent/agent.js';
import type { Config } from '../config/schema.js';
import { GitlabClient } from '../gitlab/client.js';
import { buildImage } from '../image/index.js';
import type { ImageArtifacts } from '../image/index.js';
import type { Logger } from '../lib/logger.js';
import { startServer } from '../server/server.js';
import { createDriver } from './driver.js';
import type { FirelabServer } from '../server/server.js';
import { openStore } from '../store/index.js';
import type { Arch } from '../vmm/driver.js';

/** A server and its local agent, as `firelab up` runs them. */
export interface Firelab {
  server: FirelabServer;
  agent: Agent;
  image: ImageArtifacts;
  /** Stops taking work, waits up to `drainMs` for VMs, then stops them. */
  close(drainMs?: number): Promise<void>;
}

/**
 * The composition root: builds every part from the validated config and
 * wires them together. Nothing else constructs long-lived parts.
 */
export async function startFirelab(
  config: Readonly<Config>,
  log: Logger,
): Promise<Firelab> {
  const arch = localArch();
  const image = await buildImage({
    profile: config.image.profile,
    arch,
    cacheDir: config.image.cacheDir,
    runnerPackageUrl: config.image.runnerPackageUrl,
    log: log.child({ part: 'image' }),
    onProgress: (step) => log.info({ step }, 'image build'),
  });
  const { driver, image: bootImage } = await createDriver(
    config,
    image,
    log.child({ part: 'vmm' }),
  );

  const store = await openStore(
    config.database && 'postgres' in config.database
      ? { kind: 'postgres', url: config.database.postgres }
      : {
          kind: 'embedded',
          path:
            config.database?.embedded ??
            join(config.agent.stateDir, 'firelab.db'),
        },
  );
  const gitlab = new GitlabClient({
    url: config.gitlab.url,
    token: config.gitlab.token,
    log: log.child({ part: 'gitlab' }),
  });
  const [host, port] = config.server.listen.split(':');
  const server = await startServer({
    store,
    gitlab,
    settings: settingsFrom(config),
    projects: config.gitlab.projects,
    webhookSecret: config.gitlab.webhookSecret,
    adminToken: config.server.adminToken,
    listen: { host: host!, port: Number(port) },
    reconcileIntervalMs: config.jobs.reconcileIntervalSeconds * 1000,
    log: log.child({ part: 'server' }),
  });

  const agent = new Agent({
    id: config.agent.name,
    info: {
      name: hostname(),
      arch,
      vcpus: config.agent.vcpus ?? cpus().length,
      memoryMiB:
        config.agent.memoryMiB ?? Math.floor((totalmem() / 2 ** 20) * 0.8),
    },
    driver,
    images: { [arch]: bootImage },
    stateDir: config.agent.stateDir,
    logDir: join(config.agent.stateDir, 'logs'),
    log: log.child({ part: 'agent' }),
  });
  await agent.start((link) => server.attachAgent(link));

  return {
    server,
    agent,
    image,
    async close(drainMs = 0) {
      await server.close();
      const until = Date.now() + drainMs;
      while (agent.running > 0 && Date.now() < until) await sleep(200);
      await agent.stopAll();
      while (agent.running > 0) await sleep(100);
      await server.idle();
      await store.close();
    },
  };
}

function settingsFrom(config: Readonly<Config>) {
  const jobs = config.jobs;
  return {
    defaultClass: {
      arch: localArch(),
      vcpus: jobs.defaultVcpus,
      memoryMiB: jobs.defaultMemoryMiB,
    },
    classLimits: { maxVcpus: jobs.maxVcpus, maxMemoryMiB: jobs.maxMemoryMiB },
    placement: {
      cpuOvercommit: jobs.cpuOvercommit,
      maxPerProject: jobs.maxPerProject,
    },
    idleTimeoutMs: jobs.idleTimeoutSeconds * 1000,
    bootTimeoutMs: jobs.bootTimeoutSeconds * 1000,
    jobTimeoutSeconds: jobs.jobTimeoutSeconds,
    maxAttempts: jobs.maxAttempts,
    gitlabUrl: config.gitlab.url,
  };
}

function localArch(): Arch {
  return hostArch() === 'arm64' ? 'arm64' : 'x86_64';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
