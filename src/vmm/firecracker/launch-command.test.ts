import assert from 'node:assert/strict';
import { test } from 'node:test';
import { launchCommand } from './launch-command.js';
import { sampleSpec } from './testing/sample-spec.js';
import { vmLayout } from './vm-layout.js';
import type { JailSettings } from './vm-layout.js';

const JAIL: JailSettings = {
  jailerBin: '/usr/bin/jailer',
  firecrackerBin: '/usr/bin/firecracker',
  chrootBase: '/srv/jailer',
  cgroupRoot: '/sys/fs/cgroup',
  parentCgroup: 'firelab',
  netnsDir: '/var/run/netns',
  uid: 900_007,
  gid: 900_007,
};
const spec = sampleSpec();

test('unjailed: everything in workDir, Firecracker in the namespace', () => {
  const layout = vmLayout(spec, {});
  assert.equal(layout.host.rootDisk, '/work/vm1/rootfs.ext4');
  assert.equal(layout.plan.rootDisk, '/work/vm1/rootfs.ext4');
  assert.equal(layout.plan.kernel, '/images/vmlinux');
  assert.equal(layout.jailDir, undefined);
  const command = launchCommand(spec, layout, {
    firecrackerBin: '/usr/bin/firecracker',
    joinNetns: true,
  });
  assert.deepEqual(command, {
    file: 'ip',
    args: [
      'netns',
      'exec',
      'fl-vm1',
      '/usr/bin/firecracker',
      '--api-sock',
      '/work/vm1/firecracker.sock',
      '--id',
      'vm1',
    ],
  });
});

test('jailed: paths inside the chroot, jailer in the foreground', () => {
  const layout = vmLayout(spec, { jail: JAIL, scratch: true });
  const root = '/srv/jailer/firecracker/vm1/root';
  assert.equal(layout.jailDir, '/srv/jailer/firecracker/vm1');
  assert.equal(layout.cgroupDir, '/sys/fs/cgroup/firelab/vm1');
  assert.equal(layout.host.apiSocket, `${root}/run/firecracker.socket`);
  assert.equal(layout.host.rootDisk, `${root}/rootfs.ext4`);
  assert.deepEqual(layout.plan, {
    kernel: '/vmlinux',
    initrd: '/initrd',
    rootDisk: '/rootfs.ext4',
    scratchDisk: '/scratch.img',
    logFile: '/firecracker.log',
    metricsFile: '/firecracker-metrics.json',
  });
  assert.equal(layout.keptLogs.log, '/work/vm1/firecracker.log');

  const { file, args } = launchCommand(spec, layout, {
    firecrackerBin: JAIL.firecrackerBin,
    jail: JAIL,
    joinNetns: true,
  });
  assert.equal(file, '/usr/bin/jailer');
  const flag = (name: string) => args[args.indexOf(name) + 1];
  assert.equal(flag('--uid'), '900007');
  assert.equal(flag('--netns'), '/var/run/netns/fl-vm1');
  assert.equal(flag('--parent-cgroup'), 'firelab');
  assert.equal(flag('--cgroup-version'), '2');
  assert.ok(args.includes(`memory.max=${(1024 + 64) * 1024 * 1024}`));
  assert.ok(args.includes('cpu.max=200000 100000'));
  assert.ok(!args.includes('--daemonize') && !args.includes('--new-pid-ns'));
  assert.deepEqual(args.slice(args.indexOf('--')), [
    '--',
    '--api-sock',
    '/run/firecracker.socket',
  ]);
});

test('no argument carries the metadata', () => {
  const secret = 'glrt-in-metadata-only';
  const withSecret = sampleSpec({ metadata: { token: secret } });
  for (const jail of [undefined, JAIL]) {
    const layout = vmLayout(withSecret, { jail });
    const command = launchCommand(withSecret, layout, {
      firecrackerBin: '/fc',
      jail,
      joinNetns: true,
    });
    assert.ok(!JSON.stringify(command).includes(secret));
  }
});
