import { access, constants } from 'node:fs/promises';
import { errorMessage } from '../../lib/errors.js';
import type { Logger } from '../../lib/logger.js';
import { run } from '../../lib/process.js';
import type { Arch } from '../driver.js';
import { PROBE_ARG, PROBE_OK_LINE } from '../../image/initramfs-init.js';
import { probeArgs, qemuBinary } from './qemu-args.js';
import type { Acceleration } from './qemu-args.js';

export type AccelRequest = 'auto' | Acceleration;

/** The image parts the probe boots. */
export interface ProbeImage {
  arch: Arch;
  kernelPath: string;
  initrdPath: string;
}

const PROBE_TIMEOUT_MS = 20_000;

/**
 * Decides between KVM and TCG. `kvm` and `tcg` are taken as asked.
 * `auto` trusts KVM only after really booting `probeImage` with it (a
 * present /dev/kvm can still fail, e.g. nested under another hypervisor)
 * and otherwise falls back to TCG, saying why in `reason`.
 */
export async function probeAcceleration(opts: {
  requested: AccelRequest;
  probeImage?: ProbeImage;
  log: Logger;
}): Promise<{ accel: Acceleration; reason: string }> {
  if (opts.requested !== 'auto') {
    return { accel: opts.requested, reason: 'configured' };
  }
  if (!opts.probeImage) {
    return { accel: 'tcg', reason: 'no probe image to verify KVM with' };
  }
  const usable = await access('/dev/kvm', constants.R_OK | constants.W_OK)
    .then(() => true)
    .catch(() => false);
  if (!usable) return { accel: 'tcg', reason: '/dev/kvm is not usable' };

  const failure = await bootProbe(opts.probeImage, opts.log);
  if (failure) return { accel: 'tcg', reason: `KVM probe failed: ${failure}` };
  return { accel: 'kvm', reason: 'KVM probe booted' };
}

/** Boots the probe with KVM; returns why it failed, or undefined. */
async function bootProbe(
  image: ProbeImage,
  log: Logger,
): Promise<string | undefined> {
  const args = probeArgs(image, 'kvm', PROBE_ARG);
  try {
    const result = await run(qemuBinary(image.arch), args, {
      log,
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    if (result.stdout.includes(PROBE_OK_LINE)) return undefined;
    return 'the guest did not report back';
  } catch (error) {
    return lastLine(errorMessage(error));
  }
}

function lastLine(text: string): string {
  const lines = text.trim().split(/\s*\|\s*|\n/);
  return lines.slice(-2).join(' ');
}
