import { readFile } from 'node:fs/promises';

/** Where cgroup v2 usually lives; used when /proc/mounts names none. */
export const DEFAULT_CGROUP_ROOT = '/sys/fs/cgroup';

/**
 * The mount point of the cgroup v2 hierarchy in the text of /proc/mounts,
 * or undefined when there is none. Pure. The jailer looks it up the same
 * way, so on a hybrid host (v1 controllers, v2 at /sys/fs/cgroup/unified)
 * firelab and the jailer agree on where a VM's cgroup is. Mount points
 * with spaces are escaped as octal (`\040`) in that file.
 */
export function cgroupV2Mount(procMounts: string): string | undefined {
  for (const line of procMounts.split('\n')) {
    const [, point, type] = line.split(' ');
    if (type === 'cgroup2' && point) return unescapeMount(point);
  }
  return undefined;
}

/** The cgroup v2 mount of this host, else `DEFAULT_CGROUP_ROOT`. */
export async function findCgroupRoot(): Promise<string> {
  const text = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return cgroupV2Mount(text) ?? DEFAULT_CGROUP_ROOT;
}

function unescapeMount(point: string): string {
  return point.replace(/\\([0-7]{3})/g, (_m, oct: string) =>
    String.fromCharCode(parseInt(oct, 8)),
  );
}
