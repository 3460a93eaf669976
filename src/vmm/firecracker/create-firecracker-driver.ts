import type { Logger } from '../../lib/logger.js';
import type { VmDriver, VmHandle, VmSpec } from '../driver.js';
import { bootFirecrackerVm } from './boot-firecracker-vm.js';
import type { BootSettings } from './boot-firecracker-vm.js';
import { UidPool } from './uid-pool.js';

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
  /** cgroup v2 mount (default /sys/fs/cgroup). */
  cgroupRoot?: string;
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
 * `acceleration` is always "kvm": Firecracker has no other mode. Throws
 * a plain Error for inconsistent options (jailer without `jailerBin`).
 */
export function createFirecrackerDriver(
  opts: FirecrackerDriverOptions,
): VmDriver {
  if (opts.jailer && !opts.jailerBin) {
    throw new Error('Firecracker driver: jailer mode needs jailerBin');
  }
  const log = opts.log.child({ driver: 'firecracker' });
  const uids = new UidPool(opts.uidBase ?? 900_000, UID_POOL_SIZE);
  return {
    name: 'firecracker',
    acceleration: 'kvm',
    boot: (spec) => boot(spec, opts, uids, log.child({ vmId: spec.id })),
  };
}

async function boot(
  spec: VmSpec,
  opts: FirecrackerDriverOptions,
  uids: UidPool,
  log: Logger,
): Promise<VmHandle> {
  const uid = opts.jailer ? uids.take() : undefined;
  const settings: BootSettings = {
    firecrackerBin: opts.firecrackerBin,
    joinNetns: opts.joinNetns ?? true,
    apiTimeoutMs: opts.apiTimeoutMs ?? 10_000,
    scratchMiB: opts.scratchMiB,
    consoleCapBytes: opts.consoleCapBytes,
    jail:
      uid === undefined
        ? undefined
        : {
            jailerBin: opts.jailerBin ?? 'jailer',
            firecrackerBin: opts.firecrackerBin,
            chrootBase: opts.chrootBase ?? '/srv/jailer',
            cgroupRoot: opts.cgroupRoot ?? '/sys/fs/cgroup',
            uid,
            gid: uid,
          },
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
