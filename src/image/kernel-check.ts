import type { Arch } from '../vmm/driver.js';
import type { KernelOption } from '../vmm/firecracker/kernel-config.js';

/**
 * The fragment options a finished `.config` does not have as asked.
 * Pure. `make olddefconfig` silently drops an option whose dependencies
 * are off or which this kernel version does not know, so after merging
 * this is the only place such a loss shows. An `n` option is kept when
 * the config says `is not set` or does not mention it.
 */
export function missingKernelOptions(
  configText: string,
  options: KernelOption[],
): KernelOption[] {
  const set = new Map<string, string>();
  for (const line of configText.split('\n')) {
    const match = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (match) set.set(match[1]!, match[2]!);
  }
  return options.filter((option) => {
    const value = set.get(option.name);
    return option.value === 'y' ? value !== 'y' : value === 'y';
  });
}

/** The first bytes of a kernel file that `kernelFormatProblem` needs. */
export const KERNEL_HEADER_BYTES = 64;

const EM_X86_64 = 62;

/**
 * Why a kernel file cannot boot on Firecracker for `arch`, or undefined.
 * Pure. x86_64 needs the uncompressed ELF `vmlinux` (64-bit, x86-64), not
 * a bzImage or vmlinuz; arm64 needs the uncompressed `Image`, which
 * carries the magic `ARM\x64` at byte 56 (reference §5).
 */
export function kernelFormatProblem(
  arch: Arch,
  header: Buffer,
): string | undefined {
  const gzip = header[0] === 0x1f && header[1] === 0x8b;
  if (gzip) return 'it is gzip-compressed; Firecracker needs it uncompressed';
  if (arch === 'arm64') {
    const magic = header.subarray(56, 60).toString('latin1');
    return magic === 'ARM\x64' ? undefined : 'not an arm64 Image';
  }
  if (header.subarray(0, 4).toString('latin1') !== '\x7fELF') {
    return 'not an ELF vmlinux (a bzImage or vmlinuz does not boot)';
  }
  if (header[4] !== 2 || header.readUInt16LE(18) !== EM_X86_64) {
    return 'an ELF file, but not a 64-bit x86-64 one';
  }
  return undefined;
}
