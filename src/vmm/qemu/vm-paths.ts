import { join } from 'node:path';
import type { QemuPaths } from './qemu-args.js';

/**
 * Where a VM's MMDS-compatible metadata server listens. The agent points
 * the network relay for 169.254.169.254:80 at this path before booting.
 */
export function mmdsSocketPath(workDir: string): string {
  return join(workDir, 'mmds.sock');
}

/** Every file the QEMU driver creates in a VM's work folder. */
export function vmPaths(workDir: string): QemuPaths & { mmdsSocket: string } {
  return {
    overlay: join(workDir, 'disk.qcow2'),
    qmpSocket: join(workDir, 'qmp.sock'),
    pidFile: join(workDir, 'qemu.pid'),
    mmdsSocket: mmdsSocketPath(workDir),
  };
}
