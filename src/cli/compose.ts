import { readFileSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { arch as hostArch, cpus, hostname, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { Agent } from '../agent/agent.js';
import { ServerConnection } from '../agent/server-connection.js';
import { NatEgress, usableResolvers } from '../agent/vm-egress.js';
import type { AgentConfig, Config, ServerConfig } from '../config/schema.js';
import { GitlabClient } from '../gitlab/client.js';
import { buildImage } from '../image/index.js';
import type { ImageArtifacts } from '../image/index.js';
import { errorMessage, UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { checkGitlab } from '../server/check-gitlab.js';
import { startServer } from '../server/server.js';
import type { FirelabServer } from '../server/server.js';
import type {
  ControllerSettings,
  InsightsSettings,
} from '../server/settings.js';
import { openStore } from '../store/index.js';
import type { Arch } from '../vmm/driver.js';
import { createDriver } from './driver.js';

/*
 * The composition root: builds every part from the validated config and
 * wires them together. Nothing else constructs long-lived parts. Three
 * shapes: a server (`firelab server`), an agent that dials a server
 * (`firelab agent run`), and both in one process (`firelab up`).
 */

/** A server and its local agent, as `firelab up` runs them. */
export interface Firelab {
  server: FirelabServer;
  agent: Agent;
  image: ImageArtifacts;
  /** Stops taking work, waits up to `drainMs` for VMs, then stops them. */
  close(drainMs?: number): Promise<void>;
}

export async function startFirelab(
  config: Readonly<ServerConfig>,
  log: Logger,
): Promise<Firelab> {
  const local = await prepareAgent(config, log);
  const server = await startServerPart(config, log);
  await local.agent.start((link) => server.attachAgent(link));
  return {
    server,
    agent: local.agent,
    image: local.image,
    async close(drainMs = 0) {
      await server.close();
      await drainAgent(local.agent, drainMs);
      await server.idle();
      await server.store.close();
    },
  };
}

/** `firelab server`: webhooks, API, scheduling; agents connect to it. */
export async function startServerPart(
  config: Readonly<ServerConfig>,
  log: Logger,
): Promise<FirelabServer> {
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
  await checkGitlab(gitlab, config.gitlab.projects, log).catch(
    async (error: unknown) => {
      await store.close();
      throw error;
    },
  );
  const [host, port] = config.server.listen.split(':');
  const tls = config.server.tls;
  return startServer({
    store,
    gitlab,
    settings: settingsFrom(config),
    insights: insightsFrom(config),
    projects: config.gitlab.projects,
    webhookSecret: config.gitlab.webhookSecret,
    adminToken: config.server.adminToken,
    metricsToken: config.server.metricsToken,
    listen: { host: host!, port: Number(port) },
    tls: tls && {
      cert: readPem(tls.cert, 'server.tls.cert'),
      key: readPem(tls.key, 'server.tls.key'),
    },
    reconcileIntervalMs: config.jobs.reconcileIntervalSeconds * 1000,
    log: log.child({ part: 'server' }),
  });
}

/** An agent on its own host, connected to a server over the network. */
export interface RemoteAgent {
  agent: Agent;
  connection: ServerConnection;
  image: ImageArtifacts;
  close(drainMs?: number): Promise<void>;
}

/**
 * `firelab agent run`: prepares the host, then dials the server. The
 * first start spends the enrolment token for a credential, kept in the
 * state folder (mode 0600) for every later start.
 */
export async function startRemoteAgent(
  config: Readonly<AgentConfig>,
  log: Logger,
): Promise<RemoteAgent> {
  const { agent, image } = await prepareAgent(config, log);
  const credentialPath = join(config.agent.stateDir, 'agent-credential');
  const credential = await readFile(credentialPath, 'utf8').then(
    (text) => text.trim() || undefined,
    () => undefined,
  );
  if (!credential && !config.agent.enrolmentToken) {
    throw new UserError(
      `this agent has no credential yet (${credentialPath}): start it once with an enrolment token (FIRELAB_ENROLMENT_TOKEN; create one with \`firelab agent token\` on the server)`,
    );
  }
  const { url, ca } = config.agent.server;
  const connection = new ServerConnection({
    url,
    ca: ca && readPem(ca, 'agent.server.ca'),
    credential,
    enrolmentToken: config.agent.enrolmentToken,
    saveCredential: async (secret) => {
      await mkdir(dirname(credentialPath), { recursive: true });
      await writeFile(credentialPath, `${secret}\n`, { mode: 0o600 });
      await chmod(credentialPath, 0o600);
    },
    log: log.child({ part: 'connection' }),
  });
  let connected: Promise<void> = Promise.resolve();
  await agent.start((link) => {
    connected = connection.connect(link);
    return connection;
  });
  log.info({ url }, 'connecting to the server');
  await connected.catch(async (error: unknown) => {
    await agent.stopAll();
    const hint = credential
      ? ` (if this host's credential is stale, run \`firelab agent forget ${config.agent.name}\` on the server, delete ${credentialPath} and enrol again)`
      : '';
    throw new UserError(`${errorMessage(error)}${hint}`);
  });
  return {
    agent,
    connection,
    image,
    async close(drainMs = 0) {
      await drainAgent(agent, drainMs);
      // Give the server a moment to acknowledge the last exits.
      const until = Date.now() + 5_000;
      while (connection.unacknowledged > 0 && Date.now() < until)
        await sleep(100);
      connection.close();
    },
  };
}

/** Builds (or finds) the image, picks the hypervisor, makes the agent. */
async function prepareAgent(
  config: Readonly<Config>,
  log: Logger,
): Promise<{ agent: Agent; image: ImageArtifacts }> {
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
  const agent = new Agent({
    id: config.agent.name,
    info: {
      hostname: hostname(),
      arch,
      vcpus: config.agent.vcpus ?? cpus().length,
      memoryMiB:
        config.agent.memoryMiB ?? Math.floor((totalmem() / 2 ** 20) * 0.8),
    },
    driver,
    images: { [arch]: bootImage },
    stateDir: config.agent.stateDir,
    logDir: join(config.agent.stateDir, 'logs'),
    egress: await natEgress(config.agent.egress, log),
    log: log.child({ part: 'agent' }),
  });
  return { agent, image };
}

/** Egress `nat` from the config, or undefined for `gitlab-only`. */
async function natEgress(
  egress: Config['agent']['egress'],
  log: Logger,
): Promise<NatEgress | undefined> {
  if (egress.mode !== 'nat') return undefined;
  const nameservers =
    egress.nameservers ??
    usableResolvers(await readFile('/etc/resolv.conf', 'utf8').catch(() => ''));
  if (nameservers.length === 0) {
    log.warn(
      'guests get no DNS resolver: the host has none they can reach; set agent.egress.nameservers',
    );
  }
  try {
    return new NatEgress({ ...egress, nameservers });
  } catch (error) {
    throw new UserError(errorMessage(error));
  }
}

/** Lets running VMs finish for up to `drainMs`, then stops the rest. */
async function drainAgent(agent: Agent, drainMs: number): Promise<void> {
  const until = Date.now() + drainMs;
  while (agent.running > 0 && Date.now() < until) await sleep(200);
  await agent.stopAll();
  while (agent.running > 0) await sleep(100);
}

function settingsFrom(config: Readonly<ServerConfig>): ControllerSettings {
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
      ...(jobs.maxPerGroup ? { maxPerGroup: jobs.maxPerGroup } : {}),
    },
    idleTimeoutMs: jobs.idleTimeoutSeconds * 1000,
    bootTimeoutMs: jobs.bootTimeoutSeconds * 1000,
    jobTimeoutSeconds: jobs.jobTimeoutSeconds,
    maxAttempts: jobs.maxAttempts,
    retryLostJobs: jobs.retryLostJobs,
    runnerBackoff: { baseMs: 5_000, maxMs: 300_000 },
    agentLostAfterMs: config.server.agentLostAfterSeconds * 1000,
    gitlabUrl: config.gitlab.url,
  };
}

function insightsFrom(config: Readonly<ServerConfig>): InsightsSettings {
  const { currency, hostMonthlyCost, hostMonthlyCostByAgent } = config.insights;
  // The schema makes sure a currency is named whenever a cost is.
  return {
    hostCosts:
      currency === undefined
        ? null
        : {
            currency,
            defaultMonthly: hostMonthlyCost,
            monthlyByAgent: hostMonthlyCostByAgent,
          },
  };
}

function readPem(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UserError(
      `${option}: cannot read ${path}: ${(error as Error).message}`,
    );
  }
}

function localArch(): Arch {
  return hostArch() === 'arm64' ? 'arm64' : 'x86_64';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
