import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { run } from '../../lib/process.js';
import { driverContract } from '../contract/driver-contract.js';
import type {
  ContractPurpose,
  ContractVm,
} from '../contract/driver-contract.js';
import type { VmDriver } from '../driver.js';
import { createFirecrackerDriver } from './create-firecracker-driver.js';
import { behaviourFile } from './testing/fake-behaviour.js';
import type { FakeBehaviour } from './testing/fake-behaviour.js';
import { writeFakeFirecrackerBin } from './testing/fake-bin.js';
import { isAction, recordedCalls } from './testing/recorded-calls.js';
import { sampleSpec } from './testing/sample-spec.js';

// The Firecracker driver against the strict fake, started as a process
// with Firecracker's flags. As root, each VM's fake runs inside a network
// namespace the test creates, as the real one would; otherwise the
// driver is told not to enter one. Jailer mode is in
// firecracker-jailed.test.ts.
const SECRET = 'glrt-SENTINEL-secret-token-4711';
const asRoot = process.getuid?.() === 0;
let base: string;
let fakeDir: string;
let firecrackerBin: string;
let kernel: string;
let rootfs: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'fl-fc-driver-'));
  fakeDir = join(base, 'fake');
  await mkdir(fakeDir);
  firecrackerBin = await writeFakeFirecrackerBin(fakeDir);
  kernel = join(base, 'vmlinux');
  rootfs = join(base, 'rootfs.ext4');
  await writeFile(kernel, 'not really a kernel');
  await writeFile(rootfs, Buffer.alloc(1024 * 1024));
});
after(() => rm(base, { recursive: true, force: true }));

const BEHAVIOURS: Record<ContractPurpose, Partial<FakeBehaviour>> = {
  runs: { readMetadataKey: '/firelab/vm_id', guestRunMs: 1_500 },
  'stays-up': { mode: 'hang' },
  'cannot-boot': { mode: 'die-early' },
};

function makeDriver(extra: { apiTimeoutMs?: number } = {}): VmDriver {
  return createFirecrackerDriver({
    log: silentLogger(),
    firecrackerBin,
    jailer: false,
    joinNetns: asRoot,
    ...extra,
  });
}

async function makeVm(
  behaviour: Partial<FakeBehaviour>,
  overrides: Parameters<typeof sampleSpec>[0] = {},
): Promise<ContractVm> {
  const id = `f${randomBytes(4).toString('hex')}`;
  const workDir = join(base, id);
  const netns = `fl-${id}`;
  await writeFile(behaviourFile(fakeDir, id), JSON.stringify(behaviour));
  if (asRoot) await run('ip', ['netns', 'add', netns]);
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
  return {
    spec,
    release: async () => {
      if (asRoot) await run('ip', ['netns', 'del', netns], { okCodes: [0, 1] });
    },
  };
}

driverContract(
  'firecracker (fake)',
  async () => makeDriver(),
  (purpose) => makeVm(BEHAVIOURS[purpose]),
  {
    bootLine: /Linux version/,
    metadataLine: (spec) => `firelab-guest: vm ${spec.id} metadata ok`,
    secret: SECRET,
    keptFiles: ['firecracker.log', 'firecracker-metrics.json'],
    consoleTimeoutMs: 10_000,
    deadlineMs: 1_500,
  },
);

test('the driver sends the boot plan in order, every call accepted', async () => {
  const vm = await makeVm({ guestRunMs: 300 });
  const exit = await (await makeDriver().boot(vm.spec)).exited;
  await vm.release();
  const calls = await recordedCalls(fakeDir, vm.spec.id);
  const paths = calls
    .filter((call) => call.method !== 'GET')
    .map((call) => `${call.method} ${call.path}`);
  assert.equal(exit.kind, 'guest-exit', exit.detail);
  assert.deepEqual(paths, [
    'PUT /logger',
    'PUT /metrics',
    'PUT /machine-config',
    'PUT /boot-source',
    'PUT /drives/rootfs',
    'PUT /network-interfaces/eth0',
    'PUT /mmds/config',
    'PUT /mmds',
    'PUT /entropy',
    'PUT /actions',
  ]);
  assert.ok(
    calls.every((call) => call.status < 300),
    JSON.stringify(calls),
  );
  const leaking = calls.filter((c) => JSON.stringify(c).includes(SECRET));
  assert.deepEqual(
    leaking.map((c) => c.path),
    ['/mmds'],
  );
  const log = await readFile(join(vm.spec.workDir, 'firecracker.log'), 'utf8');
  assert.match(log, /request on "\/boot-source" with body/);
});

test('a refused InstanceStart rejects boot and cleans up', async () => {
  const vm = await makeVm({ mode: 'fail-start' });
  await assert.rejects(makeDriver().boot(vm.spec), (error: Error) => {
    assert.match(error.message, /PUT \/actions answered 400: Failed to start/);
    return true;
  });
  await vm.release();
  const { readdir } = await import('node:fs/promises');
  const left = await readdir(vm.spec.workDir);
  assert.deepEqual(left.sort(), [
    'console.log',
    'firecracker-metrics.json',
    'firecracker.log',
  ]);
});

test('an API socket that never appears fails the boot in time', async () => {
  const vm = await makeVm({ socketDelayMs: 5_000 });
  const started = Date.now();
  await assert.rejects(
    makeDriver({ apiTimeoutMs: 1_500 }).boot(vm.spec),
    /API socket did not answer within 1500 ms/,
  );
  assert.ok(Date.now() - started < 4_000);
  await vm.release();
});

test('a guest kernel panic exits 0 but counts as crashed', async () => {
  const vm = await makeVm({ panic: true, guestRunMs: 300 });
  const exit = await (await makeDriver().boot(vm.spec)).exited;
  await vm.release();
  assert.equal(exit.kind, 'crashed');
  assert.equal(exit.code, 0);
  assert.match(exit.detail, /kernel panic/);
});

test('stop on x86_64 sends Ctrl+Alt+Del first', async () => {
  const vm = await makeVm({ guestRunMs: 60_000 });
  const handle = await makeDriver().boot(vm.spec);
  const exit = await handle.stop('stopped', 5_000);
  await vm.release();
  assert.equal(exit.kind, 'stopped');
  assert.equal(exit.code, 0, 'the guest rebooted rather than being killed');
  const calls = await recordedCalls(fakeDir, vm.spec.id);
  assert.ok(calls.some((c) => isAction(c, 'SendCtrlAltDel')));
});

test('stop on arm64 kills at once (no Ctrl+Alt+Del there)', async () => {
  const vm = await makeVm(
    { guestRunMs: 60_000, arch: 'aarch64' },
    { arch: 'arm64' },
  );
  const handle = await makeDriver().boot(vm.spec);
  const exit = await handle.stop('stopped', 5_000);
  await vm.release();
  assert.equal(exit.kind, 'stopped');
  assert.equal(exit.code, null, 'killed by a signal');
  const calls = await recordedCalls(fakeDir, vm.spec.id);
  assert.ok(!calls.some((c) => isAction(c, 'SendCtrlAltDel')));
});
