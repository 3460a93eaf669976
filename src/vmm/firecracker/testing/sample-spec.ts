import type { VmSpec } from '../../driver.js';

/** A complete VmSpec for pure tests; `overrides` replace whole fields. */
export function sampleSpec(overrides: Partial<VmSpec> = {}): VmSpec {
  return {
    id: 'vm1',
    arch: 'x86_64',
    vcpus: 2,
    memoryMiB: 1024,
    kernelPath: '/images/vmlinux',
    initrdPath: '/images/initrd.cpio',
    rootImagePath: '/images/rootfs.ext4',
    bootArgs: ['init=/sbin/firelab-init'],
    network: {
      netns: 'fl-vm1',
      tap: 'tap0',
      mac: '06:00:0a:00:00:02',
      guestIp: '10.0.0.2',
      gatewayIp: '10.0.0.1',
      prefixLength: 30,
    },
    metadata: { firelab: { vm_id: 'vm1', runner_token: 'glrt-x' } },
    workDir: '/work/vm1',
    consolePath: '/work/vm1/console.log',
    deadlineAt: Date.now() + 60_000,
    ...overrides,
  };
}
