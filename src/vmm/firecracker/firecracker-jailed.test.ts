import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  access,
  chmod,
  mkdir,
  mkdtemp,
  readFile,
  rm,
  rmdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { driverContract } from '../contract/driver-contract.js';
import type {
  ContractPurpose,
  ContractVm,
} from '../contract/driver-contract.js';
import type { VmDriver, VmSpec } from '../driver.js';
import { findCgroupRoot } from './cgroup-mount.js';
import { createFirecrackerDriver } from './create-firecracker-driver.js';
import type { FirecrackerDriverOptions } from './create-firecracker-driver.js';
import { behaviourFile } from './testing/fake-behaviour.js';
import type { FakeBehaviour } from './testing/fake-behaviour.js';
import {
  writeFakeFirecrackerBin,
  writeFakeJailerBin,
} from './testing/fake-bin.js';
import { recordedCalls } from './testing/recorded-calls.js';
import { sampleSpec } from './testing/sample-spec.js';

// The Firecracker driver in jailer mode, against the fake jailer: it does
// the jailer's own work (the chroot folder, a copy of the binary, the
// cgroup v2, joining the netns handle, dropping to the VM's uid:gid) and
// execs the strict fake Firecracker in its place. No namespace is made
// here: each VM's handle is a symlink to /proc/self/ns/net, so the jailer
// joins the namespace it is already in. The jailer needs root.
const SECRET = 'glrt-SENTINEL-jailed-token-5150';
const PARENT = `firelab-test-${randomBytes(4).toString('hex')}`;
const skipReason =
  process.getuid?.() === 0 ? undefined : 'the jailer needs root';
let base: string;
let fakeDir: string;
let places: { chrootBase: string; netnsDir: string; cgroupRoot: string };
let bins: { firecrackerBin: string; jailerBin: string };
let kernel: string;
let rootfs: string;

before(async () => {
  if (skipReason) return;
  base = await mkdtemp(join(tmpdir(), 'fl-fc-jailed-'));
  // Jails live below: the VM's uid must be able to walk down to them.
  await chmod(base, 0o755);
  fakeDir = join(base, 'fake');
  await mkdir(fakeDir);
  bins = {
    firecrackerBin: await writeFakeFirecrackerBin(fakeDir),
    jailerBin: await writeFakeJailerBin(fakeDir),
  };
  places = {
    chrootBase: join(base, 'jailer'),
    netnsDir: join(base, 'netns'),
    cgroupRoot: await findCgroupRoot(),
  };
  await mkdir(places.chrootBase);
  await mkdir(places.netnsDir);
  kernel = join(base, 'vmlinux');
  rootfs = join(base, 'rootfs.ext4');
  await writeFile(kernel, 'not really a kernel');
  await writeFile(rootfs, Buffer.alloc(1024 * 1024));
});
after(async () => {
  if (skipReason) return;
  await rm(base, { recursive: true, force: true });
  await rmdir(join(places.cgroupRoot, PARENT)).catch(() => undefined);
});

const BEHAVIOURS: Record<ContractPurpose, Partial<FakeBehaviour>> = {
  runs: { readMetadataKey: '/firelab/vm_id', guestRunMs: 1_500 },
  'stays-up': { mode: 'hang' },
  'cannot-boot': { mode: 'die-early' },
};

function makeDriver(extra: Partial<FirecrackerDriverOptions> = {}): VmDriver {
  return createFirecrackerDriver({
    log: silentLogger(),
    ...bins,
    jailer: true,
    chrootBase: places.chrootBase,
    netnsDir: places.netnsDir,
    parentCgroup: PARENT,
    ...extra,
  });
}

const jailDir = (id: string) => join(places.chrootBase, 'firecracker', id);
const cgroupDir = (id: string) => join(places.cgroupRoot, PARENT, id);
const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** The jail folder and cgroup of a VM, where they still exist. */
async function leftovers(spec: VmSpec): Promise<string[]> {
  const paths = [jailDir(spec.id), cgroupDir(spec.id)];
  const found = await Promise.all(paths.map(exists));
  return paths.filter((_, i) => found[i]);
}

async function makeVm(
  behaviour: Partial<FakeBehaviour>,
  overrides: Partial<VmSpec> = {},
): Promise<ContractVm> {
  const id = `j${randomBytes(4).toString('hex')}`;
  const workDir = join(base, id);
  const netns = `fl-${id}`;
  const handle = join(places.netnsDir, netns);
  await writeFile(behaviourFile(fakeDir, id), JSON.stringify(behaviour));
  await symlink('/proc/self/ns/net', handle);
  const spec = sampleSpec({
    id,
    kernelPath: kernel,
    initrdPath: undefined,
    rootImagePath: rootfs,
    workDir,
    consolePath: join(workDir, 'console.log'),
    metadata: { firelab: { vm_id: id, runner_token: SECRET } },
    deadlineAt: Date.now() + 60_000,
    network: { ...sampleSpec().network, netns },
    ...overrides,
  });
  return { spec, release: () => rm(handle, { force: true }) };
}

driverContract(
  'firecracker (fake, jailed)',
  async () => makeDriver(),
  (purpose) => makeVm(BEHAVIOURS[purpose]),
  {
    skipReason: async () => skipReason,
    bootLine: /Linux version/,
    metadataLine: (spec) => `firelab-guest: vm ${spec.id} metadata ok`,
    secret: SECRET,
    keptFiles: ['firecracker.log', 'firecracker-metrics.json'],
    consoleTimeoutMs: 15_000,
    deadlineMs: 2_500,
    leftovers,
  },
);

interface JailerRecord {
  args: { netns: string; cgroups: { file: string; value: string }[] };
  jail: { root: string; staged: string[] };
  cgroup: { dir?: string; written: object; notWritten: object };
  pid: number;
}

describe('jailed Firecracker driver', { skip: skipReason }, () => {
  test('boots with paths inside the jail, as its own uid, in its cgroup', async () => {
    const vm = await makeVm({ guestRunMs: 2_000 });
    const { id } = vm.spec;
    const handle = await makeDriver({ uidBase: 930_000 }).boot(vm.spec);

    const status = await readFile(`/proc/${handle.pid}/status`, 'utf8');
    assert.match(status, /^Uid:\t930000\t930000\t/m);
    assert.match(status, /^Gid:\t930000\t930000\t/m);
    const cgroups = await readFile(`/proc/${handle.pid}/cgroup`, 'utf8');
    assert.match(cgroups, new RegExp(`^0::/${PARENT}/${id}$`, 'm'));
    const socket = join(jailDir(id), 'root', 'run', 'firecracker.socket');
    assert.ok(await exists(socket), 'API socket inside the chroot');
    const pidFile = join(jailDir(id), 'root', 'firecracker.pid');
    assert.equal(await readFile(pidFile, 'utf8'), String(handle.pid));

    const exit = await handle.exited;
    await vm.release();
    assert.equal(exit.kind, 'guest-exit', exit.detail);
    assert.deepEqual(await leftovers(vm.spec), []);

    const record = JSON.parse(
      await readFile(join(fakeDir, `${id}.jailer.json`), 'utf8'),
    ) as JailerRecord;
    assert.equal(record.pid, handle.pid);
    assert.equal(record.args.netns, join(places.netnsDir, `fl-${id}`));
    assert.deepEqual(record.jail.staged, ['/rootfs.ext4', '/vmlinux']);
    assert.equal(record.cgroup.dir, cgroupDir(id));
    const limits = { ...record.cgroup.written, ...record.cgroup.notWritten };
    assert.deepEqual(limits, {
      'memory.max': String((1024 + 64) * 1024 * 1024),
      'cpu.max': '200000 100000',
      'pids.max': '64',
    });

    const calls = await recordedCalls(fakeDir, id);
    assert.ok(
      calls.every((c) => c.status < 300),
      JSON.stringify(calls),
    );
    const body = (path: string) => calls.find((c) => c.path === path)?.body;
    assert.deepEqual(body('/boot-source'), {
      kernel_image_path: '/vmlinux',
      boot_args: (body('/boot-source') as { boot_args: string }).boot_args,
    });
    assert.equal(
      (body('/drives/rootfs') as { path_on_host: string }).path_on_host,
      '/rootfs.ext4',
    );
    const log = await readFile(
      join(vm.spec.workDir, 'firecracker.log'),
      'utf8',
    );
    assert.match(log, /request on "\/boot-source" with body/);
  });

  test('a refused InstanceStart removes the jail and the cgroup', async () => {
    const vm = await makeVm({ mode: 'fail-start' });
    await assert.rejects(makeDriver().boot(vm.spec), /Failed to start/);
    await vm.release();
    assert.deepEqual(await leftovers(vm.spec), []);
  });

  test('a leftover jail of the same id fails the boot, untouched', async () => {
    const vm = await makeVm({});
    const stale = join(jailDir(vm.spec.id), 'root');
    await mkdir(stale, { recursive: true });
    await assert.rejects(makeDriver().boot(vm.spec), /stale jail/);
    await vm.release();
    assert.ok(await exists(stale));
    await rm(jailDir(vm.spec.id), { recursive: true });
  });

  test('cleanupStale kills what a killed agent left, jail and cgroup too', async () => {
    const vm = await makeVm({ mode: 'hang' });
    const left = await makeDriver().boot(vm.spec);
    assert.ok(await exists(cgroupDir(vm.spec.id)));

    // A new agent's driver knows nothing of that VM: all of it is stale.
    const removed = await makeDriver().cleanupStale?.();

    assert.deepEqual(removed, [vm.spec.id]);
    const exit = await left.exited;
    assert.equal(exit.kind, 'crashed', exit.detail);
    assert.match(exit.detail, /SIGKILL/);
    await vm.release();
    assert.deepEqual(await leftovers(vm.spec), []);
    assert.deepEqual(await makeDriver().cleanupStale?.(), []);
  });

  test('unjailed, the driver has nothing of its own to sweep', async () => {
    const driver = makeDriver({ jailer: false });
    assert.deepEqual(await driver.cleanupStale?.(), []);
  });
});
