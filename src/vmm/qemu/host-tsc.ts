import { readFile } from 'node:fs/promises';

/**
 * The host's TSC rate in kHz from /proc/cpuinfo text, or undefined. Pure.
 * Only trusted when the CPU says its TSC is constant (`constant_tsc`),
 * because then "cpu MHz" is the TSC rate on the hosts we run on.
 */
export function tscKhzFromCpuinfo(cpuinfo: string): number | undefined {
  const flags = /^flags\s*:(.*)$/m.exec(cpuinfo)?.[1]?.split(/\s+/) ?? [];
  const mhz = /^cpu MHz\s*:\s*([0-9.]+)$/m.exec(cpuinfo)?.[1];
  if (!flags.includes('constant_tsc') || mhz === undefined) return undefined;
  const khz = Math.round(Number(mhz) * 1000);
  return khz > 0 ? khz : undefined;
}

/**
 * Under TCG the guest's TSC ticks at the host's rate, but a loaded host
 * makes the guest kernel's PIT calibration of it fail, after which the
 * Debian kernel hangs early in boot. Telling the guest the rate skips
 * that calibration (`tsc_early_khz=`).
 */
export async function hostTscKhz(): Promise<number | undefined> {
  const text = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  return tscKhzFromCpuinfo(text);
}
