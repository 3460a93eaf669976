import { createHash } from 'node:crypto';

/** Every namespace firelab creates starts with this. */
export const NETNS_PREFIX = 'fl-';

/** The guest-facing device inside a VM namespace. */
export const GUEST_DEVICE = 'tap0';

/** The uplink-facing veth inside a VM namespace (egress `nat` only). */
export const UPLINK_DEVICE = 'up0';

/** Where the guest finds its metadata, as on Firecracker and clouds. */
export const METADATA_IP = '169.254.169.254';

const VM_ID = /^[a-z0-9][a-z0-9-]{0,39}$/;

/**
 * The namespace name for a VM. Throws on ids outside `[a-z0-9-]` (at most
 * 40 characters) because the id ends up in file names and commands.
 */
export function netnsName(vmId: string): string {
  if (!VM_ID.test(vmId)) {
    throw new Error(`invalid VM id ${JSON.stringify(vmId)}: use [a-z0-9-]`);
  }
  return `${NETNS_PREFIX}${vmId}`;
}

/** True for names `netnsName` could have produced. */
export function isVmNetns(name: string): boolean {
  return (
    name.startsWith(NETNS_PREFIX) && VM_ID.test(name.slice(NETNS_PREFIX.length))
  );
}

/**
 * A stable, locally administered unicast MAC for a VM (`02:` then five
 * bytes of a hash of the id), so the same VM always gets the same MAC and
 * two VMs almost never share one.
 */
export function macFor(vmId: string): string {
  const hash = createHash('sha256').update(vmId).digest();
  const bytes = [0x02, ...hash.subarray(0, 5)];
  return bytes.map((b) => b.toString(16).padStart(2, '0')).join(':');
}

/** The uplink-side veth name: interface names allow only 15 bytes. */
export function uplinkPeerName(vmId: string): string {
  return `flv${createHash('sha256').update(vmId).digest('hex').slice(0, 10)}`;
}
