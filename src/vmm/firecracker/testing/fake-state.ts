import type * as T from '../api-types.js';

/** A reply of the fake API: 204 without body, 200 with, or a fault. */
export interface FakeReply {
  status: number;
  body?: unknown;
  /** Sets `Deprecation: true` (reference/firecracker.md §1.3). */
  deprecated?: boolean;
}

/** Everything the fake VMM has been configured with so far. */
export interface FakeState {
  id: string;
  arch: 'x86_64' | 'aarch64';
  /** Where jailed paths are rooted (the chroot); '' when not jailed. */
  root: string;
  mmdsLimit: number;
  started: boolean;
  paused: boolean;
  bootSource?: T.BootSource;
  drives: Map<string, T.Drive>;
  ifaces: Map<string, T.NetworkInterface>;
  machine: T.MachineConfiguration;
  mmdsConfig?: T.MmdsConfig;
  mmds: Record<string, unknown>;
  logger?: T.LoggerConfig;
  metrics?: T.MetricsConfig;
  serial?: T.SerialDevice;
  entropy?: T.EntropyDevice;
  balloon?: T.Balloon;
}

export function initialState(opts: {
  id: string;
  arch: FakeState['arch'];
  root?: string;
  mmdsLimit?: number;
}): FakeState {
  return {
    id: opts.id,
    arch: opts.arch,
    root: opts.root ?? '',
    mmdsLimit: opts.mmdsLimit ?? 51_200,
    started: false,
    paused: false,
    drives: new Map(),
    ifaces: new Map(),
    machine: { vcpu_count: 1, mem_size_mib: 128, smt: false },
    mmds: {},
  };
}

export const ok = (): FakeReply => ({ status: 204 });
export const data = (body: unknown): FakeReply => ({ status: 200, body });
export const fault = (message: string, status = 400): FakeReply => ({
  status,
  body: { fault_message: message },
});

/** `GET /vm/config`: kebab-case keys, `null` for what is absent. */
export function fullConfig(state: FakeState): T.FullVmConfiguration {
  return {
    balloon: state.balloon ?? null,
    drives: [...state.drives.values()],
    'boot-source': state.bootSource ?? null,
    'cpu-config': null,
    logger: state.logger ?? null,
    'machine-config': state.machine,
    metrics: state.metrics ?? null,
    'memory-hotplug': null,
    'mmds-config': state.mmdsConfig ?? null,
    'network-interfaces': [...state.ifaces.values()],
    pmem: [],
    vsock: null,
    entropy: state.entropy ?? null,
  };
}
