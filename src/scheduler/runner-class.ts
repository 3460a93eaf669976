import type { Arch } from '../vmm/driver.js';

/** The VM a job asks for with its tags. */
export interface RunnerClass {
  arch: Arch;
  vcpus: number;
  memoryMiB: number;
}

export type ClassResult =
  | { kind: 'firelab'; runnerClass: RunnerClass }
  | { kind: 'not-firelab' }
  | { kind: 'invalid'; reason: string };

const ARCH_ALIASES: Record<string, Arch> = {
  x86_64: 'x86_64',
  amd64: 'x86_64',
  arm64: 'arm64',
  aarch64: 'arm64',
};

const TAG =
  /^firelab(?:-(x86_64|amd64|arm64|aarch64))?(?:-(\d+)cpu-(\d+)(gb|mb))?$/;

/**
 * Maps a job's tags to the VM it needs. `firelab` alone means the default
 * class; `firelab-4cpu-8gb`, `firelab-arm64` and `firelab-arm64-2cpu-4gb`
 * name a size, an architecture or both. Jobs without a firelab tag are not
 * ours. Two different firelab tags, or a size outside the limits, make the
 * job invalid (it is reported, never guessed at).
 */
export function classify(
  tags: readonly string[],
  defaults: RunnerClass,
  limits: { maxVcpus: number; maxMemoryMiB: number },
): ClassResult {
  const ours = [...new Set(tags.filter((t) => t.startsWith('firelab')))];
  if (ours.length === 0) return { kind: 'not-firelab' };

  const parsed = ours.map((tag) => ({ tag, match: TAG.exec(tag) }));
  const bad = parsed.find((p) => !p.match);
  if (bad)
    return { kind: 'invalid', reason: `unknown firelab tag "${bad.tag}"` };
  const specific = parsed.filter((p) => p.tag !== 'firelab');
  if (specific.length > 1) {
    const names = specific.map((p) => p.tag).join(', ');
    return { kind: 'invalid', reason: `conflicting firelab tags: ${names}` };
  }

  const match = specific[0]?.match;
  const runnerClass = match ? fromMatch(match, defaults) : defaults;
  return withinLimits(runnerClass, limits);
}

function fromMatch(match: RegExpExecArray, defaults: RunnerClass): RunnerClass {
  const [, arch, cpus, amount, unit] = match;
  return {
    arch: arch ? ARCH_ALIASES[arch]! : defaults.arch,
    vcpus: cpus ? Number(cpus) : defaults.vcpus,
    memoryMiB: amount
      ? Number(amount) * (unit === 'gb' ? 1024 : 1)
      : defaults.memoryMiB,
  };
}

function withinLimits(
  runnerClass: RunnerClass,
  limits: { maxVcpus: number; maxMemoryMiB: number },
): ClassResult {
  const { vcpus, memoryMiB } = runnerClass;
  if (vcpus < 1 || vcpus > limits.maxVcpus) {
    return {
      kind: 'invalid',
      reason: `${vcpus} vCPUs is outside 1..${limits.maxVcpus}`,
    };
  }
  if (memoryMiB < 128 || memoryMiB > limits.maxMemoryMiB) {
    return {
      kind: 'invalid',
      reason: `${memoryMiB} MiB is outside 128..${limits.maxMemoryMiB}`,
    };
  }
  return { kind: 'firelab', runnerClass };
}
