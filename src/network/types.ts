import type { VmNetwork } from '../vmm/driver.js';

/**
 * A service the VM may reach: TCP connections to `listenIp:port` inside the
 * VM's namespace are relayed to `target`. This is the only way traffic
 * leaves the VM in the default egress mode.
 */
export interface ExposedService {
  name: string;
  listenIp: string;
  port: number;
  target: { unixPath: string } | { host: string; port: number };
}

/** A prepared per-VM network; `destroy` removes every piece of it. */
export interface VmNetworkLease extends VmNetwork {
  destroy(): Promise<void>;
}
