export { prepareVmNetwork } from './prepare.js';
export { cleanupStaleNetworks } from './stale.js';
export { METADATA_IP, macFor, netnsName, isVmNetns } from './names.js';
export { DEFAULT_SUBNET, overlaps } from './plan.js';
export { TransitPool } from './transit-pool.js';
export { ensureUplink, removeUplink } from './uplink.js';
export { metadataService } from './services.js';
export type {
  AttachOptions,
  EgressOptions,
  ExposedService,
  PrepareNetworkOptions,
  VmNetworkLease,
} from './types.js';
