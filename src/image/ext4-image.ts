import { truncate, writeFile } from 'node:fs/promises';
import { run } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * The size of the ext4 file for `contentBytes` of files: content plus a
 * fifth for metadata, plus `headroomBytes` for the job's workspace, in
 * whole MiB. Pure. The file is sparse and VMs write to copy-on-write
 * overlays, so headroom costs nothing until a job uses it.
 */
export function ext4SizeBytes(
  contentBytes: number,
  headroomBytes = 4 * GiB,
): number {
  const raw = Math.ceil(contentBytes * 1.2) + headroomBytes;
  return Math.ceil(raw / MiB) * MiB;
}

/** "1.2 GiB"-style text for progress lines. */
export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  return `${Math.round(bytes / MiB)} MiB`;
}

/**
 * Writes `rootDir` into a new raw ext4 file with `mke2fs -d` (no loop
 * mount, no root-only kernel features). There is no journal: every VM
 * boots a throwaway copy and powers off after one job, so crash recovery
 * buys nothing and journal writes cost time under emulation. Returns the
 * size of the file.
 */
export async function writeExt4Image(opts: {
  rootDir: string;
  outPath: string;
  log: Logger;
  signal?: AbortSignal;
}): Promise<number> {
  const runOpts = { log: opts.log, signal: opts.signal };
  const du = await run('du', ['-sb', opts.rootDir], runOpts);
  const size = ext4SizeBytes(Number(du.stdout.split('\t')[0]));

  await writeFile(opts.outPath, '');
  await truncate(opts.outPath, size);
  const args = ['-q', '-t', 'ext4', '-O', '^has_journal', '-L', 'firelab-root'];
  await run('mke2fs', [...args, '-d', opts.rootDir, opts.outPath], runOpts);
  return size;
}
