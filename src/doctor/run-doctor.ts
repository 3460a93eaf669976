import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger.js';
import { readCachedImage } from '../image/image-cache.js';
import type { ProbeImage } from '../vmm/qemu/probe-acceleration.js';
import type { DoctorReport, HypervisorChoice } from './doctor-types.js';
import { makeReport } from './format-report.js';
import * as host from './host-checks.js';

export interface DoctorOptions {
  log: Logger;
  /** Image cache folder: checked for an image, which also probes KVM. */
  cacheDir: string;
  hypervisor: HypervisorChoice;
  firecrackerBin?: string;
  jailerBin?: string;
  minFreeDiskGiB?: number;
  minFreeMemoryMiB?: number;
}

/**
 * Checks whether this host can run firelab VMs and says what to fix. KVM
 * is tested by booting the cached image's kernel with it (a present
 * /dev/kvm is not enough). Firecracker, jailer, KVM and cgroup v2 are
 * fatal only when Firecracker is configured; otherwise a failure just
 * steers `chooseHypervisor` to QEMU. Changes nothing on the host.
 */
export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
  const needFc = opts.hypervisor === 'firecracker' ? 'fatal' : 'warn';
  const probeImage = await findProbeImage(opts.cacheDir);
  const checks = await Promise.all([
    host.checkKvm(probeImage, needFc, opts.log),
    host.checkBinary(
      'firecracker',
      opts.firecrackerBin ?? 'firecracker',
      needFc,
      opts.log,
    ),
    host.checkBinary('jailer', opts.jailerBin ?? 'jailer', 'warn', opts.log),
    host.checkCgroupV2(needFc),
    host.checkCommand(
      'nftables',
      'nft',
      ['list', 'tables'],
      'install nftables and run the agent as root',
    ),
    host.checkCommand('ip', 'ip', ['-V'], 'install iproute2'),
    host.checkIpForwarding(),
    host.checkDisk(opts.cacheDir, opts.minFreeDiskGiB ?? 20),
    host.checkMemory(opts.minFreeMemoryMiB ?? 2048),
    host.checkImage(opts.cacheDir),
    host.checkClock(),
  ]);
  return makeReport(checks, new Date());
}

async function findProbeImage(
  cacheDir: string,
): Promise<ProbeImage | undefined> {
  const native = process.arch === 'x64' ? 'x86_64' : 'arm64';
  for (const name of await readdir(cacheDir).catch(() => [] as string[])) {
    const image = await readCachedImage(join(cacheDir, name));
    if (image?.arch === native) return image;
  }
  return undefined;
}
