/**
 * Request and response bodies of the Firecracker v1.16 API, field for
 * field from the swagger definitions (reference/firecracker.md §1.5).
 * Optional fields are left out rather than sent as `null`: Firecracker
 * accepts `null`, but a strict schema validator does not (§1.4).
 */
export const FIRECRACKER_API_VERSION = '1.16.1';

export interface TokenBucket {
  size: number;
  refill_time: number;
  one_time_burst?: number;
}

export interface RateLimiter {
  bandwidth?: TokenBucket;
  ops?: TokenBucket;
}

export interface BootSource {
  kernel_image_path: string;
  boot_args?: string;
  initrd_path?: string;
}

export const CACHE_TYPES = ['Unsafe', 'Writeback'] as const;
export const IO_ENGINES = ['Sync', 'Async'] as const;

export interface Drive {
  drive_id: string;
  is_root_device: boolean;
  partuuid?: string;
  cache_type?: (typeof CACHE_TYPES)[number];
  is_read_only?: boolean;
  path_on_host?: string;
  rate_limiter?: RateLimiter;
  io_engine?: (typeof IO_ENGINES)[number];
  socket?: string;
}

export interface PartialDrive {
  drive_id: string;
  path_on_host?: string;
  rate_limiter?: RateLimiter;
}

export interface NetworkInterface {
  iface_id: string;
  host_dev_name: string;
  guest_mac?: string;
  mtu?: number;
  rx_rate_limiter?: RateLimiter;
  tx_rate_limiter?: RateLimiter;
}

export interface PartialNetworkInterface {
  iface_id: string;
  rx_rate_limiter?: RateLimiter;
  tx_rate_limiter?: RateLimiter;
}

export const CPU_TEMPLATES = [
  'C3',
  'T2',
  'T2S',
  'T2CL',
  'T2A',
  'V1N1',
  'None',
] as const;
export const HUGE_PAGES = ['None', '2M'] as const;

export interface MachineConfiguration {
  vcpu_count: number;
  mem_size_mib: number;
  smt?: boolean;
  /** Deprecated: Firecracker answers with `Deprecation: true`. */
  cpu_template?: (typeof CPU_TEMPLATES)[number];
  track_dirty_pages?: boolean;
  huge_pages?: (typeof HUGE_PAGES)[number];
}

export const MMDS_VERSIONS = ['V1', 'V2'] as const;

export interface MmdsConfig {
  network_interfaces: string[];
  version?: (typeof MMDS_VERSIONS)[number];
  ipv4_address?: string;
  imds_compat?: boolean;
}

export const LOG_LEVELS = [
  'Error',
  'Warning',
  'Info',
  'Debug',
  'Trace',
  'Off',
] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerConfig {
  level?: LogLevel;
  log_path?: string;
  show_level?: boolean;
  show_log_origin?: boolean;
  module?: string;
}

export interface MetricsConfig {
  metrics_path: string;
}

/** `PUT /serial` exists since 1.14; `rate_limiter` since 1.16. */
export interface SerialDevice {
  serial_out_path?: string;
  rate_limiter?: TokenBucket;
}

export interface EntropyDevice {
  rate_limiter?: RateLimiter;
}

export interface Balloon {
  amount_mib: number;
  deflate_on_oom: boolean;
  stats_polling_interval_s?: number;
  free_page_hinting?: boolean;
  free_page_reporting?: boolean;
}

export interface BalloonUpdate {
  amount_mib: number;
}

export const ACTION_TYPES = [
  'InstanceStart',
  'SendCtrlAltDel',
  'FlushMetrics',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface InstanceActionInfo {
  action_type: ActionType;
}

export const VM_STATES = ['Paused', 'Resumed'] as const;

export interface VmState {
  state: (typeof VM_STATES)[number];
}

export const SNAPSHOT_TYPES = ['Full', 'Diff'] as const;

export interface SnapshotCreateParams {
  mem_file_path: string;
  snapshot_path: string;
  snapshot_type?: (typeof SNAPSHOT_TYPES)[number];
}

export const MEM_BACKENDS = ['File', 'Uffd'] as const;

export interface SnapshotLoadParams {
  snapshot_path: string;
  mem_backend?: {
    backend_type: (typeof MEM_BACKENDS)[number];
    backend_path: string;
  };
  /** Deprecated in favour of `mem_backend`. */
  mem_file_path?: string;
  track_dirty_pages?: boolean;
  resume_vm?: boolean;
  network_overrides?: { iface_id: string; host_dev_name: string }[];
  vsock_override?: { uds_path: string };
  clock_realtime?: boolean;
}

export const INSTANCE_STATES = ['Not started', 'Running', 'Paused'] as const;

export interface InstanceInfo {
  app_name: string;
  id: string;
  state: (typeof INSTANCE_STATES)[number];
  vmm_version: string;
}

/** `GET /vm/config`: kebab-case keys, absent parts as `null`. */
export interface FullVmConfiguration {
  'boot-source': BootSource | null;
  drives: Drive[];
  'machine-config': MachineConfiguration | null;
  'network-interfaces': NetworkInterface[];
  'mmds-config': MmdsConfig | null;
  logger: LoggerConfig | null;
  metrics: MetricsConfig | null;
  balloon: Balloon | null;
  entropy: EntropyDevice | null;
  [key: string]: unknown;
}

/** The body of every Firecracker API error (§1.4). */
export interface FaultBody {
  fault_message: string;
}
