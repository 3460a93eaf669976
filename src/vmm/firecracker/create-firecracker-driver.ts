import { basename, join } from 'node:path';
import type { Logger } from '../../lib/logger.js';
import type { VmDriver, VmHandle, VmSpec } from '../driver.js';
import { bootFirecrackerVm } from './boot-firecracker-vm.js';
import type { BootSettings } from './boot-firecracker-vm.js';
import { findCgroupRoot } from './cgroup-mount.js';
import { sweepStaleJails } from './sweep-stale-jails.js';
import type { JailPlaces } from './sweep-stale-jails.js';
import { UidPool } from './uid-pool.js';
import type { JailSettings } from './vm-layout.js';

export interface FirecrackerDriverOptions {
  log: Logger;
  firecrackerBin: string;
  jailerBin?: string;
  /** Run each VM under the jailer (production); needs root. */
  jailer: boolean;
  /** The jailer's `--chroot-base-dir` (default /srv/jailer). */
  chrootBase?: string;
  /** First per-VM uid/gid (default 900000); one per running VM. */
  uidBase?: number;
  /**
   * cgroup v2 mount (default: the one /proc/mounts names, as the jailer
   * finds it, else /sys/fs/cgroup).
   */
  cgroupRoot?: string;
  /** The jailer's `--parent-cgroup` (default `firelab`). */
  parentCgroup?: string;
  /** Where named network namespaces live (default /var/run/netns). */
  netnsDir?: string;
  /**
   * Unjailed only: start Firecracker inside `spec.network.netns` (default
   * true). False is for tests whose fake Firecracker needs no network.
   */
  joinNetns?: boolean;
  /** How long Firecracker may take to answer on its socket (10 s). */
  apiTimeoutMs?: number;
  /** Adds an empty sparse scratch disk of this size to each VM. */
  scratchMiB?: number;
  consoleCapBytes?: number;
}

const UID_POOL_SIZE = 4096;

/**
 * The Firecracker driver, behind the same port as QEMU. Each VM boots
 * from a reflink copy of its root image with the metadata in MMDS V2,
 * its console written to `spec.consolePath`, Firecracker's log and
 * metrics to `firecracker.log` and `firecracker-metrics.json` in
 * `spec.workDir`. With `jailer`, each VM gets its own chroot, uid/gid,
 * cgroup v2 limits and joins its network namespace through the jailer.
 * `acceleration` is always "kvm": Firecracker has no other mode.
 * `cleanupStale` removes the jails and cgroups (and kills the processes)
 * a killed agent left; unjailed there is nothing of the driver's own to
 * sweep (the VM's namespace and workDir are the agent's). Throws a plain
 * Error for inconsistent options (jailer without `jailerBin`).
 */
export function createFirecrackerDriver(
  opts: FirecrackerDriverOptions,
): VmDriver {
  if (opts.jailer && !opts.jailerBin) {
    throw new Error('Firecracker driver: jailer mode needs jailerBin');
  }
  const log = opts.log.child({ driver: 'firecracker' });
  const uids = new UidPool(opts.uidBase ?? 900_000, UID_POOL_SIZE);
  let base: Promise<JailBase> | undefined;
  const jailBase = () => (base ??= resolveJailBase(opts));
  return {
    name: 'firecracker',
    acceleration: 'kvm',
    boot: async (spec) => {
      const jail = opts.jailer ? await jailBase() : undefined;
      return boot(spec, opts, { jail, uids }, log.child({ vmId: spec.id }));
    },
    cleanupStale: async () =>
      opts.jailer ? sweepStaleJails(jailPlaces(await jailBase()), log) : [],
  };
}

/** What every jail of this driver shares; uid and gid are per VM. */
type JailBase = Omit<JailSettings, 'uid' | 'gid'>;

async function resolveJailBase(
  opts: FirecrackerDriverOptions,
): Promise<JailBase> {
  return {
    jailerBin: opts.jailerBin ?? 'jailer',
    firecrackerBin: opts.firecrackerBin,
    chrootBase: opts.chrootBase ?? '/srv/jailer',
    cgroupRoot: opts.cgroupRoot ?? (await findCgroupRoot()),
    parentCgroup: opts.parentCgroup ?? 'firelab',
    netnsDir: opts.netnsDir ?? '/var/run/netns',
  };
}

/** Where `vmLayout` puts jails and cgroups, for the stale sweep. */
function jailPlaces(base: JailBase): JailPlaces {
  const execName = basename(base.firecrackerBin);
  return {
    jailsDir: join(base.chrootBase, execName),
    cgroupParent: join(base.cgroupRoot, base.parentCgroup),
    execName,
  };
}

async function boot(
  spec: VmSpec,
  opts: FirecrackerDriverOptions,
  jailing: { jail?: JailBase; uids: UidPool },
  log: Logger,
): Promise<VmHandle> {
  const { jail, uids } = jailing;
  const uid = jail ? uids.take() : undefined;
  const settings: BootSettings = {
    firecrackerBin: opts.firecrackerBin,
    joinNetns: opts.joinNetns ?? true,
    apiTimeoutMs: opts.apiTimeoutMs ?? 10_000,
    scratchMiB: opts.scratchMiB,
    consoleCapBytes: opts.consoleCapBytes,
    jail: jail && uid !== undefined ? { ...jail, uid, gid: uid } : undefined,
  };
  try {
    const vm = await bootFirecrackerVm(spec, settings, log);
    if (uid !== undefined) void vm.exited.finally(() => uids.release(uid));
    return vm;
  } catch (error) {
    if (uid !== undefined) uids.release(uid);
    throw error;
  }
}
