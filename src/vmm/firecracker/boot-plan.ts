import type { VmSpec } from '../driver.js';
import { resourcePath } from './api-call.js';
import type { ApiCall } from './api-call.js';
import type * as T from './api-types.js';
import { firecrackerBootArgs } from './boot-args.js';

/** Files as Firecracker sees them: inside the jail, when jailed. */
export interface BootPlanPaths {
  kernel: string;
  initrd?: string;
  /** The per-VM copy of the root image, never the golden image. */
  rootDisk: string;
  scratchDisk?: string;
  logFile: string;
  metricsFile: string;
}

export interface BootPlanOptions {
  logLevel?: T.LogLevel;
  /** Adds a virtio-rng device (default true): guests need entropy fast. */
  entropy?: boolean;
}

export const ROOT_DRIVE_ID = 'rootfs';
export const SCRATCH_DRIVE_ID = 'scratch';
export const GUEST_IFACE_ID = 'eth0';
export const MMDS_ADDRESS = '169.254.169.254';
/** Linux IFNAMSIZ is 16 including the terminating NUL. */
const MAX_TAP_NAME = 15;
const MAX_VCPUS = 32;

/**
 * The ordered Firecracker API calls that configure and start one VM.
 * Pure. Logger and metrics come first so nothing is logged to the
 * console stream; the network interface precedes `/mmds/config`, which
 * Firecracker refuses for unknown interfaces; `/mmds` follows its config;
 * InstanceStart is last (reference/firecracker.md §1.4, §1.5, §4). The
 * metadata appears only in the `/mmds` call, marked `secret`: Firecracker
 * logs every other body at Info level. Throws on a spec Firecracker would
 * refuse (vCPUs outside 1–32, a tap name over 15 characters).
 */
export function bootPlan(
  spec: VmSpec,
  paths: BootPlanPaths,
  options: BootPlanOptions = {},
): ApiCall[] {
  checkSpec(spec);
  return [
    ...telemetryCalls(paths, options),
    put('/machine-config', machineConfig(spec)),
    put('/boot-source', bootSource(spec, paths)),
    ...driveCalls(paths),
    ...networkCalls(spec),
    { method: 'PUT', path: '/mmds', body: spec.metadata, secret: true },
    ...(options.entropy === false ? [] : [put('/entropy', {})]),
    put('/actions', { action_type: 'InstanceStart' }),
  ];
}

function checkSpec(spec: VmSpec): void {
  const { vcpus, memoryMiB, network } = spec;
  if (!Number.isInteger(vcpus) || vcpus < 1 || vcpus > MAX_VCPUS) {
    throw new RangeError(`vcpus must be 1..${MAX_VCPUS}, got ${vcpus}`);
  }
  if (!Number.isInteger(memoryMiB) || memoryMiB < 1) {
    throw new RangeError(`memoryMiB must be a positive integer`);
  }
  if (network.tap.length === 0 || network.tap.length > MAX_TAP_NAME) {
    throw new RangeError(`tap name ${network.tap} is not 1..15 characters`);
  }
}

function telemetryCalls(
  paths: BootPlanPaths,
  options: BootPlanOptions,
): ApiCall[] {
  const logger: T.LoggerConfig = {
    log_path: paths.logFile,
    level: options.logLevel ?? 'Info',
    show_level: true,
    show_log_origin: false,
  };
  const metrics: T.MetricsConfig = { metrics_path: paths.metricsFile };
  return [put('/logger', logger), put('/metrics', metrics)];
}

function machineConfig(spec: VmSpec): T.MachineConfiguration {
  return { vcpu_count: spec.vcpus, mem_size_mib: spec.memoryMiB, smt: false };
}

function bootSource(spec: VmSpec, paths: BootPlanPaths): T.BootSource {
  return {
    kernel_image_path: paths.kernel,
    boot_args: firecrackerBootArgs(spec),
    ...(paths.initrd === undefined ? {} : { initrd_path: paths.initrd }),
  };
}

function driveCalls(paths: BootPlanPaths): ApiCall[] {
  const root: T.Drive = {
    drive_id: ROOT_DRIVE_ID,
    is_root_device: true,
    is_read_only: false,
    path_on_host: paths.rootDisk,
  };
  const calls = [put(resourcePath('drives', ROOT_DRIVE_ID), root)];
  if (paths.scratchDisk === undefined) return calls;

  const scratch: T.Drive = {
    drive_id: SCRATCH_DRIVE_ID,
    is_root_device: false,
    is_read_only: false,
    path_on_host: paths.scratchDisk,
  };
  return [...calls, put(resourcePath('drives', SCRATCH_DRIVE_ID), scratch)];
}

function networkCalls(spec: VmSpec): ApiCall[] {
  const iface: T.NetworkInterface = {
    iface_id: GUEST_IFACE_ID,
    host_dev_name: spec.network.tap,
    guest_mac: spec.network.mac,
  };
  const mmds: T.MmdsConfig = {
    network_interfaces: [GUEST_IFACE_ID],
    version: 'V2',
    ipv4_address: MMDS_ADDRESS,
  };
  return [
    put(resourcePath('network-interfaces', GUEST_IFACE_ID), iface),
    put('/mmds/config', mmds),
  ];
}

function put(path: string, body: object): ApiCall {
  return { method: 'PUT', path, body };
}
