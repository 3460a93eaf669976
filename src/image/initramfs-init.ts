/** The kernel argument that makes the initramfs power off at once. */
export const PROBE_ARG = 'firelab.probe';

/** What the initramfs prints when booted with `PROBE_ARG`. */
export const PROBE_OK_LINE = 'firelab-initramfs: probe ok';

/** Default init of the root filesystem when the kernel has no `init=`. */
export const DEFAULT_GUEST_INIT = '/sbin/firelab-init';

/**
 * The `/init` script of firelab's initramfs, for busybox sh. Pure. It
 * loads `modules` (paths inside the initramfs, dependencies first), waits
 * for the root disk, mounts it read-write and `switch_root`s to `init=`
 * from the kernel command line, or `defaultInit`. On any failure it says
 * why on the console and reboots, which ends the VM under `-no-reboot`:
 * a stuck initramfs would otherwise hold the VM until its deadline. With
 * `firelab.probe` it reboots at once (the KVM probe boots it that way).
 */
export function initramfsInitScript(opts: {
  modules: readonly string[];
  defaultInit: string;
}): string {
  const insmods = opts.modules.map((m) => `insmod ${m} || say "no ${m}"`);
  return [
    '#!/bin/busybox sh',
    '/bin/busybox --install -s /bin',
    'export PATH=/bin',
    'say() { echo "firelab-initramfs: $*"; }',
    'die() { say "$*, powering off"; sync; reboot -f; sleep 60; }',
    'mount -t proc proc /proc',
    'mount -t sysfs sysfs /sys',
    'mount -t devtmpfs devtmpfs /dev',
    '',
    `init=${opts.defaultInit}`,
    'root=/dev/vda',
    'for arg in $(cat /proc/cmdline); do',
    '  case "$arg" in',
    `    ${PROBE_ARG}) echo "${PROBE_OK_LINE}"; reboot -f; sleep 60 ;;`,
    '    init=*) init="${arg#init=}" ;;',
    '    root=/dev/*) root="${arg#root=}" ;;',
    '  esac',
    'done',
    '',
    ...insmods,
    '',
    '# Devices appear asynchronously after their driver loads.',
    'i=0',
    'while [ ! -b "$root" ] && [ "$i" -lt 500 ]; do usleep 20000; i=$((i+1)); done',
    '[ -b "$root" ] || die "no root disk $root"',
    'mount -t ext4 -o rw "$root" /newroot || die "cannot mount $root"',
    '[ -x "/newroot$init" ] || die "no init $init in the root filesystem"',
    'mount --move /dev /newroot/dev',
    'umount /sys /proc',
    'say "switching to $init"',
    'exec switch_root /newroot "$init"',
    '',
  ].join('\n');
}
