import { basename, join } from 'node:path';
import type { VmSpec } from '../driver.js';
import type { BootPlanPaths } from './boot-plan.js';

/** Where the jailer builds its chroot and cgroups (reference §3). */
export interface JailSettings {
  jailerBin: string;
  firecrackerBin: string;
  chrootBase: string;
  /** The cgroup v2 mount (the jailer finds it in /proc/mounts too). */
  cgroupRoot: string;
  /** `--parent-cgroup`: VM cgroups are `<cgroupRoot>/<parent>/<id>`. */
  parentCgroup: string;
  /** Where named network namespaces are mounted (`ip netns`). */
  netnsDir: string;
  uid: number;
  gid: number;
}

/**
 * Every file of one Firecracker VM, twice where it matters: `host` paths
 * for firelab, `plan` paths as Firecracker sees them (inside the chroot
 * when jailed, where every path is relative to the jail root).
 */
export interface VmLayout {
  host: {
    apiSocket: string;
    rootDisk: string;
    kernel: string;
    initrd?: string;
    scratchDisk?: string;
    logFile: string;
    metricsFile: string;
  };
  plan: BootPlanPaths;
  apiSocketArg: string;
  /** The files kept in `workDir` after the VM ends, besides the console. */
  keptLogs: { log: string; metrics: string };
  /** `<chrootBase>/<exec name>/<id>`, removed at the end; jailed only. */
  jailDir?: string;
  /** The jail's root folder, into which files are staged; jailed only. */
  jailRoot?: string;
  /** The cgroup the jailer creates and leaves behind; jailed only. */
  cgroupDir?: string;
}

export const LOG_FILE = 'firecracker.log';
export const METRICS_FILE = 'firecracker-metrics.json';

/**
 * The layout of a VM. Pure. Unjailed, everything lives in `workDir`:
 * the reflinked disk `rootfs.ext4`, the socket `firecracker.sock`, the log
 * and metrics. Jailed, the disk, kernel, initrd, socket, log and metrics
 * live in `<chrootBase>/<basename(firecrackerBin)>/<id>/root`; the log and
 * metrics are copied to `workDir` when the VM ends. The jailer's cgroup
 * is `<cgroupRoot>/<parentCgroup>/<id>`.
 */
export function vmLayout(
  spec: VmSpec,
  opts: { jail?: JailSettings; scratch?: boolean },
): VmLayout {
  const keptLogs = {
    log: join(spec.workDir, LOG_FILE),
    metrics: join(spec.workDir, METRICS_FILE),
  };
  return opts.jail
    ? jailedLayout(spec, opts.jail, keptLogs, opts.scratch ?? false)
    : plainLayout(spec, keptLogs, opts.scratch ?? false);
}

function plainLayout(
  spec: VmSpec,
  keptLogs: VmLayout['keptLogs'],
  scratch: boolean,
): VmLayout {
  const host = {
    apiSocket: join(spec.workDir, 'firecracker.sock'),
    rootDisk: join(spec.workDir, 'rootfs.ext4'),
    kernel: spec.kernelPath,
    initrd: spec.initrdPath,
    scratchDisk: scratch ? join(spec.workDir, 'scratch.img') : undefined,
    logFile: keptLogs.log,
    metricsFile: keptLogs.metrics,
  };
  return {
    host,
    plan: planPaths(host),
    apiSocketArg: host.apiSocket,
    keptLogs,
  };
}

function jailedLayout(
  spec: VmSpec,
  jail: JailSettings,
  keptLogs: VmLayout['keptLogs'],
  scratch: boolean,
): VmLayout {
  const execName = basename(jail.firecrackerBin);
  const jailDir = join(jail.chrootBase, execName, spec.id);
  const jailRoot = join(jailDir, 'root');
  const plan: BootPlanPaths = {
    kernel: '/vmlinux',
    initrd: spec.initrdPath === undefined ? undefined : '/initrd',
    rootDisk: '/rootfs.ext4',
    scratchDisk: scratch ? '/scratch.img' : undefined,
    logFile: `/${LOG_FILE}`,
    metricsFile: `/${METRICS_FILE}`,
  };
  const inJail = (path: string | undefined) =>
    path === undefined ? undefined : join(jailRoot, path);
  const apiSocketArg = '/run/firecracker.socket';
  return {
    host: {
      apiSocket: join(jailRoot, apiSocketArg),
      rootDisk: join(jailRoot, plan.rootDisk),
      kernel: join(jailRoot, plan.kernel),
      initrd: inJail(plan.initrd),
      scratchDisk: inJail(plan.scratchDisk),
      logFile: join(jailRoot, plan.logFile),
      metricsFile: join(jailRoot, plan.metricsFile),
    },
    plan: stripUndefined(plan),
    apiSocketArg,
    keptLogs,
    jailDir,
    jailRoot,
    cgroupDir: join(jail.cgroupRoot, jail.parentCgroup, spec.id),
  };
}

function planPaths(host: VmLayout['host']): BootPlanPaths {
  return stripUndefined({
    kernel: host.kernel,
    initrd: host.initrd,
    rootDisk: host.rootDisk,
    scratchDisk: host.scratchDisk,
    logFile: host.logFile,
    metricsFile: host.metricsFile,
  });
}

function stripUndefined<T extends object>(value: T): T {
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  return Object.fromEntries(entries) as T;
}
