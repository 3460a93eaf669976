import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  open,
  rm,
  rmdir,
} from 'node:fs/promises';
import type { CleanupStack } from '../../lib/cleanup.js';
import type { Logger } from '../../lib/logger.js';
import { run } from '../../lib/process.js';
import type { VmSpec } from '../driver.js';
import type { JailSettings, VmLayout } from './vm-layout.js';

/**
 * Makes the files a VM boots from and registers their removal on
 * `cleanup` the moment each exists: the per-VM root disk (a reflink copy
 * where the filesystem supports it, a sparse copy elsewhere), an optional
 * sparse scratch disk, and when jailed the chroot with hard links (or
 * copies, across filesystems) of kernel and initrd, owned by the VM's
 * uid/gid (reference §3 "Staging resources"). Refuses a leftover jail of
 * the same id: the jailer's pid file would make it fail anyway.
 */
export async function stageFiles(
  spec: VmSpec,
  layout: VmLayout,
  opts: { jail?: JailSettings; scratchMiB?: number; log: Logger },
  cleanup: CleanupStack,
): Promise<void> {
  await mkdir(spec.workDir, { recursive: true });
  if (opts.jail) await makeJail(layout, opts.jail, cleanup);
  cleanup.push('remove API socket', () => rm(layout.host.apiSocket, RM));

  cleanup.push('remove disk copy', () => rm(layout.host.rootDisk, RM));
  await copyDisk(spec.rootImagePath, layout.host.rootDisk, opts.log);
  await ownForJail(layout.host.rootDisk, opts.jail);

  const scratch = layout.host.scratchDisk;
  if (scratch && opts.scratchMiB) {
    cleanup.push('remove scratch disk', () => rm(scratch, RM));
    await sparseFile(scratch, opts.scratchMiB);
    await ownForJail(scratch, opts.jail);
  }
  if (opts.jail) await linkBootFiles(spec, layout);
}

const RM = { force: true } as const;

async function makeJail(
  layout: VmLayout,
  jail: JailSettings,
  cleanup: CleanupStack,
): Promise<void> {
  const { jailDir, jailRoot, cgroupDir } = layout;
  if (!jailDir || !jailRoot || !cgroupDir) throw new Error('not a jail');
  if (await exists(jailDir)) {
    throw new Error(`a stale jail is in the way: ${jailDir}`);
  }
  await mkdir(jailRoot, { recursive: true });
  cleanup.push('remove jail', async () => {
    await keepLogs(layout);
    await rm(jailDir, { recursive: true, force: true });
  });
  // The jailer leaves its cgroup behind; it can go once the VM is gone.
  cleanup.push('remove cgroup', () => rmdir(cgroupDir).catch(ignoreMissing));
  await chown(jailRoot, jail.uid, jail.gid);
}

/** The jail's log and metrics are worth keeping beside the console. */
async function keepLogs(layout: VmLayout): Promise<void> {
  const pairs = [
    [layout.host.logFile, layout.keptLogs.log],
    [layout.host.metricsFile, layout.keptLogs.metrics],
  ] as const;
  for (const [from, to] of pairs) {
    await copyFile(from, to).catch(ignoreMissing);
  }
}

async function copyDisk(from: string, to: string, log: Logger) {
  const args = ['--reflink=auto', '--sparse=always', from, to];
  await run('cp', args, { log, timeoutMs: 120_000 });
}

async function sparseFile(path: string, mib: number): Promise<void> {
  const handle = await open(path, 'wx', 0o600);
  try {
    await handle.truncate(mib * 1024 * 1024);
  } finally {
    await handle.close();
  }
}

async function linkBootFiles(spec: VmSpec, layout: VmLayout) {
  await linkOrCopy(spec.kernelPath, layout.host.kernel);
  if (spec.initrdPath && layout.host.initrd) {
    await linkOrCopy(spec.initrdPath, layout.host.initrd);
  }
}

/** Hard links need one filesystem; elsewhere a read-only copy will do. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await chmod(to, 0o444);
  }
}

async function ownForJail(path: string, jail: JailSettings | undefined) {
  if (!jail) return;
  await chown(path, jail.uid, jail.gid);
  await chmod(path, 0o600);
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}

function ignoreMissing(error: unknown): void {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
}
