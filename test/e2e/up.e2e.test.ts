import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { startDemoGitlab } from '../../src/demo/demo-gitlab.js';
import { silentLogger } from '../../src/lib/logger.js';
import { run } from '../../src/lib/process.js';
import { cannotBootVms, eventually, IMAGE_CACHE } from './lab.js';

const skip = await cannotBootVms();
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

/** A GitLab stand-in and `firelab up` as a process, serving one project. */
async function startUp() {
  const dir = await mkdtemp(join(tmpdir(), 'firelab-up-'));
  const sim = await startDemoGitlab(join(dir, 'gitlab'), silentLogger());
  const { user, token } = sim.admin.createUser({ username: 'ops' });
  const project = await sim.admin.createProject({
    namespace: 'ops',
    name: 'svc',
    members: [user],
  });
  const port = await freePort();
  const configPath = join(dir, 'firelab.yaml');
  await writeFile(
    configPath,
    stringify({
      gitlab: {
        url: sim.url,
        token,
        webhookSecret: 'hook-secret',
        projects: [project.id],
      },
      server: {
        listen: `127.0.0.1:${port}`,
        adminToken: randomBytes(16).toString('hex'),
      },
      database: { embedded: join(dir, 'firelab.db') },
      agent: {
        name: 'up-test',
        stateDir: join(dir, 'state'),
        hypervisor: 'qemu',
        memoryMiB: 2048,
      },
      image: { profile: 'test', cacheDir: IMAGE_CACHE },
      jobs: {
        defaultVcpus: 1,
        defaultMemoryMiB: 384,
        cpuOvercommit: 4,
        reconcileIntervalSeconds: 2,
      },
      log: { level: 'info' },
    }),
  );
  const up = spawn(process.execPath, [...CLI, 'up', '--config', configPath], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let logs = '';
  up.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    up.on('exit', resolve),
  );
  await eventually(
    () => logs.includes('firelab is up'),
    'firelab up to start',
    180_000,
  ).catch(async (error: unknown) => {
    up.kill('SIGKILL');
    await sim.close();
    throw error;
  });
  sim.admin.addHook(project, {
    url: `http://127.0.0.1:${port}/webhooks/gitlab`,
    token: 'hook-secret',
    jobEvents: true,
  });
  return {
    sim,
    project,
    configPath,
    dir,
    up,
    exited,
    logs: () => logs,
    async push(ci: string) {
      const { pipeline } = await sim.admin.pushFiles(
        project,
        { '.gitlab-ci.yml': ci },
        'ci',
      );
      return sim.admin.jobs({ pipelineId: pipeline!.id })[0]!;
    },
    async close() {
      up.kill('SIGKILL');
      await sim.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

test(
  'firelab up serves a GitLab; logs shows trace and console; SIGTERM drains',
  { skip, timeout: 10 * 60_000 },
  async () => {
    const lab = await startUp();
    const { sim, configPath, dir, up, exited } = lab;
    try {
      const job = await lab.push(
        'hello: { tags: [firelab], script: ["echo hello-from-up"] }',
      );
      await eventually(
        () => sim.admin.job(job.id)?.status === 'success',
        'the job to succeed',
      );
      await eventually(
        () => sim.admin.runners().length === 0,
        'its runner to be deleted',
        60_000,
      );

      const printed = await run(
        process.execPath,
        [...CLI, 'logs', String(job.id), '--config', configPath],
        {
          cwd: process.cwd(),
          env: { HOME: dir },
        },
      );
      assert.match(printed.stdout, /hello-from-up/);
      assert.match(printed.stdout, /firelab-guest: /);
      assert.doesNotMatch(
        printed.stdout,
        /glrt-/,
        'no runner token in any log',
      );
      assert.doesNotMatch(
        lab.logs(),
        /glrt-/,
        'no runner token in the server log',
      );

      const unknown = await run(
        process.execPath,
        [...CLI, 'logs', '999999', '--config', configPath],
        { okCodes: [2] },
      );
      assert.match(unknown.stderr, /not known to firelab/);

      up.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(lab.logs(), /draining/);
    } finally {
      await lab.close();
    }
  },
);

test(
  'a second SIGTERM stops a running job: its VM cleaned up, runner deleted, job canceled and retried',
  { skip, timeout: 10 * 60_000 },
  async () => {
    const lab = await startUp();
    try {
      const job = await lab.push(
        'long: { tags: [firelab], script: [sleep 600] }',
      );
      await eventually(
        () => lab.sim.admin.job(job.id)?.status === 'running',
        'the job to run',
      );
      lab.up.kill('SIGTERM');
      await eventually(() => lab.logs().includes('draining'), 'draining');
      lab.up.kill('SIGTERM');
      assert.equal(await lab.exited, 130);

      assert.match(lab.logs(), /stopping VMs now/);
      assert.equal(lab.sim.admin.job(job.id)?.status, 'canceled');
      const retry = lab.sim.admin.jobs().find((j) => j.id !== job.id);
      assert.equal(retry?.status, 'pending', 'retried, for a later start');
      assert.deepEqual(lab.sim.admin.runners(), [], 'runner deleted');
      const { stdout } = await run('ip', ['netns', 'list']);
      assert.doesNotMatch(stdout, /^fl-/m, 'no VM namespace left');
      const relays = await run('pgrep', ['-f', join(lab.dir, 'state')], {
        okCodes: [0, 1],
      });
      assert.equal(relays.stdout.trim(), '', 'no relay or hypervisor left');
    } finally {
      await lab.close();
    }
  },
);

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
