import { CleanupStack } from '../../lib/cleanup.js';
import { DomainError, errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { start } from '../../lib/process.js';
import type { VmHandle, VmSpec } from '../driver.js';
import { FirecrackerClient } from './api-client.js';
import { bootPlan } from './boot-plan.js';
import type { BootPlanOptions } from './boot-plan.js';
import { FirecrackerVm } from './firecracker-vm.js';
import { launchCommand } from './launch-command.js';
import { stageFiles } from './stage-files.js';
import { vmLayout } from './vm-layout.js';
import type { JailSettings } from './vm-layout.js';
import { waitForApi } from './wait-for-api.js';

export interface BootSettings {
  firecrackerBin: string;
  jail?: JailSettings;
  joinNetns: boolean;
  apiTimeoutMs: number;
  scratchMiB?: number;
  consoleCapBytes?: number;
  plan?: BootPlanOptions;
}

/**
 * Boots one VM on Firecracker: stage the disk copy (and jail), start the
 * process (console on its stdout), wait for the API while watching for an
 * early exit, then send the boot plan in order. Resolves once
 * InstanceStart is accepted, with the deadline armed. On any failure the
 * process is killed, everything staged is removed, and a `DomainError`
 * with code `boot-failed` says which step failed, with Firecracker's last
 * stderr and console lines (never a request body).
 */
export async function bootFirecrackerVm(
  spec: VmSpec,
  settings: BootSettings,
  log: Logger,
): Promise<VmHandle> {
  const started = Date.now();
  const scratch = settings.scratchMiB !== undefined;
  const layout = vmLayout(spec, { jail: settings.jail, scratch });
  const plan = bootPlan(spec, layout.plan, settings.plan);
  const cleanup = new CleanupStack();
  let vm: FirecrackerVm | undefined;
  let step = 'staging files';
  try {
    await stageFiles(spec, layout, { ...settings, log }, cleanup);
    step = 'starting Firecracker';
    vm = launch(spec, layout, settings, cleanup, log);
    step = 'waiting for the API socket';
    await waitForApi({
      socketPath: layout.host.apiSocket,
      client: new FirecrackerClient(layout.host.apiSocket),
      timeoutMs: settings.apiTimeoutMs,
      hasExited: () => vm?.hasExited() ?? true,
    });
    const client = new FirecrackerClient(layout.host.apiSocket);
    for (const call of plan) {
      step = `${call.method} ${call.path}`;
      await client.send(call);
    }
    vm.markStarted();
  } catch (error) {
    const tails = (await vm?.tails()) ?? '';
    await abandon(vm, cleanup, log);
    const message = `booting VM ${spec.id}: ${step}: ${errorMessage(error)}`;
    const full = tails ? `${message}\n${tails}` : message;
    throw new DomainError('boot-failed', full, { cause: error });
  }

  log.info({ ms: Date.now() - started, pid: vm.pid }, 'VM running');
  return vm;
}

function launch(
  spec: VmSpec,
  layout: ReturnType<typeof vmLayout>,
  settings: BootSettings,
  cleanup: CleanupStack,
  log: Logger,
): FirecrackerVm {
  const command = launchCommand(spec, layout, settings);
  // stdin 'ignore': serial input is not attached from a socketpair (§8).
  const child = start(command.file, command.args, {
    log,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const client = new FirecrackerClient(layout.host.apiSocket);
  return new FirecrackerVm({
    spec,
    child,
    client,
    cleanup,
    log,
    consoleCapBytes: settings.consoleCapBytes,
  });
}

/** A VM that exists is torn down through its own exit path. */
async function abandon(
  vm: FirecrackerVm | undefined,
  cleanup: CleanupStack,
  log: Logger,
): Promise<void> {
  if (!vm) return cleanup.run(log);
  vm.kill();
  await vm.exited;
}
