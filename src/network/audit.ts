import type { Logger } from '../lib/logger.js';
import { inNetns } from './netns.js';
import { AUDIT_SET, TABLE } from './ruleset.js';
import type { AuditedConnection } from './types.js';

/** The destinations egress `audit` noted in a VM namespace. */
export async function readAudit(
  netns: string,
  log: Logger,
): Promise<AuditedConnection[]> {
  const { stdout } = await inNetns(
    netns,
    'nft',
    ['-j', 'list', 'set', 'inet', TABLE, AUDIT_SET],
    log,
  );
  return parseAuditSet(stdout);
}

/**
 * The elements of `nft -j list set` output for the audit set, sorted.
 * Pure; anything not shaped like an address . protocol . port is skipped.
 */
export function parseAuditSet(json: string): AuditedConnection[] {
  const doc = JSON.parse(json) as { nftables?: unknown[] };
  const found: AuditedConnection[] = [];
  for (const entry of doc.nftables ?? []) {
    const set = (entry as { set?: { elem?: unknown[] } }).set;
    for (const elem of set?.elem ?? []) {
      // Elements carry a timeout or counter when the set has one.
      const value = (elem as { elem?: { val?: unknown } }).elem?.val ?? elem;
      const concat = (value as { concat?: unknown[] }).concat;
      if (!Array.isArray(concat)) continue;
      const [address, protocol, port] = concat;
      if (
        typeof address === 'string' &&
        (protocol === 'tcp' || protocol === 'udp') &&
        typeof port === 'number'
      )
        found.push({ address, protocol, port });
    }
  }
  return found.sort(
    (a, b) =>
      a.address.localeCompare(b.address) ||
      a.protocol.localeCompare(b.protocol) ||
      a.port - b.port,
  );
}
