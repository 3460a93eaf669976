import type { Arch } from '../driver.js';

/** One Kconfig line: `CONFIG_<name>=<value>`, with why it is needed. */
export interface KernelOption {
  name: string;
  value: 'y' | 'n';
  why: string;
}

type Group = [why: string, names: string[]];

/** Both arches (reference/firecracker.md §5 and Docker's check-config). */
const COMMON: Group[] = [
  ['serial console', ['SERIAL_8250', 'SERIAL_8250_CONSOLE', 'PRINTK']],
  [
    'virtio-mmio devices',
    ['VIRTIO', 'VIRTIO_MMIO', 'VIRTIO_BLK', 'VIRTIO_NET'],
  ],
  ['entropy and balloon', ['HW_RANDOM_VIRTIO', 'VIRTIO_BALLOON']],
  ['vsock', ['VSOCKETS', 'VIRTIO_VSOCKETS']],
  ['initramfs and root fs', ['BLK_DEV_INITRD', 'EXT4_FS', 'TMPFS', 'DEVTMPFS']],
  ['Docker storage', ['OVERLAY_FS']],
  [
    'cgroups v2',
    [
      'CGROUPS',
      'MEMCG',
      'CGROUP_PIDS',
      'CGROUP_SCHED',
      'CPUSETS',
      'CGROUP_DEVICE',
      'CGROUP_FREEZER',
      'CGROUP_BPF',
      'BLK_CGROUP',
    ],
  ],
  [
    'namespaces',
    ['NAMESPACES', 'UTS_NS', 'IPC_NS', 'PID_NS', 'NET_NS', 'USER_NS'],
  ],
  ['seccomp for containers', ['SECCOMP', 'SECCOMP_FILTER']],
  [
    'container networking',
    ['BRIDGE', 'VETH', 'TUN', 'BRIDGE_NETFILTER', 'IP_MULTICAST'],
  ],
  [
    'netfilter core',
    [
      'NETFILTER',
      'NETFILTER_ADVANCED',
      'NF_CONNTRACK',
      'NF_NAT',
      'NETFILTER_XTABLES',
      'NETFILTER_XT_MATCH_ADDRTYPE',
      'NETFILTER_XT_MATCH_CONNTRACK',
      'NETFILTER_XT_MARK',
      'NETFILTER_XT_TARGET_MASQUERADE',
    ],
  ],
  [
    'iptables (legacy and nft)',
    [
      'IP_NF_IPTABLES',
      'IP_NF_FILTER',
      'IP_NF_NAT',
      'IP_NF_TARGET_MASQUERADE',
      'NF_TABLES',
      'NFT_NAT',
      'NFT_MASQ',
      'NFT_COMPAT',
      'NFT_CT',
    ],
  ],
  ['POSIX message queues for containers', ['POSIX_MQUEUE']],
  ['unix sockets and IPv4', ['UNIX', 'INET']],
];

const ARCH_GROUPS: Record<Arch, Group[]> = {
  x86_64: [
    [
      'KVM guest and clock',
      ['HYPERVISOR_GUEST', 'KVM_GUEST', 'PTP_1588_CLOCK', 'PTP_1588_CLOCK_KVM'],
    ],
    [
      'Ctrl+Alt+Del from SendCtrlAltDel',
      ['SERIO', 'SERIO_I8042', 'KEYBOARD_ATKBD', 'INPUT_KEYBOARD'],
    ],
    [
      'legacy boot: devices on the command line',
      ['VIRTIO_MMIO_CMDLINE_DEVICES'],
    ],
    ['PVH entry into the uncompressed vmlinux', ['PVH']],
  ],
  arm64: [
    ['devices from the FDT', ['ARM_AMBA', 'SERIAL_OF_PLATFORM', 'OF']],
    ['guest clock', ['RTC_DRV_PL031']],
  ],
};

/** Off: Firecracker guests have no loadable modules (§5, 6.1 configs). */
const OFF: Group[] = [['everything built in, no module loading', ['MODULES']]];

/**
 * The kernel config fragment a firelab guest needs on Firecracker and for
 * Docker inside it, for `arch`. Pure. Merge it over Firecracker's
 * `microvm-kernel-ci-<arch>-6.1.config` with the kernel's
 * `scripts/kconfig/merge_config.sh`; it adds what those lack for Docker
 * (TUN, NETFILTER_XT_MARK, NFT_MASQ, reference §5). x86_64 boots the
 * legacy way with virtio-mmio devices on the command line (the 6.1 CI
 * config uses ACPI instead), plus i8042 for Ctrl+Alt+Del; arm64 finds its
 * devices in the FDT. The build itself is documented, not run in CI.
 */
export function kernelConfigFragment(arch: Arch): KernelOption[] {
  const on = [...COMMON, ...ARCH_GROUPS[arch]].flatMap(([why, names]) =>
    names.map((name) => ({ name, value: 'y' as const, why })),
  );
  const off = OFF.flatMap(([why, names]) =>
    names.map((name) => ({ name, value: 'n' as const, why })),
  );
  return [...on, ...off];
}

/** The fragment as Kconfig text, one `CONFIG_X=y` or `# ... is not set`. */
export function renderKernelConfig(options: KernelOption[]): string {
  const lines = options.map((option) =>
    option.value === 'y'
      ? `CONFIG_${option.name}=y`
      : `# CONFIG_${option.name} is not set`,
  );
  return `${lines.join('\n')}\n`;
}
