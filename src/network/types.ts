import type { VmNetwork } from '../vmm/driver.js';
import type { Logger } from '../lib/logger.js';

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
  /** What egress `audit` let through beyond the allowlist, so far. */
  auditedEgress(): Promise<AuditedConnection[]>;
  destroy(): Promise<void>;
}

/** A destination a guest reached that `allowOnly` alone would block. */
export interface AuditedConnection {
  address: string;
  protocol: 'tcp' | 'udp';
  port: number;
}

/**
 * What the guest may reach besides the exposed services. `gitlab-only`
 * (the default) gives the namespace no route out at all. `nat` adds a veth
 * into `uplinkNetns` (addressed from the /30 `transitSubnet`, which must be
 * unique per VM within that namespace) and masquerades the guest behind
 * it; link-local and private destinations stay blocked unless listed in
 * `allow`, and when `allowOnly` is set nothing outside `allow` is reached.
 */
export type EgressOptions =
  | { mode: 'gitlab-only' }
  | {
      mode: 'nat';
      uplinkNetns: string;
      transitSubnet: string;
      allow?: string[];
      allowOnly?: boolean;
      /** With `allowOnly`: let the rest through, noting it (`auditedEgress`). */
      audit?: boolean;
    };

/**
 * How the guest side is attached. `tap` is the real thing: a tap device
 * the hypervisor opens, optionally owned by `owner`. `veth-for-test`
 * replaces the tap with a veth whose other end (`eth0`, carrying the
 * guest MAC) goes into `peerNetns`, so a test can play the guest from a
 * namespace it created.
 */
export type AttachOptions =
  | { kind: 'tap'; owner?: { uid: number; gid: number } }
  | { kind: 'veth-for-test'; peerNetns: string };

export interface PrepareNetworkOptions {
  /** Short id, `[a-z0-9-]`; the namespace is `fl-<vmId>`. */
  vmId: string;
  /** Folder owned by this VM; bridge sockets go under `<workDir>/net`. */
  workDir: string;
  services: ExposedService[];
  log: Logger;
  /** The guest link, an IPv4 CIDR of /30 or wider (default 10.0.0.0/30). */
  subnet?: string;
  egress?: EgressOptions;
  attach?: AttachOptions;
}
