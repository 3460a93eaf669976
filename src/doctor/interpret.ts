/**
 * Pure readings of host facts for the doctor's checks, kept apart from
 * the I/O so they can be table-tested.
 */

/** `Firecracker v1.16.1` (or `Jailer v1.16.1`) → `1.16.1`. */
export function parseVersion(stdout: string): string | undefined {
  return /v(\d+\.\d+\.\d+)/.exec(stdout)?.[1];
}

/** Whether `version` is in the API line firelab speaks (1.16.x). */
export function supportedFirecracker(version: string): boolean {
  return version.startsWith('1.16.');
}

/** MemAvailable from /proc/meminfo, in MiB. */
export function memAvailableMiB(meminfo: string): number | undefined {
  const kib = /^MemAvailable:\s+(\d+) kB$/m.exec(meminfo)?.[1];
  return kib === undefined ? undefined : Math.floor(Number(kib) / 1024);
}

/**
 * Whether the clocks look sane with nothing external to compare: the
 * wall clock's year is plausible and, over a short wait, the wall and
 * monotonic clocks advanced about alike. Returns the problem, if any.
 */
export function clockProblem(sample: {
  now: Date;
  wallDeltaMs: number;
  monoDeltaMs: number;
}): string | undefined {
  const year = sample.now.getUTCFullYear();
  if (year < 2024 || year > 2100) return `wall clock says year ${year}`;
  if (sample.monoDeltaMs <= 0) return 'monotonic clock did not advance';
  const skew = Math.abs(sample.wallDeltaMs - sample.monoDeltaMs);
  if (skew > 1_000) return `wall clock jumped ${skew} ms during the check`;
  return undefined;
}

/** The controllers the jailer's limits for each VM need (launchCommand). */
export const JAILER_CONTROLLERS = ['memory', 'cpu', 'pids'] as const;

/**
 * What stops the jailer from limiting VMs with cgroup v2, or undefined.
 * Pure. `mount` is the v2 mount from /proc/mounts and `controllers` the
 * words of its `cgroup.controllers`; on a hybrid host the v2 hierarchy
 * exists but the controllers stay bound to v1, where the jailer's
 * `--cgroup-version 2` cannot use them.
 */
export function cgroupV2Problem(
  mount: string | undefined,
  controllers: string[],
): string | undefined {
  if (!mount) return 'no cgroup v2 hierarchy is mounted';
  const missing = JAILER_CONTROLLERS.filter((c) => !controllers.includes(c));
  if (missing.length === 0) return undefined;
  return (
    `cgroup v2 at ${mount} lacks the ${missing.join(', ')} ` +
    `controller${missing.length === 1 ? '' : 's'} (bound to cgroup v1?)`
  );
}
