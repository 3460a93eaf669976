import type { Config } from '../config/schema.js';
import { chooseHypervisor } from '../doctor/choose-hypervisor.js';
import { runDoctor } from '../doctor/run-doctor.js';
import type { ImageArtifacts } from '../image/index.js';
import { UserError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import type { VmDriver } from '../vmm/driver.js';
import { createFirecrackerDriver } from '../vmm/firecracker/create-firecracker-driver.js';
import { createQemuDriver } from '../vmm/qemu/index.js';

/**
 * Picks and builds the VM driver the agent config asks for. `auto` asks
 * the doctor: Firecracker when KVM really boots a guest and the binary
 * answers, QEMU otherwise; the choice and its reason are logged.
 */
export async function createDriver(
  config: Readonly<Config>,
  image: ImageArtifacts,
  log: Logger,
): Promise<{ driver: VmDriver; image: ImageArtifacts }> {
  const agent = config.agent;
  let hypervisor: 'qemu' | 'firecracker' = 'qemu';
  if (agent.hypervisor !== 'qemu') {
    const report = await runDoctor({
      log,
      cacheDir: config.image.cacheDir,
      hypervisor: agent.hypervisor,
      firecrackerBin: agent.firecracker.bin,
      jailerBin: agent.firecracker.jailerBin,
    });
    const choice = chooseHypervisor(report, agent.hypervisor);
    hypervisor = choice.hypervisor;
    log.info({ hypervisor, why: choice.why }, 'hypervisor chosen');
  }

  if (hypervisor === 'qemu') {
    const driver = await createQemuDriver({
      log,
      accel: agent.acceleration,
      probeImage: image,
    });
    return { driver, image };
  }
  if (!agent.firecracker.kernel) {
    throw new UserError(
      'agent.firecracker.kernel: Firecracker needs an uncompressed kernel ' +
        '(see "Production host" in the README)',
    );
  }
  const driver = createFirecrackerDriver({
    log,
    firecrackerBin: agent.firecracker.bin,
    jailerBin: agent.firecracker.jailerBin,
    jailer: agent.firecracker.jailer,
  });
  // Firecracker boots vmlinux directly, without our initramfs.
  const fcImage = { ...image, kernelPath: agent.firecracker.kernel };
  return { driver, image: fcImage };
}
