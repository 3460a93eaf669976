import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import {
  buildImage,
  describeStep,
  kernelBuildPlan,
  kernelPathIn,
  runKernelPlan,
} from '../image/index.js';
import type { ImageProfile } from '../image/index.js';
import { errorMessage, UserError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import type { Arch } from '../vmm/driver.js';

/** `firelab image build`: prints each step, then the artifacts. */
export async function runImageBuild(opts: {
  profile: ImageProfile;
  arch: Arch;
  cacheDir: string;
  runnerPackageUrl?: string;
}): Promise<void> {
  const started = Date.now();
  const image = await buildImage({
    ...opts,
    log: createLogger({ level: 'warn' }),
    onProgress: (step) => console.log(`  ${step}`),
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `image ${image.id} (${image.profile}, ${image.arch}) ready in ${seconds}s`,
  );
  console.log(`  kernel  ${image.kernelPath}`);
  console.log(`  initrd  ${image.initrdPath}`);
  console.log(`  rootfs  ${image.rootfsPath}`);
}

/**
 * `firelab image kernel`: builds a Firecracker guest kernel from Debian's
 * kernel source (see `kernelBuildPlan`), printing each step, then the
 * kernel's path for `agent.firecracker.kernel`. `--dry-run` prints the
 * steps and changes nothing.
 */
export async function runImageKernel(opts: {
  arch: Arch;
  sourceDir?: string;
  workDir: string;
  outDir?: string;
  jobs: number;
  install: boolean;
  dryRun?: boolean;
}): Promise<void> {
  const plan = {
    arch: opts.arch,
    hostArch: hostArch(),
    sourceDir: opts.sourceDir && resolve(opts.sourceDir),
    workDir: resolve(opts.workDir),
    outDir: resolve(opts.outDir ?? `/var/lib/firelab/kernel/${opts.arch}`),
    jobs: opts.jobs,
    installPackages: opts.install,
  };
  const steps = kernelBuildPlan(plan);
  const kernel = kernelPathIn(plan.outDir, plan.arch);
  if (opts.dryRun) {
    console.log(`steps to build ${kernel} (dry run, nothing done):`);
    for (const step of steps) console.log(`  ${describeStep(step)}`);
    return;
  }

  const started = Date.now();
  const result = await runKernelPlan(steps, {
    log: createLogger({ level: 'warn' }),
    onProgress: (line) => console.log(`  ${line}`),
  }).catch((error: unknown) => {
    throw new UserError(`building the kernel: ${errorMessage(error)}`);
  });
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  console.log(`kernel ready in ${minutes} min: ${kernel}`);
  if (result.missingOptions.length > 0) {
    console.log(
      `  ${result.missingOptions.length} option(s) of the fragment are not set (warnings above)`,
    );
  }
  console.log(`  set agent.firecracker.kernel: ${kernel}`);
}

function hostArch(): Arch {
  return process.arch === 'arm64' ? 'arm64' : 'x86_64';
}

/** Commander parser for `--jobs`. */
export function parseJobs(text: string): number {
  const jobs = Number(text);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new InvalidArgumentError('expected a whole number of at least 1');
  }
  return jobs;
}
