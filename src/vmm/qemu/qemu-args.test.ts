import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VmSpec } from '../driver.js';
import { kernelCmdline, probeArgs, qemuArgs, qemuBinary } from './qemu-args.js';

const spec: VmSpec = {
  id: 'vm1',
  arch: 'x86_64',
  vcpus: 2,
  memoryMiB: 2048,
  kernelPath: '/img/vmlinuz',
  initrdPath: '/img/initrd.cpio',
  rootImagePath: '/img/rootfs.ext4',
  bootArgs: [],
  network: {
    netns: 'fl-vm1',
    tap: 'tap0',
    mac: '02:00:00:00:00:01',
    guestIp: '10.0.0.2',
    gatewayIp: '10.0.0.1',
    prefixLength: 30,
  },
  metadata: { firelab: { runner_token: 'glrt-secret' } },
  workDir: '/work/vm1',
  consolePath: '/work/vm1/console.log',
  deadlineAt: 0,
};
const paths = {
  overlay: '/work/vm1/disk.qcow2',
  qmpSocket: '/work/vm1/qmp.sock',
  pidFile: '/work/vm1/qemu.pid',
};

/** The value following `flag` each time it appears. */
function values(args: string[], flag: string): string[] {
  return args.flatMap((a, i) => (a === flag ? [args[i + 1] ?? ''] : []));
}

const cases: [string, Partial<VmSpec>, 'kvm' | 'tcg', string, string[]][] = [
  ['x86_64 tcg', {}, 'tcg', '-M', ['microvm']],
  ['x86_64 kvm cpu', {}, 'kvm', '-cpu', ['host']],
  ['tcg cpu', {}, 'tcg', '-cpu', ['max']],
  ['accel', {}, 'kvm', '-accel', ['kvm']],
  ['arm64 machine', { arch: 'arm64' }, 'tcg', '-M', ['virt']],
  ['smp', {}, 'tcg', '-smp', ['2']],
  ['memory', {}, 'tcg', '-m', ['2048M']],
  ['initrd', {}, 'tcg', '-initrd', ['/img/initrd.cpio']],
  ['no initrd', { initrdPath: undefined }, 'tcg', '-initrd', []],
  ['serial', {}, 'tcg', '-serial', ['file:/work/vm1/console.log']],
  ['qmp', {}, 'tcg', '-qmp', ['unix:/work/vm1/qmp.sock,server=on,wait=off']],
  ['pidfile', {}, 'tcg', '-pidfile', ['/work/vm1/qemu.pid']],
  [
    'disk',
    {},
    'tcg',
    '-drive',
    ['id=root,if=none,format=qcow2,file=/work/vm1/disk.qcow2'],
  ],
  [
    'tap',
    {},
    'tcg',
    '-netdev',
    ['tap,id=net0,ifname=tap0,script=no,downscript=no'],
  ],
  [
    'devices',
    {},
    'tcg',
    '-device',
    [
      'virtio-blk-device,drive=root',
      'virtio-net-device,netdev=net0,mac=02:00:00:00:00:01',
    ],
  ],
];

for (const [name, change, accel, flag, expected] of cases) {
  test(`qemuArgs: ${name}`, () => {
    const args = qemuArgs({ ...spec, ...change }, accel, paths);
    assert.deepEqual(values(args, flag), expected);
  });
}

test('qemuArgs: fixed flags and no secrets anywhere', () => {
  const args = qemuArgs(spec, 'tcg', paths);
  for (const flag of [
    '-nodefaults',
    '-no-user-config',
    '-nographic',
    '-no-reboot',
  ]) {
    assert.ok(args.includes(flag), flag);
  }
  assert.ok(!args.join(' ').includes('glrt-secret'));
});

test('qemuArgs: commas in paths are escaped for QEMU', () => {
  const args = qemuArgs(spec, 'tcg', { ...paths, overlay: '/a,b/disk.qcow2' });
  assert.match(values(args, '-drive')[0]!, /file=\/a,,b\/disk\.qcow2$/);
});

const cmdlines: [string, Partial<VmSpec>, string][] = [
  [
    'x86_64 defaults',
    {},
    'console=ttyS0 reboot=t panic=-1 root=/dev/vda rw firelab.ip=10.0.0.2/30 firelab.gw=10.0.0.1 init=/sbin/firelab-init',
  ],
  [
    'arm64 console, no reboot=t',
    { arch: 'arm64' },
    'console=ttyAMA0 panic=-1 root=/dev/vda rw firelab.ip=10.0.0.2/30 firelab.gw=10.0.0.1 init=/sbin/firelab-init',
  ],
  [
    'image init replaces the default',
    { bootArgs: ['init=/lib/systemd/systemd', 'net.ifnames=0'] },
    'console=ttyS0 reboot=t panic=-1 root=/dev/vda rw firelab.ip=10.0.0.2/30 firelab.gw=10.0.0.1 init=/lib/systemd/systemd net.ifnames=0',
  ],
];

for (const [name, change, expected] of cmdlines) {
  test(`kernelCmdline: ${name}`, () => {
    assert.equal(kernelCmdline({ ...spec, ...change }), expected);
  });
}

test('kernelCmdline: refuses arguments that would split', () => {
  assert.throws(() => kernelCmdline({ ...spec, bootArgs: ['a b'] }), /unsafe/);
  assert.throws(
    () => kernelCmdline({ ...spec, bootArgs: ['x="y"'] }),
    /unsafe/,
  );
});

test('probeArgs: boots the probe with the console on stdout', () => {
  const image = { arch: 'x86_64' as const, kernelPath: '/k', initrdPath: '/i' };
  const args = probeArgs(image, 'kvm', 'firelab.probe');
  assert.deepEqual(values(args, '-serial'), ['stdio']);
  assert.deepEqual(values(args, '-accel'), ['kvm']);
  assert.match(values(args, '-append')[0]!, /firelab\.probe$/);
});

test('qemuBinary per architecture', () => {
  assert.equal(qemuBinary('x86_64'), 'qemu-system-x86_64');
  assert.equal(qemuBinary('arm64'), 'qemu-system-aarch64');
});

test('kernelCmdline: TCG on x86_64 gets the host TSC rate', () => {
  const tuning = { tscKhz: 2596152 };
  assert.match(kernelCmdline(spec, 'tcg', tuning), / tsc_early_khz=2596152/);
  assert.doesNotMatch(kernelCmdline(spec, 'kvm', tuning), /tsc_early_khz/);
  const arm = { ...spec, arch: 'arm64' as const };
  assert.doesNotMatch(kernelCmdline(arm, 'tcg', tuning), /tsc_early_khz/);
  assert.doesNotMatch(kernelCmdline(spec, 'tcg'), /tsc_early_khz/);
});
