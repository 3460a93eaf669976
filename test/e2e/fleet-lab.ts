import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startDemoGitlab } from '../../src/demo/demo-gitlab.js';
import type { GitlabSim } from '../../src/gitlab-sim/index.js';
import type { Project } from '../../src/gitlab-sim/types.js';
import { silentLogger } from '../../src/lib/logger.js';
import { run } from '../../src/lib/process.js';
import type { VmRecord } from '../../src/store/index.js';
import { pushCi } from '../../src/server/testing/harness.js';
import { eventually, IMAGE_CACHE } from './lab.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/**
 * A fleet made of real processes, as an operator runs it: `firelab
 * server` and several `firelab agent run` on this host (each agent with
 * its own state folder, booting real QEMU VMs), the GitLab stand-in, and
 * a database (PostgreSQL when the test setup started one, else a shared
 * database file). Processes can be killed with any signal and started
 * again; every process's log is kept in the lab folder.
 */
export interface FleetLab {
  sim: GitlabSim;
  project: Project;
  dir: string;
  serverUrl: string;
  startServer(): Promise<Service>;
  /** Starts (or restarts) agent `name`; enrols it on its first start. */
  startAgent(name: string): Promise<Service>;
  push(ci: string): Promise<number>;
  vms(): Promise<VmRecord[]>;
  /** Namespaces and VM folders left by any agent (must end empty). */
  leftovers(): Promise<string[]>;
  close(): Promise<void>;
}

export interface Service {
  process: ChildProcess;
  /** What the process has logged so far (the first MB). */
  logs(): string;
  /** SIGKILL to the process alone (its VMs live on as orphans), or to its group. */
  kill(options?: { group?: boolean }): Promise<void>;
  stop(): Promise<number | null>;
}

/** `database`: PostgreSQL's URL, or undefined for a file in the lab. */
export async function startFleetLab(
  database: { postgres: string } | undefined,
): Promise<FleetLab> {
  const dir = await mkdtemp(join(tmpdir(), 'firelab-fleet-'));
  const sim = await startDemoGitlab(join(dir, 'gitlab'), silentLogger());
  const { user, token } = sim.admin.createUser({ username: 'fleet' });
  const project = await sim.admin.createProject({
    namespace: 'fleet',
    name: 'app',
    members: [user],
  });
  const port = await freePort();
  const serverUrl = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(16).toString('hex');
  const serverConfig = join(dir, 'server.yaml');
  await writeFile(
    serverConfig,
    stringify({
      gitlab: {
        url: sim.url,
        token,
        webhookSecret: 'fleet-hook',
        projects: [project.id],
      },
      server: {
        listen: `127.0.0.1:${port}`,
        adminToken,
        agentLostAfterSeconds: 10,
      },
      database: database ?? { embedded: join(dir, 'firelab.db') },
      jobs: {
        defaultVcpus: 1,
        defaultMemoryMiB: 384,
        cpuOvercommit: 4,
        idleTimeoutSeconds: 120,
        bootTimeoutSeconds: 120,
        reconcileIntervalSeconds: 2,
      },
      log: { level: 'debug' },
    }),
  );
  sim.admin.addHook(project, {
    url: `${serverUrl}/webhooks/gitlab`,
    token: 'fleet-hook',
    jobEvents: true,
  });
  const services = new Set<Service>();
  let logCount = 0;

  const start = async (
    name: string,
    args: string[],
    ready: string,
    env: NodeJS.ProcessEnv = {},
  ): Promise<Service> => {
    const logPath = join(dir, `${++logCount}-${name}.log`);
    const child = spawn(process.execPath, [...CLI, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
      env: { ...process.env, ...env },
    });
    const file = createWriteStream(logPath);
    let logs = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      file.write(chunk);
      if (logs.length < 1_000_000) logs += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    let gone = false;
    void exited.then(() => (gone = true));
    await eventually(() => {
      if (gone) throw new Error(`${args.join(' ')} exited:\n${logs}`);
      return logs.includes(ready);
    }, `${name} to start`);
    const service: Service = {
      process: child,
      logs: () => logs,
      async kill(options = {}) {
        try {
          process.kill(options.group ? -child.pid! : child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
        await exited;
        services.delete(service);
      },
      async stop() {
        child.kill('SIGTERM');
        const code = await exited;
        services.delete(service);
        return code;
      },
    };
    services.add(service);
    return service;
  };

  const enrolled = new Set<string>();
  const lab: FleetLab = {
    sim,
    project,
    dir,
    serverUrl,
    startServer: () =>
      start(
        'server',
        ['server', '--config', serverConfig],
        'firelab server is up',
      ),
    async startAgent(name) {
      const stateDir = join(dir, 'agents', name);
      await mkdir(stateDir, { recursive: true });
      const configPath = join(dir, `agent-${name}.yaml`);
      await writeFile(
        configPath,
        stringify({
          agent: {
            name,
            stateDir,
            hypervisor: 'qemu',
            acceleration: 'tcg',
            memoryMiB: 2048,
            vcpus: 2,
            server: { url: serverUrl },
          },
          image: { profile: 'test', cacheDir: IMAGE_CACHE },
          log: { level: 'debug' },
        }),
      );
      const env: NodeJS.ProcessEnv = {};
      if (!enrolled.has(name)) {
        const { stdout } = await run(process.execPath, [
          ...CLI,
          'agent',
          'token',
          '--config',
          serverConfig,
        ]);
        env.FIRELAB_ENROLMENT_TOKEN = stdout.trim();
        enrolled.add(name);
      }
      return start(
        name,
        ['agent', 'run', '--config', configPath],
        'firelab agent is up',
        env,
      );
    },
    push: (ci) => pushCi(sim, project, ci),
    async vms() {
      const response = await fetch(`${serverUrl}/api/v1/vms`, {
        headers: { authorization: `Bearer ${adminToken}` },
      });
      if (!response.ok) throw new Error(`GET /vms: ${response.status}`);
      return (await response.json()) as VmRecord[];
    },
    async leftovers() {
      const { stdout } = await run('ip', ['netns', 'list']);
      const namespaces = stdout
        .split('\n')
        .map((line) => line.split(' ')[0]!)
        .filter((name) => name.startsWith('fl-'));
      const folders: string[] = [];
      for (const agent of await readdir(join(dir, 'agents')).catch(() => [])) {
        for (const vm of await readdir(join(dir, 'agents', agent, 'vms')).catch(
          () => [],
        ))
          folders.push(`${agent}/vms/${vm}`);
      }
      return [...namespaces, ...folders];
    },
    async close() {
      for (const service of [...services]) await service.kill({ group: true });
      await sim.close();
      if (process.env.FIRELAB_TEST_KEEP) return;
      await rm(dir, { recursive: true, force: true });
    },
  };
  return lab;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
