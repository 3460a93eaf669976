import { readFile, rm } from 'node:fs/promises';
import { run } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

/**
 * Mount points at or under `dir`, deepest first. Pure: parses the text
 * of /proc/self/mountinfo (field 5 is the mount point, with spaces and
 * other bytes escaped as octal).
 */
export function mountsUnder(mountinfo: string, dir: string): string[] {
  const prefix = dir.replace(/\/+$/, '');
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined)
    .map((point) =>
      point.replace(/\\([0-7]{3})/g, (_m, oct: string) =>
        String.fromCharCode(parseInt(oct, 8)),
      ),
    )
    .filter((point) => point === prefix || point.startsWith(`${prefix}/`))
    .sort((a, b) => b.length - a.length);
}

/**
 * Removes a partial build folder. mmdebstrap bind-mounts /dev, /proc and
 * /sys into the chroot while it works; if it was killed mid-way such a
 * mount may remain, and deleting through it would delete the host's own
 * files. So mounts are detached first, and removal is refused while any
 * remains.
 */
export async function removeBuildDir(dir: string, log: Logger): Promise<void> {
  for (const point of await currentMounts(dir)) {
    await run('umount', ['--lazy', point], { log, okCodes: [0, 32] });
  }
  const left = await currentMounts(dir);
  if (left.length > 0) {
    throw new Error(`not removing ${dir}: still mounted at ${left[0]}`);
  }
  await rm(dir, { recursive: true, force: true });
}

async function currentMounts(dir: string): Promise<string[]> {
  return mountsUnder(await readFile('/proc/self/mountinfo', 'utf8'), dir);
}
