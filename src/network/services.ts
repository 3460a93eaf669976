import { METADATA_IP } from './names.js';
import type { ExposedService } from './types.js';

/**
 * The service entry that makes the MMDS server on `unixPath` reachable at
 * http://169.254.169.254/ from the guest, where guests look for it.
 */
export function metadataService(unixPath: string): ExposedService {
  return {
    name: 'metadata',
    listenIp: METADATA_IP,
    port: 80,
    target: { unixPath },
  };
}
