import { FirecrackerApiError, faultText } from './api-error.js';
import { resourcePath } from './api-call.js';
import type { ApiCall } from './api-call.js';
import type * as T from './api-types.js';
import { unixRequest } from './unix-http.js';

/** Go SDK practice: a request that takes longer than this is stuck. */
const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * A typed client for one Firecracker process's API socket. Each method is
 * one documented endpoint (reference/firecracker.md §1.5); PUT and PATCH
 * resolve on 204, GETs with the parsed 200 body. Any other status rejects
 * with a `FirecrackerApiError` carrying the status and Firecracker's
 * `fault_message`; transport failures reject with the socket error. The
 * client keeps no state besides the socket path, so it is safe to use
 * from several tasks, but Firecracker handles requests one at a time.
 */
export class FirecrackerClient {
  readonly #socketPath: string;
  readonly #timeoutMs: number;

  constructor(socketPath: string, opts: { timeoutMs?: number } = {}) {
    this.#socketPath = socketPath;
    this.#timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /** Sends one planned call; resolves with the parsed body, if any. */
  async send(call: ApiCall): Promise<unknown> {
    const body =
      call.body === undefined ? undefined : JSON.stringify(call.body);
    const res = await unixRequest({
      socketPath: this.#socketPath,
      method: call.method,
      path: call.path,
      body,
      timeoutMs: this.#timeoutMs,
    });
    if (res.status === 204) return undefined;
    if (res.status === 200) return res.body ? JSON.parse(res.body) : undefined;
    throw new FirecrackerApiError({
      status: res.status,
      faultMessage: faultText(res.body),
      method: call.method,
      path: call.path,
    });
  }

  describeInstance(): Promise<T.InstanceInfo> {
    return this.#get('/') as Promise<T.InstanceInfo>;
  }

  version(): Promise<{ firecracker_version: string }> {
    return this.#get('/version') as Promise<{ firecracker_version: string }>;
  }

  vmConfig(): Promise<T.FullVmConfiguration> {
    return this.#get('/vm/config') as Promise<T.FullVmConfiguration>;
  }

  putBootSource(body: T.BootSource): Promise<void> {
    return this.#put('/boot-source', body);
  }

  putDrive(body: T.Drive): Promise<void> {
    return this.#put(resourcePath('drives', body.drive_id), body);
  }

  patchDrive(body: T.PartialDrive): Promise<void> {
    return this.#patch(resourcePath('drives', body.drive_id), body);
  }

  putNetworkInterface(body: T.NetworkInterface): Promise<void> {
    return this.#put(resourcePath('network-interfaces', body.iface_id), body);
  }

  patchNetworkInterface(body: T.PartialNetworkInterface): Promise<void> {
    const path = resourcePath('network-interfaces', body.iface_id);
    return this.#patch(path, body);
  }

  machineConfig(): Promise<T.MachineConfiguration> {
    return this.#get('/machine-config') as Promise<T.MachineConfiguration>;
  }

  putMachineConfig(body: T.MachineConfiguration): Promise<void> {
    return this.#put('/machine-config', body);
  }

  patchMachineConfig(body: Partial<T.MachineConfiguration>): Promise<void> {
    return this.#patch('/machine-config', body);
  }

  putMmdsConfig(body: T.MmdsConfig): Promise<void> {
    return this.#put('/mmds/config', body);
  }

  /** Replaces the metadata store. The body is never logged or echoed. */
  putMmds(data: Record<string, unknown>): Promise<void> {
    return this.#send({ method: 'PUT', path: '/mmds', body: data });
  }

  /** RFC 7396 merge patch: a key set to `null` is deleted. */
  patchMmds(patch: Record<string, unknown>): Promise<void> {
    return this.#send({ method: 'PATCH', path: '/mmds', body: patch });
  }

  mmds(): Promise<Record<string, unknown>> {
    return this.#get('/mmds') as Promise<Record<string, unknown>>;
  }

  putLogger(body: T.LoggerConfig): Promise<void> {
    return this.#put('/logger', body);
  }

  putMetrics(body: T.MetricsConfig): Promise<void> {
    return this.#put('/metrics', body);
  }

  putSerial(body: T.SerialDevice): Promise<void> {
    return this.#put('/serial', body);
  }

  putEntropy(body: T.EntropyDevice): Promise<void> {
    return this.#put('/entropy', body);
  }

  putBalloon(body: T.Balloon): Promise<void> {
    return this.#put('/balloon', body);
  }

  patchBalloon(body: T.BalloonUpdate): Promise<void> {
    return this.#patch('/balloon', body);
  }

  balloon(): Promise<T.Balloon> {
    return this.#get('/balloon') as Promise<T.Balloon>;
  }

  action(actionType: T.ActionType): Promise<void> {
    return this.#put('/actions', { action_type: actionType });
  }

  setVmState(state: T.VmState['state']): Promise<void> {
    return this.#patch('/vm', { state });
  }

  createSnapshot(body: T.SnapshotCreateParams): Promise<void> {
    return this.#put('/snapshot/create', body);
  }

  loadSnapshot(body: T.SnapshotLoadParams): Promise<void> {
    return this.#put('/snapshot/load', body);
  }

  #get(path: string): Promise<unknown> {
    return this.send({ method: 'GET', path });
  }

  #put(path: string, body: object): Promise<void> {
    return this.#send({ method: 'PUT', path, body });
  }

  #patch(path: string, body: object): Promise<void> {
    return this.#send({ method: 'PATCH', path, body });
  }

  async #send(call: ApiCall): Promise<void> {
    await this.send(call);
  }
}
