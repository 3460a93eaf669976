import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Agent } from '../../src/agent/agent.js';
import { silentLogger } from '../../src/lib/logger.js';
import { eventually, startHarness } from '../../src/server/testing/harness.js';
import { createFirecrackerDriver } from '../../src/vmm/firecracker/create-firecracker-driver.js';
import { writeFakeFirecrackerBin } from '../../src/vmm/firecracker/testing/fake-bin.js';

// The agent runs a job through the Firecracker driver exactly as through
// QEMU, with the strict fake in Firecracker's place: the fake runs in the
// VM's network namespace and its simulated guest reads the runner token
// from MMDS and takes a job from the GitLab stand-in through the relay.
const skip =
  process.getuid?.() === 0 ? false : 'needs root for network namespaces';

test(
  'a job runs through the Firecracker driver (strict fake)',
  { skip, timeout: 120_000 },
  async () => {
    const base = await mkdtemp(join(tmpdir(), 'fl-fc-agent-'));
    const fakeDir = join(base, 'fake');
    await mkdir(fakeDir);
    const firecrackerBin = await writeFakeFirecrackerBin(fakeDir);
    await writeFile(
      join(fakeDir, 'default.json'),
      JSON.stringify({ mode: 'runner' }),
    );
    const kernel = join(base, 'vmlinux');
    const rootfs = join(base, 'rootfs.ext4');
    await writeFile(kernel, 'not really a kernel');
    await writeFile(rootfs, Buffer.alloc(1024 * 1024));

    const h = await startHarness({ fakeAgent: false });
    const log = silentLogger();
    const agent = new Agent({
      id: 'fc-host',
      info: { hostname: 'fc-host', arch: 'x86_64', vcpus: 4, memoryMiB: 4096 },
      driver: createFirecrackerDriver({ log, firecrackerBin, jailer: false }),
      images: {
        x86_64: {
          id: 'fake',
          kernelPath: kernel,
          initrdPath: kernel,
          rootfsPath: rootfs,
          profile: 'test',
          arch: 'x86_64',
          bootArgs: [],
        },
      },
      stateDir: join(base, 'state'),
      logDir: join(base, 'logs'),
      log,
    });
    try {
      await agent.start((link) => h.server.attachAgent(link));
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      const job = h.sim.admin.jobs({ pipelineId })[0]!;
      await eventually(
        () => h.sim.admin.job(job.id)?.status === 'success',
        'the job',
        60_000,
      );
      await eventually(
        () => h.sim.admin.runners().length === 0,
        'runner deleted',
        30_000,
      );
      const [vm] = await h.store.vms.listVms();
      await eventually(
        async () => (await h.store.vms.getVm(vm!.id))?.state === 'ended',
        'VM end',
      );
      const ended = (await h.store.vms.getVm(vm!.id))!;
      assert.equal(ended.tookJobId, job.id);
      assert.equal(ended.exitKind, 'guest-exit');
      const console = await readFile(ended.consolePath!, 'utf8');
      assert.match(
        console,
        new RegExp(`firelab-guest: vm ${vm!.id} metadata ok`),
      );
      assert.match(console, new RegExp(`runner exited 0 \\(job ${job.id}\\)`));
      assert.doesNotMatch(
        console,
        /glrt-/,
        'the runner token is not on the console',
      );
      assert.equal(agent.running, 0);
    } finally {
      await h.close();
      await agent.stopAll();
      await rm(base, { recursive: true, force: true });
    }
  },
);
