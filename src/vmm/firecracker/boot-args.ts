import type { VmSpec } from '../driver.js';
import { DEFAULT_INIT } from '../qemu/qemu-args.js';

/** A kernel argument: no spaces or quotes, which would split or merge. */
const SAFE_ARG = /^[A-Za-z0-9_.,:/=@+-]+$/;

/**
 * Firecracker's own boot-time defaults minus `8250.nr_uarts=0`, which
 * would silence the console we capture (reference/firecracker.md §5).
 * `reboot=k` makes a guest reboot end the process on x86; the i8042
 * options only skip slow probing, the keyboard controller stays for
 * SendCtrlAltDel. arm64 keeps the boot console as getting-started does.
 */
const BASE_ARGS = {
  x86_64: [
    'console=ttyS0',
    'reboot=k',
    'panic=1',
    'i8042.noaux',
    'i8042.nomux',
    'i8042.nopnp',
    'i8042.dumbkbd',
  ],
  arm64: ['keep_bootcon', 'console=ttyS0', 'reboot=k', 'panic=1'],
} as const;

/**
 * The guest kernel command line for Firecracker. Pure. Holds only
 * non-secret values: console and reboot behaviour, the guest's address
 * for its init (`firelab.ip`, `firelab.gw`, as under QEMU), the default
 * init unless `spec.bootArgs` names one, then `spec.bootArgs`. It leaves
 * out what Firecracker appends itself (`root=`, `rw`, `virtio_mmio.device=`,
 * `pci=off`). Firecracker logs this string and `/vm/config` echoes it, so
 * it must never carry a secret. Throws on an argument with characters
 * that would not survive the command line.
 */
export function firecrackerBootArgs(spec: VmSpec): string {
  const net = spec.network;
  const hasInit = spec.bootArgs.some((arg) => arg.startsWith('init='));
  const args = [
    ...BASE_ARGS[spec.arch],
    `firelab.ip=${net.guestIp}/${net.prefixLength}`,
    `firelab.gw=${net.gatewayIp}`,
    ...(hasInit ? [] : [`init=${DEFAULT_INIT}`]),
    ...spec.bootArgs,
  ];
  for (const arg of args) {
    if (!SAFE_ARG.test(arg)) throw new Error(`unsafe kernel argument ${arg}`);
  }
  return args.join(' ');
}
