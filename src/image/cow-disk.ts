import { run } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

/**
 * Creates a qcow2 overlay at `destPath` backed by the raw image at
 * `basePath` (which must stay unchanged while the overlay lives): writes
 * land in the overlay, so any number of VMs share one golden image. For
 * QEMU; Firecracker needs raw files and will use reflink copies.
 */
export async function createCowDisk(
  basePath: string,
  destPath: string,
  opts: { log?: Logger; signal?: AbortSignal } = {},
): Promise<void> {
  const args = ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', basePath];
  await run('qemu-img', [...args, destPath], { ...opts, timeoutMs: 30_000 });
}
