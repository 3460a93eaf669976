import * as T from '../api-types.js';
import type { Field, Schema } from './fake-schema.js';

/**
 * The request bodies of the Firecracker v1.16.1 API as the fake enforces
 * them, transcribed from reference/firecracker.md §1.5 (swagger plus the
 * serde rules the swagger does not state).
 */
const str: Field = { t: 'string' };
const bool: Field = { t: 'bool' };
const int: Field = { t: 'int' };
const oneOf = (values: readonly string[]): Field => ({
  t: 'string',
  enum: values,
});
const obj = (schema: Schema): Field => ({ t: 'object', schema });

/** Unknown keys are ignored in TokenBucket (§1.4 exceptions). */
const tokenBucket: Schema = {
  fields: { size: int, refill_time: int, one_time_burst: int },
  required: ['size', 'refill_time'],
  open: true,
};

const rateLimiter: Schema = {
  fields: { bandwidth: obj(tokenBucket), ops: obj(tokenBucket) },
  required: [],
};

export const SCHEMAS = {
  bootSource: {
    fields: { kernel_image_path: str, boot_args: str, initrd_path: str },
    required: ['kernel_image_path'],
  },
  drive: {
    fields: {
      drive_id: str,
      is_root_device: bool,
      partuuid: str,
      cache_type: oneOf(T.CACHE_TYPES),
      is_read_only: bool,
      path_on_host: str,
      rate_limiter: obj(rateLimiter),
      io_engine: oneOf(T.IO_ENGINES),
      socket: str,
    },
    required: ['drive_id', 'is_root_device'],
  },
  partialDrive: {
    fields: {
      drive_id: str,
      path_on_host: str,
      rate_limiter: obj(rateLimiter),
    },
    required: ['drive_id'],
  },
  networkInterface: {
    fields: {
      iface_id: str,
      host_dev_name: str,
      guest_mac: str,
      mtu: { t: 'int', min: 68, max: 65535 },
      rx_rate_limiter: obj(rateLimiter),
      tx_rate_limiter: obj(rateLimiter),
    },
    required: ['iface_id', 'host_dev_name'],
  },
  partialNetworkInterface: {
    fields: {
      iface_id: str,
      rx_rate_limiter: obj(rateLimiter),
      tx_rate_limiter: obj(rateLimiter),
    },
    required: ['iface_id'],
  },
  machineConfig: {
    fields: {
      vcpu_count: int,
      mem_size_mib: int,
      smt: bool,
      cpu_template: oneOf(T.CPU_TEMPLATES),
      track_dirty_pages: bool,
      huge_pages: oneOf(T.HUGE_PAGES),
    },
    required: ['vcpu_count', 'mem_size_mib'],
  },
  mmdsConfig: {
    fields: {
      network_interfaces: { t: 'array', of: str },
      version: oneOf(T.MMDS_VERSIONS),
      ipv4_address: str,
      imds_compat: bool,
    },
    required: ['network_interfaces'],
  },
  logger: {
    fields: {
      level: { t: 'string', enum: [...T.LOG_LEVELS, 'Warn'], caseless: true },
      log_path: str,
      show_level: bool,
      show_log_origin: bool,
      module: str,
    },
    required: [],
  },
  metrics: {
    fields: { metrics_path: str },
    required: ['metrics_path'],
    open: true,
  },
  serial: {
    fields: { serial_out_path: str, rate_limiter: obj(tokenBucket) },
    required: [],
  },
  entropy: { fields: { rate_limiter: obj(rateLimiter) }, required: [] },
  balloon: {
    fields: {
      amount_mib: int,
      deflate_on_oom: bool,
      stats_polling_interval_s: int,
      free_page_hinting: bool,
      free_page_reporting: bool,
    },
    required: ['amount_mib', 'deflate_on_oom'],
  },
  balloonUpdate: { fields: { amount_mib: int }, required: ['amount_mib'] },
  action: {
    fields: { action_type: oneOf(T.ACTION_TYPES) },
    required: ['action_type'],
  },
  vm: { fields: { state: oneOf(T.VM_STATES) }, required: ['state'] },
  snapshotCreate: {
    fields: {
      mem_file_path: str,
      snapshot_path: str,
      snapshot_type: oneOf(T.SNAPSHOT_TYPES),
    },
    required: ['mem_file_path', 'snapshot_path'],
  },
  snapshotLoad: {
    fields: {
      snapshot_path: str,
      mem_backend: obj({
        fields: { backend_type: oneOf(T.MEM_BACKENDS), backend_path: str },
        required: ['backend_type', 'backend_path'],
      }),
      mem_file_path: str,
      track_dirty_pages: bool,
      enable_diff_snapshots: bool,
      resume_vm: bool,
      network_overrides: {
        t: 'array',
        of: obj({
          fields: { iface_id: str, host_dev_name: str },
          required: ['iface_id', 'host_dev_name'],
        }),
      },
      vsock_override: obj({
        fields: { uds_path: str },
        required: ['uds_path'],
      }),
      clock_realtime: bool,
    },
    required: ['snapshot_path'],
  },
} satisfies Record<string, Schema>;
