import { join } from 'node:path';
import type { VmSpec } from '../driver.js';
import type { JailSettings, VmLayout } from './vm-layout.js';

export interface LaunchCommand {
  file: string;
  args: string[];
}

/** Room for Firecracker's own memory next to the guest's (§9: ≤ 5 MiB). */
const VMM_OVERHEAD_MIB = 64;
const CPU_PERIOD_US = 100_000;
const PIDS_MAX = 64;

/**
 * The command that runs one VM's Firecracker. Pure. Unjailed it is
 * `ip netns exec <netns> firecracker --api-sock <sock> --id <id>` (or
 * Firecracker alone when `joinNetns` is false, for tests). Jailed, the
 * jailer runs in the foreground, with neither `--daemonize` nor
 * `--new-pid-ns`, so it execs Firecracker in place and the child's pid
 * and exit code are Firecracker's (reference §3); it joins the VM's
 * namespace by path and sets cgroup v2 limits (memory, CPU quota, pids)
 * in a cgroup under `parentCgroup`.
 * The jailer passes `--id` itself; only `--api-sock` follows `--`.
 * No argument ever carries a secret.
 */
export function launchCommand(
  spec: VmSpec,
  layout: VmLayout,
  opts: { firecrackerBin: string; jail?: JailSettings; joinNetns: boolean },
): LaunchCommand {
  if (opts.jail) return jailerCommand(spec, layout, opts.jail);
  const fc = [
    opts.firecrackerBin,
    '--api-sock',
    layout.apiSocketArg,
    '--id',
    spec.id,
  ];
  if (!opts.joinNetns) return { file: fc[0]!, args: fc.slice(1) };
  return { file: 'ip', args: ['netns', 'exec', spec.network.netns, ...fc] };
}

function jailerCommand(
  spec: VmSpec,
  layout: VmLayout,
  jail: JailSettings,
): LaunchCommand {
  const memoryMax = (spec.memoryMiB + VMM_OVERHEAD_MIB) * 1024 * 1024;
  const cpuMax = `${spec.vcpus * CPU_PERIOD_US} ${CPU_PERIOD_US}`;
  return {
    file: jail.jailerBin,
    args: [
      '--id',
      spec.id,
      '--exec-file',
      jail.firecrackerBin,
      '--uid',
      String(jail.uid),
      '--gid',
      String(jail.gid),
      '--chroot-base-dir',
      jail.chrootBase,
      '--netns',
      join(jail.netnsDir, spec.network.netns),
      '--cgroup-version',
      '2',
      '--parent-cgroup',
      jail.parentCgroup,
      '--cgroup',
      `memory.max=${memoryMax}`,
      '--cgroup',
      `cpu.max=${cpuMax}`,
      '--cgroup',
      `pids.max=${PIDS_MAX}`,
      '--',
      '--api-sock',
      layout.apiSocketArg,
    ],
  };
}
