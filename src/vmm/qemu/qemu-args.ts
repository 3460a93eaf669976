import type { Arch, VmSpec } from '../driver.js';

export const ACCELERATIONS = ['kvm', 'tcg'] as const;
export type Acceleration = (typeof ACCELERATIONS)[number];

/**
 * Host facts that change the command line: `tscKhz` is passed to x86_64
 * guests under TCG (see `hostTscKhz`).
 */
export interface HostTuning {
  tscKhz?: number;
}

/** Files QEMU uses in a VM's work folder. */
export interface QemuPaths {
  overlay: string;
  qmpSocket: string;
  pidFile: string;
}

/** The init the guest runs when the image's boot args name none. */
export const DEFAULT_INIT = '/sbin/firelab-init';

const BINARIES = {
  x86_64: 'qemu-system-x86_64',
  arm64: 'qemu-system-aarch64',
} as const;

/** The QEMU system emulator for a guest architecture. */
export function qemuBinary(arch: Arch): string {
  return BINARIES[arch];
}

/** A kernel argument: no spaces or quotes, which would split or merge. */
const SAFE_ARG = /^[A-Za-z0-9_.,:/=@+-]+$/;

/**
 * The guest kernel command line. Pure. Only non-secret values: the
 * console, reboot and panic behaviour (a reboot or panic ends the VM under
 * `-no-reboot`), the root disk, the guest's address for its init, and
 * `spec.bootArgs` (whose `init=` replaces the default). Throws on an
 * argument with characters that would not survive the command line.
 */
export function kernelCmdline(
  spec: VmSpec,
  accel: Acceleration = 'kvm',
  tuning: HostTuning = {},
): string {
  const net = spec.network;
  const console = spec.arch === 'x86_64' ? 'ttyS0' : 'ttyAMA0';
  const base = [
    `console=${console}`,
    ...(spec.arch === 'x86_64' ? ['reboot=t'] : []),
    'panic=-1',
    'root=/dev/vda',
    'rw',
    `firelab.ip=${net.guestIp}/${net.prefixLength}`,
    `firelab.gw=${net.gatewayIp}`,
    ...tscArgs(spec.arch, accel, tuning),
  ];
  const hasInit = spec.bootArgs.some((arg) => arg.startsWith('init='));
  const args = [...base, ...(hasInit ? [] : [`init=${DEFAULT_INIT}`])];
  for (const arg of [...args, ...spec.bootArgs]) {
    if (!SAFE_ARG.test(arg)) throw new Error(`unsafe kernel argument ${arg}`);
  }
  return [...args, ...spec.bootArgs].join(' ');
}

/**
 * The full QEMU argument list for a VM (after the binary name). Pure.
 * x86_64 uses the `microvm` machine, arm64 `virt`; both get virtio-mmio
 * devices: the root disk (a qcow2 overlay) and one network card on the
 * tap device the network module prepared. The serial console goes to
 * `spec.consolePath`, control to a QMP socket.
 */
export function qemuArgs(
  spec: VmSpec,
  accel: Acceleration,
  paths: QemuPaths,
  tuning: HostTuning = {},
): string[] {
  const net = spec.network;
  return [
    ...machineArgs(spec.arch, accel),
    '-smp',
    String(spec.vcpus),
    '-m',
    `${spec.memoryMiB}M`,
    '-kernel',
    spec.kernelPath,
    ...(spec.initrdPath ? ['-initrd', spec.initrdPath] : []),
    '-append',
    kernelCmdline(spec, accel, tuning),
    '-drive',
    `id=root,if=none,format=qcow2,file=${opt(paths.overlay)}`,
    '-device',
    'virtio-blk-device,drive=root',
    '-netdev',
    `tap,id=net0,ifname=${opt(net.tap)},script=no,downscript=no`,
    '-device',
    `virtio-net-device,netdev=net0,mac=${net.mac}`,
    '-serial',
    `file:${spec.consolePath}`,
    '-qmp',
    `unix:${opt(paths.qmpSocket)},server=on,wait=off`,
    '-pidfile',
    paths.pidFile,
  ];
}

/**
 * Arguments for the KVM probe: the image's kernel and initramfs with
 * `probeArg`, which makes the initramfs power off at once; console on
 * stdout. Pure.
 */
function tscArgs(arch: Arch, accel: Acceleration, tuning: HostTuning) {
  const wanted = arch === 'x86_64' && accel === 'tcg' && tuning.tscKhz;
  return wanted ? [`tsc_early_khz=${tuning.tscKhz}`] : [];
}

export function probeArgs(
  image: { arch: Arch; kernelPath: string; initrdPath: string },
  accel: Acceleration,
  probeArg: string,
): string[] {
  const console = image.arch === 'x86_64' ? 'ttyS0' : 'ttyAMA0';
  const reboot = image.arch === 'x86_64' ? ' reboot=t' : '';
  return [
    ...machineArgs(image.arch, accel),
    '-m',
    '256M',
    '-kernel',
    image.kernelPath,
    '-initrd',
    image.initrdPath,
    '-append',
    `console=${console}${reboot} panic=-1 ${probeArg}`,
    '-serial',
    'stdio',
  ];
}

function machineArgs(arch: Arch, accel: Acceleration): string[] {
  return [
    '-M',
    arch === 'x86_64' ? 'microvm' : 'virt',
    '-nodefaults',
    '-no-user-config',
    '-nographic',
    '-no-reboot',
    '-accel',
    accel,
    '-cpu',
    accel === 'kvm' ? 'host' : 'max',
  ];
}

/** QEMU option values escape a comma by doubling it. */
function opt(value: string): string {
  return value.replaceAll(',', ',,');
}
