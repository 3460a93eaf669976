import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFirelab } from '../../src/cli/compose.js';
import type { Firelab } from '../../src/cli/compose.js';
import { parseConfig } from '../../src/config/load.js';
import { startDemoGitlab } from '../../src/demo/demo-gitlab.js';
import type { GitlabSim } from '../../src/gitlab-sim/index.js';
import type { Project } from '../../src/gitlab-sim/types.js';
import { createLogger } from '../../src/lib/logger.js';
import { run } from '../../src/lib/process.js';
import {
  eventually as eventuallyWithin,
  pushCi,
} from '../../src/server/testing/harness.js';

export const IMAGE_CACHE =
  process.env.FIRELAB_TEST_IMAGE_CACHE ?? '/var/cache/firelab-test/images';

/**
 * Why real-VM tests cannot run here, or false when they can. They need
 * root (namespaces, taps), QEMU, nftables and socat.
 */
export async function cannotBootVms(): Promise<string | false> {
  if (process.getuid?.() !== 0) return 'needs root for network namespaces';
  for (const tool of [
    'qemu-system-x86_64',
    'ip',
    'nft',
    'socat',
    'mmdebstrap',
  ]) {
    const found = await run('sh', ['-c', `command -v ${tool}`], {
      okCodes: [0, 1, 127],
    });
    if (found.code !== 0)
      return `${tool} is not installed (run scripts/setup.sh)`;
  }
  return false;
}

/** The GitLab stand-in plus a real firelab (server, agent, QEMU VMs). */
export interface Lab {
  sim: GitlabSim;
  firelab: Firelab;
  project: Project;
  dir: string;
  push(ci: string): Promise<number>;
  close(): Promise<void>;
}

export async function startLab(
  options: {
    hooks?: boolean;
    reconcileSeconds?: number;
    /** `agent.egress` of the lab's agent (default: GitLab only). */
    egress?: Record<string, unknown>;
  } = {},
): Promise<Lab> {
  const dir = await mkdtemp(join(tmpdir(), 'firelab-e2e-'));
  const log = createLogger({
    level: 'debug',
    destination: createWriteStream(join(dir, 'firelab.log')),
  });
  const sim = await startDemoGitlab(join(dir, 'gitlab'), log);
  const { user, token } = sim.admin.createUser({ username: 'e2e' });
  const project = await sim.admin.createProject({
    namespace: 'e2e',
    name: 'app',
    members: [user],
  });
  const secret = randomBytes(8).toString('hex');
  const config = parseConfig(
    {
      gitlab: {
        url: sim.url,
        token,
        webhookSecret: secret,
        projects: [project.id],
      },
      server: {
        listen: '127.0.0.1:0',
        adminToken: randomBytes(16).toString('hex'),
      },
      database: { embedded: join(dir, 'firelab.db') },
      agent: {
        name: 'e2e',
        stateDir: join(dir, 'agent'),
        memoryMiB: 4096,
        ...(options.egress ? { egress: options.egress } : {}),
      },
      image: { profile: 'test', cacheDir: IMAGE_CACHE },
      jobs: {
        defaultVcpus: 1,
        defaultMemoryMiB: 384,
        cpuOvercommit: 4,
        idleTimeoutSeconds: 120,
        bootTimeoutSeconds: 120,
        jobTimeoutSeconds: 300,
        reconcileIntervalSeconds: options.reconcileSeconds ?? 30,
      },
    },
    'up',
    {},
  );
  const firelab = await startFirelab(config, log);
  if (options.hooks !== false) {
    sim.admin.addHook(project, {
      url: `${firelab.server.url}/webhooks/gitlab`,
      token: secret,
      jobEvents: true,
    });
  }
  return {
    sim,
    firelab,
    project,
    dir,
    push: (ci) => pushCi(sim, project, ci),
    async close() {
      await firelab.close();
      await sim.close();
      // FIRELAB_TEST_KEEP=1 keeps the lab's folder (log, database).
      if (process.env.FIRELAB_TEST_KEEP) return;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Namespaces and VM folders firelab left behind (must be none). */
export async function leftovers(lab: Lab): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  const namespaces = stdout
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name.startsWith('fl-'));
  const vmDirs = await readdir(join(lab.dir, 'agent', 'vms')).catch(() => []);
  return [...namespaces, ...vmDirs.map((d) => `vms/${d}`)];
}

/** `eventually` with a patience fit for real VMs under emulation. */
export function eventually<T>(
  check: () => Promise<T> | T,
  what: string,
  ms = 180_000,
): Promise<NonNullable<T>> {
  return eventuallyWithin(check, what, ms);
}
