import { mkdir, rm } from 'node:fs/promises';
import { CleanupStack } from '../../lib/cleanup.js';
import { DomainError, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { start } from '../../lib/process.js';
import { createCowDisk } from '../../image/cow-disk.js';
import { startMmdsServer } from '../mmds/index.js';
import type { VmHandle, VmSpec } from '../driver.js';
import { qemuArgs, qemuBinary } from './qemu-args.js';
import type { Acceleration, HostTuning } from './qemu-args.js';
import { QemuVm } from './qemu-vm.js';
import { vmPaths } from './vm-paths.js';

/** QEMU itself starts in well under a second even under TCG. */
const RUNNING_TIMEOUT_MS = 30_000;

/**
 * Boots one VM: a qcow2 overlay on the golden image, the metadata server
 * on `<workDir>/mmds.sock`, then QEMU inside the VM's network namespace.
 * Resolves once QMP reports the guest running, with the deadline armed.
 * On failure everything made so far is removed and a `DomainError` with
 * code `boot-failed` carries QEMU's last stderr and console lines.
 */
export async function bootQemuVm(
  spec: VmSpec,
  host: { accel: Acceleration; tuning: HostTuning },
  log: Logger,
): Promise<VmHandle> {
  const { accel } = host;
  const paths = vmPaths(spec.workDir);
  const cleanup = new CleanupStack();
  const started = Date.now();
  let vm: QemuVm | undefined;
  try {
    await mkdir(spec.workDir, { recursive: true });
    cleanup.push('remove QEMU files', () => removeFiles(paths));
    await createCowDisk(spec.rootImagePath, paths.overlay, { log });
    const mmds = await startMmdsServer({
      socketPath: paths.mmdsSocket,
      data: spec.metadata,
      log,
    });
    cleanup.push('stop metadata server', () => mmds.close());

    const args = qemuArgs(spec, accel, paths, host.tuning);
    const netns = ['netns', 'exec', spec.network.netns];
    const child = start('ip', [...netns, qemuBinary(spec.arch), ...args], {
      log,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    vm = new QemuVm({ spec, child, cleanup, log, mmds });
    await vm.waitRunning(RUNNING_TIMEOUT_MS, paths.qmpSocket);
  } catch (error) {
    await abandon(vm, cleanup, log);
    const message = `booting VM ${spec.id}: ${errorMessage(error)}`;
    throw new DomainError('boot-failed', message, { cause: error });
  }

  log.info({ accel, ms: Date.now() - started }, 'VM running');
  return vm;
}

/** A VM that exists is torn down through its own exit path. */
async function abandon(
  vm: QemuVm | undefined,
  cleanup: CleanupStack,
  log: Logger,
): Promise<void> {
  if (!vm) return cleanup.run(log);
  vm.kill();
  await vm.exited;
}

async function removeFiles(paths: ReturnType<typeof vmPaths>): Promise<void> {
  const files = [paths.overlay, paths.qmpSocket, paths.pidFile];
  await Promise.all(files.map((file) => rm(file, { force: true })));
}
