import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelConfigFragment } from '../vmm/firecracker/kernel-config.js';
import {
  describeStep,
  kernelBuildPlan,
  kernelPathIn,
} from './kernel-build-plan.js';
import type { KernelBuildOptions, KernelStep } from './kernel-build-plan.js';

const BASE: KernelBuildOptions = {
  arch: 'x86_64',
  hostArch: 'x86_64',
  workDir: '/w',
  outDir: '/out',
  jobs: 4,
  installPackages: true,
};
const lines = (opts: Partial<KernelBuildOptions> = {}) =>
  kernelBuildPlan({ ...BASE, ...opts }).map(describeStep);
const runs = (steps: KernelStep[]) =>
  steps.flatMap((s) => (s.kind === 'run' ? [s] : []));

test('x86_64 from the linux-source package: every step in order', () => {
  assert.deepEqual(lines(), [
    'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ' +
      'linux-source-6.1 build-essential bc bison flex libelf-dev libssl-dev xz-utils',
    'mkdir -p /w',
    'tar -xf /usr/src/linux-source-6.1.tar.xz -C /w',
    'mkdir -p /out',
    `write /out/firelab-x86_64.config (${kernelConfigFragment('x86_64').length}` +
      ' options of kernelConfigFragment(x86_64))',
    'cd /w/linux-source-6.1 && make ARCH=x86_64 defconfig',
    'cd /w/linux-source-6.1 && /w/linux-source-6.1/scripts/kconfig/merge_config.sh' +
      ' -m .config /out/firelab-x86_64.config',
    'cd /w/linux-source-6.1 && make ARCH=x86_64 olddefconfig',
    'check that /w/linux-source-6.1/.config kept every option of the fragment',
    'cd /w/linux-source-6.1 && make ARCH=x86_64 -j4 vmlinux',
    'cp /w/linux-source-6.1/vmlinux /out/vmlinux',
    'cp /w/linux-source-6.1/.config /out/vmlinux.config',
    'check that /out/vmlinux is an uncompressed x86_64 kernel',
  ]);
});

test('table: arch, host, source tree and packages', () => {
  const cases: [string, Partial<KernelBuildOptions>, RegExp[], RegExp[]][] = [
    [
      'arm64 on arm64 builds Image',
      { arch: 'arm64', hostArch: 'arm64' },
      [/make ARCH=arm64 -j4 Image$/, /arch\/arm64\/boot\/Image \/out\/Image$/],
      [/CROSS_COMPILE/, /gcc-aarch64/],
    ],
    [
      'arm64 on x86_64 cross-compiles',
      { arch: 'arm64' },
      [
        /make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- defconfig/,
        /apt-get .* gcc-aarch64-linux-gnu/,
      ],
      [],
    ],
    [
      'x86_64 on arm64 cross-compiles',
      { hostArch: 'arm64' },
      [/CROSS_COMPILE=x86_64-linux-gnu- -j4 vmlinux/, /gcc-x86-64-linux-gnu/],
      [],
    ],
    [
      'an unpacked tree is used as it is',
      { sourceDir: '/src/linux' },
      [/^cd \/src\/linux && make ARCH=x86_64 defconfig$/],
      [/tar -xf/, /linux-source-6\.1 /, /mkdir -p \/w/],
    ],
    [
      'no apt-get when told so',
      { installPackages: false },
      [/^tar -xf/],
      [/apt-get/],
    ],
  ];
  for (const [name, opts, present, absent] of cases) {
    const text = lines(opts);
    for (const re of present)
      assert.ok(
        text.some((l) => re.test(l)),
        `${name}: ${re}`,
      );
    for (const re of absent)
      assert.ok(!text.some((l) => re.test(l)), `${name}: ${re}`);
  }
});

test('the fragment is written before it is merged, with the right content', () => {
  const steps = kernelBuildPlan({ ...BASE, arch: 'arm64', hostArch: 'arm64' });
  const write = steps.findIndex((s) => s.kind === 'write');
  const merge = steps.findIndex(
    (s) => s.kind === 'run' && s.file.endsWith('merge_config.sh'),
  );
  assert.ok(write >= 0 && write < merge);
  const step = steps[write]!;
  assert.ok(step.kind === 'write');
  assert.match(step.content, /^CONFIG_ARM_AMBA=y$/m);
  assert.match(step.content, /^# CONFIG_MODULES is not set$/m);
  assert.doesNotMatch(step.content, /KVM_GUEST/);
});

test('every make runs in the source tree; nothing runs through a shell', () => {
  for (const step of runs(kernelBuildPlan(BASE))) {
    if (step.file === 'make') assert.equal(step.cwd, '/w/linux-source-6.1');
    assert.ok(!['sh', 'bash'].includes(step.file));
  }
  assert.equal(kernelPathIn('/k', 'arm64'), '/k/Image');
  assert.equal(kernelPathIn('/k', 'x86_64'), '/k/vmlinux');
});

test('odd paths are quoted when described', () => {
  const text = lines({ outDir: "/o u't" });
  assert.ok(text.includes(`mkdir -p '/o u'\\''t'`), text.join('\n'));
});
