import { join } from 'node:path';
import type { Arch } from '../vmm/driver.js';
import {
  kernelConfigFragment,
  renderKernelConfig,
} from '../vmm/firecracker/kernel-config.js';

/** Debian 12's kernel source package and the tarball it installs. */
export const SOURCE_PACKAGE = 'linux-source-6.1';
const SOURCE_TARBALL = `/usr/src/${SOURCE_PACKAGE}.tar.xz`;

/** What to build and where. Paths are absolute. */
export interface KernelBuildOptions {
  arch: Arch;
  /** The machine building it; another `arch` means cross-compiling. */
  hostArch: Arch;
  /**
   * An unpacked kernel tree (e.g. from `apt-get source linux`); without
   * it, the linux-source package's tarball is unpacked into `workDir`.
   */
  sourceDir?: string;
  workDir: string;
  outDir: string;
  jobs: number;
  /** Install the source package and the build tools with apt-get. */
  installPackages: boolean;
}

/** One step of a kernel build, as data: the plan is printed or run. */
export type KernelStep =
  | {
      kind: 'run';
      file: string;
      args: string[];
      cwd?: string;
      env?: Record<string, string>;
    }
  | { kind: 'mkdir'; path: string }
  | { kind: 'write'; path: string; content: string; what: string }
  | { kind: 'check-config'; configPath: string; arch: Arch }
  | { kind: 'copy'; from: string; to: string }
  | { kind: 'check-kernel'; path: string; arch: Arch };

/** The kernel's name for each arch, the image Firecracker boots, and where make leaves it. */
const TARGETS: Record<Arch, { make: string; image: string; built: string }> = {
  x86_64: { make: 'x86_64', image: 'vmlinux', built: 'vmlinux' },
  arm64: { make: 'arm64', image: 'Image', built: 'arch/arm64/boot/Image' },
};

const CROSS: Record<Arch, { prefix: string; gcc: string }> = {
  x86_64: { prefix: 'x86_64-linux-gnu-', gcc: 'gcc-x86-64-linux-gnu' },
  arm64: { prefix: 'aarch64-linux-gnu-', gcc: 'gcc-aarch64-linux-gnu' },
};

const BUILD_PACKAGES = [
  'build-essential',
  'bc',
  'bison',
  'flex',
  'libelf-dev',
  'libssl-dev',
  'xz-utils',
];

/**
 * The steps that build a Firecracker guest kernel from Debian's kernel
 * source. Pure. Firecracker boots an uncompressed kernel (reference §5):
 * `vmlinux` on x86_64, `Image` on arm64. The config starts from the
 * kernel's own defconfig, `scripts/kconfig/merge_config.sh` merges
 * firelab's fragment (`kernelConfigFragment`) over it and `make
 * olddefconfig` settles the dependencies; a check then names every
 * fragment option that did not survive. The kernel and its `.config` end
 * up in `outDir`. Another `hostArch` cross-compiles with Debian's gcc
 * for the target.
 */
export function kernelBuildPlan(opts: KernelBuildOptions): KernelStep[] {
  const target = TARGETS[opts.arch];
  const src = opts.sourceDir ?? join(opts.workDir, SOURCE_PACKAGE);
  const make = makeArgs(opts);
  const fragment = join(opts.outDir, `firelab-${opts.arch}.config`);
  const kernel = kernelPathIn(opts.outDir, opts.arch);
  const options = kernelConfigFragment(opts.arch);
  return [
    ...installSteps(opts),
    ...unpackSteps(opts),
    { kind: 'mkdir', path: opts.outDir },
    {
      kind: 'write',
      path: fragment,
      content: renderKernelConfig(options),
      what: `${options.length} options of kernelConfigFragment(${opts.arch})`,
    },
    { kind: 'run', file: 'make', args: [...make, 'defconfig'], cwd: src },
    {
      kind: 'run',
      file: join(src, 'scripts/kconfig/merge_config.sh'),
      args: ['-m', '.config', fragment],
      cwd: src,
    },
    { kind: 'run', file: 'make', args: [...make, 'olddefconfig'], cwd: src },
    { kind: 'check-config', configPath: join(src, '.config'), arch: opts.arch },
    {
      kind: 'run',
      file: 'make',
      args: [...make, `-j${opts.jobs}`, target.image],
      cwd: src,
    },
    { kind: 'copy', from: join(src, target.built), to: kernel },
    { kind: 'copy', from: join(src, '.config'), to: `${kernel}.config` },
    { kind: 'check-kernel', path: kernel, arch: opts.arch },
  ];
}

/** Where the plan leaves the kernel for `arch`. Pure. */
export function kernelPathIn(outDir: string, arch: Arch): string {
  return join(outDir, TARGETS[arch].image);
}

function makeArgs(opts: KernelBuildOptions): string[] {
  const args = [`ARCH=${TARGETS[opts.arch].make}`];
  if (opts.arch !== opts.hostArch) {
    args.push(`CROSS_COMPILE=${CROSS[opts.arch].prefix}`);
  }
  return args;
}

function installSteps(opts: KernelBuildOptions): KernelStep[] {
  if (!opts.installPackages) return [];
  const packages = [
    ...(opts.sourceDir ? [] : [SOURCE_PACKAGE]),
    ...BUILD_PACKAGES,
    ...(opts.arch === opts.hostArch ? [] : [CROSS[opts.arch].gcc]),
  ];
  return [
    {
      kind: 'run',
      file: 'apt-get',
      args: ['install', '-y', '--no-install-recommends', ...packages],
      env: { DEBIAN_FRONTEND: 'noninteractive' },
    },
  ];
}

function unpackSteps(opts: KernelBuildOptions): KernelStep[] {
  if (opts.sourceDir) return [];
  return [
    { kind: 'mkdir', path: opts.workDir },
    {
      kind: 'run',
      file: 'tar',
      args: ['-xf', SOURCE_TARBALL, '-C', opts.workDir],
    },
  ];
}

/** One line a person can read (and mostly paste) for a step. Pure. */
export function describeStep(step: KernelStep): string {
  switch (step.kind) {
    case 'run': {
      const env = Object.entries(step.env ?? {}).map(([k, v]) => `${k}=${v}`);
      const line = [...env, step.file, ...step.args].map(shellWord).join(' ');
      return step.cwd ? `cd ${shellWord(step.cwd)} && ${line}` : line;
    }
    case 'mkdir':
      return `mkdir -p ${shellWord(step.path)}`;
    case 'write':
      return `write ${step.path} (${step.what})`;
    case 'check-config':
      return `check that ${step.configPath} kept every option of the fragment`;
    case 'copy':
      return `cp ${shellWord(step.from)} ${shellWord(step.to)}`;
    case 'check-kernel':
      return `check that ${step.path} is an uncompressed ${step.arch} kernel`;
  }
}

function shellWord(word: string): string {
  return /^[A-Za-z0-9_./=:,+-]+$/.test(word)
    ? word
    : `'${word.replaceAll("'", `'\\''`)}'`;
}
