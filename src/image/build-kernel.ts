import { copyFile, mkdir, open, readFile, writeFile } from 'node:fs/promises';
import type { Logger } from '../lib/logger.js';
import { kernelConfigFragment } from '../vmm/firecracker/kernel-config.js';
import {
  KERNEL_HEADER_BYTES,
  kernelFormatProblem,
  missingKernelOptions,
} from './kernel-check.js';
import { describeStep } from './kernel-build-plan.js';
import type { KernelStep } from './kernel-build-plan.js';
import { runWithLines } from './run-with-lines.js';

export interface KernelBuildResult {
  /** Fragment options the finished config does not have (warned). */
  missingOptions: string[];
}

/**
 * Runs a kernel build plan step by step, saying each one through
 * `onProgress` before it starts; command output goes to the debug log.
 * A fragment option lost by `olddefconfig` is reported (a warning line
 * and `missingOptions`), not fatal: the kernel may still serve, and only
 * the operator can judge. A kernel Firecracker cannot boot (compressed,
 * wrong format) fails the build. Long: a full kernel build takes a good
 * while; abort it through `signal`.
 */
export async function runKernelPlan(
  steps: KernelStep[],
  opts: {
    log: Logger;
    signal?: AbortSignal;
    onProgress: (line: string) => void;
  },
): Promise<KernelBuildResult> {
  const missingOptions: string[] = [];
  for (const step of steps) {
    opts.onProgress(describeStep(step));
    const missing = await runStep(step, opts);
    missingOptions.push(...missing);
  }
  return { missingOptions };
}

async function runStep(
  step: KernelStep,
  opts: { log: Logger; signal?: AbortSignal; onProgress(l: string): void },
): Promise<string[]> {
  switch (step.kind) {
    case 'run': {
      const onLine = (line: string) => opts.log.debug({ line }, step.file);
      const { log, signal } = opts;
      const { cwd, env } = step;
      await runWithLines(step.file, step.args, {
        log,
        signal,
        cwd,
        env,
        onLine,
      });
      return [];
    }
    case 'mkdir':
      await mkdir(step.path, { recursive: true });
      return [];
    case 'write':
      await writeFile(step.path, step.content);
      return [];
    case 'copy':
      await copyFile(step.from, step.to);
      return [];
    case 'check-config':
      return checkConfig(step, opts.onProgress);
    case 'check-kernel':
      await checkKernel(step);
      return [];
  }
}

async function checkConfig(
  step: Extract<KernelStep, { kind: 'check-config' }>,
  onProgress: (line: string) => void,
): Promise<string[]> {
  const text = await readFile(step.configPath, 'utf8');
  const missing = missingKernelOptions(text, kernelConfigFragment(step.arch));
  for (const option of missing) {
    const want = option.value === 'y' ? '=y' : ' off';
    onProgress(
      `warning: CONFIG_${option.name}${want} did not survive (${option.why})`,
    );
  }
  return missing.map((option) => option.name);
}

async function checkKernel(
  step: Extract<KernelStep, { kind: 'check-kernel' }>,
): Promise<void> {
  const handle = await open(step.path, 'r');
  const header = Buffer.alloc(KERNEL_HEADER_BYTES);
  try {
    await handle.read(header, 0, KERNEL_HEADER_BYTES, 0);
  } finally {
    await handle.close();
  }
  const problem = kernelFormatProblem(step.arch, header);
  if (problem) throw new Error(`${step.path}: ${problem}`);
}
