import { UserError } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { run } from '../../lib/process.js';
import type { Arch, VmDriver } from '../driver.js';
import { bootQemuVm } from './boot-qemu-vm.js';
import { probeAcceleration } from './probe-acceleration.js';
import type { AccelRequest, ProbeImage } from './probe-acceleration.js';
import { hostTscKhz } from './host-tsc.js';
import { qemuBinary } from './qemu-args.js';

/** The guest architecture this host runs natively. */
export function hostArch(): Arch | undefined {
  if (process.arch === 'x64') return 'x86_64';
  if (process.arch === 'arm64') return 'arm64';
  return undefined;
}

/**
 * The QEMU driver (`microvm` on x86_64, `virt` on arm64). Checks that
 * QEMU is installed (a `UserError` naming the package otherwise), then
 * settles on KVM or TCG once (see `probeAcceleration`; `auto` by
 * default) and logs the choice with its reason. Guests of a foreign
 * architecture always run under TCG.
 */
export async function createQemuDriver(opts: {
  log: Logger;
  accel?: AccelRequest;
  probeImage?: ProbeImage;
}): Promise<VmDriver> {
  const log = opts.log.child({ driver: 'qemu' });
  const native = hostArch();
  if (!native)
    throw new UserError(`QEMU driver: unsupported host ${process.arch}`);
  await requireQemu(native, log);

  const { accel, reason } = await probeAcceleration({
    requested: opts.accel ?? 'auto',
    probeImage: opts.probeImage,
    log,
  });
  const tuning = { tscKhz: await hostTscKhz() };
  log.info({ accel, reason, ...tuning }, 'QEMU acceleration chosen');
  return {
    name: 'qemu',
    acceleration: accel,
    boot: (spec) => {
      const vmLog = log.child({ vmId: spec.id });
      const vmAccel = spec.arch === native ? accel : 'tcg';
      return bootQemuVm(spec, { accel: vmAccel, tuning }, vmLog);
    },
  };
}

async function requireQemu(arch: Arch, log: Logger): Promise<void> {
  const binary = qemuBinary(arch);
  try {
    await run(binary, ['--version'], { log, timeoutMs: 10_000 });
  } catch {
    const pkg = arch === 'x86_64' ? 'qemu-system-x86' : 'qemu-system-arm';
    throw new UserError(`${binary} not found: install the ${pkg} package`);
  }
}
