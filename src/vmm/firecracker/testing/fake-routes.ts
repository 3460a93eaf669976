import type * as T from '../api-types.js';
import { cannotCreate, cannotOpen } from './fake-files.js';
import { SCHEMAS } from './fake-schemas.js';
import type { Schema } from './fake-schema.js';
import { data, fault, fullConfig, ok } from './fake-state.js';
import type { FakeReply, FakeState } from './fake-state.js';
import { mmdsRoutes } from './fake-mmds-routes.js';

/** Side effects the process shell performs for the API. */
export interface FakeEffects {
  /** Starts the simulated guest; returns a fault text to refuse. */
  start(): string | undefined;
  ctrlAltDel(): void;
  flushMetrics(): void;
}

export interface Route {
  schema?: Schema;
  /** When the call is allowed relative to InstanceStart. */
  phase: 'pre' | 'post' | 'any';
  /** The body member that must equal the path id. */
  idField?: string;
  run(state: FakeState, body: unknown, fx: FakeEffects): FakeReply;
}

const MAX_VCPUS = 32;

/** Route keys are `METHOD /path`, with `{id}` for per-resource paths. */
export const ROUTES: Record<string, Route> = {
  'GET /': {
    phase: 'any',
    run: (s) =>
      data({
        app_name: 'Firecracker',
        id: s.id,
        state: s.started ? (s.paused ? 'Paused' : 'Running') : 'Not started',
        vmm_version: '1.16.1',
      }),
  },
  'GET /version': {
    phase: 'any',
    run: () => data({ firecracker_version: '1.16.1' }),
  },
  'GET /vm/config': { phase: 'any', run: (s) => data(fullConfig(s)) },
  'GET /machine-config': { phase: 'any', run: (s) => data(s.machine) },
  'PUT /boot-source': {
    schema: SCHEMAS.bootSource,
    phase: 'pre',
    run: (s, body) => {
      const b = body as T.BootSource;
      const problem =
        cannotOpen(s, b.kernel_image_path, 'read') ??
        (b.initrd_path ? cannotOpen(s, b.initrd_path, 'read') : undefined);
      if (problem) return fault(`Kernel or initrd: ${problem}`);
      s.bootSource = b;
      return ok();
    },
  },
  'PUT /drives/{id}': {
    schema: SCHEMAS.drive,
    phase: 'pre',
    idField: 'drive_id',
    run: putDrive,
  },
  'PATCH /drives/{id}': {
    schema: SCHEMAS.partialDrive,
    phase: 'post',
    idField: 'drive_id',
    run: (s, body) => {
      const b = body as T.PartialDrive;
      if (!s.drives.has(b.drive_id)) return fault('Drive not found.');
      return ok();
    },
  },
  'PUT /network-interfaces/{id}': {
    schema: SCHEMAS.networkInterface,
    phase: 'pre',
    idField: 'iface_id',
    run: putInterface,
  },
  'PATCH /network-interfaces/{id}': {
    schema: SCHEMAS.partialNetworkInterface,
    phase: 'post',
    idField: 'iface_id',
    run: (s, body) => {
      const b = body as T.PartialNetworkInterface;
      return s.ifaces.has(b.iface_id) ? ok() : fault('Interface not found.');
    },
  },
  'PUT /machine-config': {
    schema: SCHEMAS.machineConfig,
    phase: 'pre',
    run: (s, body) => setMachine(s, body as T.MachineConfiguration),
  },
  'PATCH /machine-config': {
    schema: SCHEMAS.machineConfig,
    phase: 'pre',
    run: (s, body) => {
      const patch = body as Partial<T.MachineConfiguration>;
      if (Object.keys(patch).length === 0) return fault('Empty PATCH.');
      return setMachine(s, { ...s.machine, ...patch });
    },
  },
  ...mmdsRoutes(),
  'PUT /logger': {
    schema: SCHEMAS.logger,
    phase: 'pre',
    run: (s, body) => {
      const b = body as T.LoggerConfig;
      const problem = b.log_path ? cannotCreate(s, b.log_path) : undefined;
      if (problem) return fault(`Logger: ${problem}`);
      s.logger = b;
      return ok();
    },
  },
  'PUT /metrics': {
    schema: SCHEMAS.metrics,
    phase: 'pre',
    run: (s, body) => {
      if (s.metrics) return fault('Reinitialization of metrics not allowed.');
      const b = body as T.MetricsConfig;
      const problem = cannotCreate(s, b.metrics_path);
      if (problem) return fault(`Metrics: ${problem}`);
      s.metrics = { metrics_path: b.metrics_path };
      return ok();
    },
  },
  'PUT /serial': {
    schema: SCHEMAS.serial,
    phase: 'pre',
    run: (s, body) => {
      const b = body as T.SerialDevice;
      const path = b.serial_out_path;
      const problem = path ? cannotOpen(s, path, 'read-write') : undefined;
      if (problem) return fault(`Serial: ${problem}`);
      s.serial = b;
      return ok();
    },
  },
  'PUT /entropy': {
    schema: SCHEMAS.entropy,
    phase: 'pre',
    run: (s, body) => ((s.entropy = body as T.EntropyDevice), ok()),
  },
  'PUT /balloon': {
    schema: SCHEMAS.balloon,
    phase: 'pre',
    run: (s, body) => ((s.balloon = body as T.Balloon), ok()),
  },
  'PATCH /balloon': {
    schema: SCHEMAS.balloonUpdate,
    phase: 'post',
    run: (s) => (s.balloon ? ok() : fault('No balloon device configured.')),
  },
  'GET /balloon': {
    phase: 'any',
    run: (s) => (s.balloon ? data(s.balloon) : fault('No balloon device.')),
  },
  'PUT /actions': { schema: SCHEMAS.action, phase: 'any', run: runAction },
  'PATCH /vm': {
    schema: SCHEMAS.vm,
    phase: 'post',
    run: (s, body) => {
      s.paused = (body as T.VmState).state === 'Paused';
      return ok();
    },
  },
  'PUT /snapshot/create': {
    schema: SCHEMAS.snapshotCreate,
    phase: 'post',
    run: (s) => (s.paused ? ok() : fault('The microVM must be paused.')),
  },
  'PUT /snapshot/load': {
    schema: SCHEMAS.snapshotLoad,
    phase: 'pre',
    run: loadSnapshot,
  },
};

function putDrive(s: FakeState, body: unknown): FakeReply {
  const b = body as T.Drive;
  if (b.socket !== undefined || b.path_on_host === undefined) {
    return fault('virtio-block drives need path_on_host and no socket.');
  }
  const mode = b.is_read_only ? 'read' : 'read-write';
  const problem = cannotOpen(s, b.path_on_host, mode);
  if (problem) return fault(`Unable to open the block device: ${problem}`);
  const otherRoot = [...s.drives.values()].some(
    (d) => d.is_root_device && d.drive_id !== b.drive_id,
  );
  if (b.is_root_device && otherRoot) {
    return fault('A root block device already exists!');
  }
  s.drives.set(b.drive_id, b);
  return ok();
}

function putInterface(s: FakeState, body: unknown): FakeReply {
  const b = body as T.NetworkInterface;
  if (b.host_dev_name.length === 0 || b.host_dev_name.length > 15) {
    return fault(`Could not create the network device: bad tap name.`);
  }
  if (
    b.guest_mac &&
    !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(b.guest_mac)
  ) {
    return fault(`Invalid MAC address ${b.guest_mac}.`);
  }
  s.ifaces.set(b.iface_id, b);
  return ok();
}

function setMachine(s: FakeState, m: T.MachineConfiguration): FakeReply {
  if (m.vcpu_count < 1 || m.vcpu_count > MAX_VCPUS) {
    return fault('The vCPU number is invalid!');
  }
  if (m.smt && s.arch === 'aarch64') return fault('SMT is x86 only.');
  if (m.smt && m.vcpu_count > 1 && m.vcpu_count % 2 === 1) {
    return fault('The vCPU number is invalid! It must be 1 or even with SMT.');
  }
  if (m.mem_size_mib < 1) return fault('The memory size (MiB) is invalid.');
  if (m.huge_pages === '2M' && m.mem_size_mib % 2 === 1) {
    return fault('The memory size must be a multiple of the huge page size.');
  }
  s.machine = m;
  return { status: 204, deprecated: m.cpu_template !== undefined };
}

function runAction(s: FakeState, body: unknown, fx: FakeEffects): FakeReply {
  const action = (body as T.InstanceActionInfo).action_type;
  if (action === 'InstanceStart') {
    if (s.started) return fault(AFTER_START);
    if (!s.bootSource) return fault('Cannot start microvm without kernel.');
    const refusal = fx.start();
    if (refusal) return fault(`Failed to start microVM: ${refusal}`);
    s.started = true;
    return ok();
  }
  if (!s.started) return fault(BEFORE_START);
  if (action === 'SendCtrlAltDel') {
    if (s.arch === 'aarch64') {
      return fault('SendCtrlAltDel does not supported on aarch64.');
    }
    fx.ctrlAltDel();
  } else {
    fx.flushMetrics();
  }
  return ok();
}

function loadSnapshot(s: FakeState, body: unknown): FakeReply {
  const b = body as T.SnapshotLoadParams & { enable_diff_snapshots?: boolean };
  const fresh = !s.bootSource && s.drives.size === 0 && s.ifaces.size === 0;
  if (!fresh) {
    return fault('Loading a microVM snapshot not allowed after configuring.');
  }
  if ((b.mem_backend === undefined) === (b.mem_file_path === undefined)) {
    return fault('Exactly one of mem_backend or mem_file_path is required.');
  }
  const deprecated =
    b.mem_file_path !== undefined || b.enable_diff_snapshots !== undefined;
  return { status: 204, deprecated };
}

export const AFTER_START =
  'The requested operation is not supported after starting the microVM.';
export const BEFORE_START =
  'The requested operation is not supported before starting the microVM.';
