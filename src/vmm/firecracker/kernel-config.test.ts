import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelConfigFragment, renderKernelConfig } from './kernel-config.js';

const names = (arch: 'x86_64' | 'arm64') =>
  new Set(
    kernelConfigFragment(arch)
      .filter((o) => o.value === 'y')
      .map((o) => o.name),
  );

const REQUIRED = [
  'VIRTIO_MMIO',
  'VIRTIO_BLK',
  'VIRTIO_NET',
  'EXT4_FS',
  'OVERLAY_FS',
  'VETH',
  'BRIDGE',
  'NF_NAT',
  'IP_NF_NAT',
  'NFT_MASQ',
  'NETFILTER_XT_MARK',
  'CGROUP_PIDS',
  'MEMCG',
  'USER_NS',
  'NET_NS',
  'VIRTIO_VSOCKETS',
  'SECCOMP_FILTER',
  'SERIAL_8250_CONSOLE',
];

for (const arch of ['x86_64', 'arm64'] as const) {
  test(`${arch}: what Firecracker and Docker need is on`, () => {
    const on = names(arch);
    for (const name of REQUIRED) assert.ok(on.has(name), name);
  });
}

test('x86_64 boots with command-line virtio-mmio devices and i8042', () => {
  const on = names('x86_64');
  for (const name of [
    'VIRTIO_MMIO_CMDLINE_DEVICES',
    'SERIO_I8042',
    'KEYBOARD_ATKBD',
    'KVM_GUEST',
  ]) {
    assert.ok(on.has(name), name);
  }
  assert.ok(!on.has('ARM_AMBA'));
});

test('arm64 takes devices from the FDT and has no x86 pieces', () => {
  const on = names('arm64');
  for (const name of ['ARM_AMBA', 'RTC_DRV_PL031', 'SERIAL_OF_PLATFORM']) {
    assert.ok(on.has(name), name);
  }
  for (const name of [
    'KVM_GUEST',
    'SERIO_I8042',
    'VIRTIO_MMIO_CMDLINE_DEVICES',
  ]) {
    assert.ok(!on.has(name), name);
  }
});

test('modules are off, each option appears once, each has a reason', () => {
  for (const arch of ['x86_64', 'arm64'] as const) {
    const options = kernelConfigFragment(arch);
    const all = options.map((o) => o.name);
    assert.equal(new Set(all).size, all.length, 'no duplicates');
    assert.ok(options.every((o) => o.why.length > 0));
    assert.ok(options.some((o) => o.name === 'MODULES' && o.value === 'n'));
  }
});

test('renders Kconfig lines', () => {
  const text = renderKernelConfig([
    { name: 'A', value: 'y', why: 'x' },
    { name: 'B', value: 'n', why: 'y' },
  ]);
  assert.equal(text, 'CONFIG_A=y\n# CONFIG_B is not set\n');
});
