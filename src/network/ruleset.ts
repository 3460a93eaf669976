import { UPLINK_DEVICE } from './names.js';

export const TABLE = 'firelab';

/** Destinations a NATed guest never reaches unless explicitly allowed. */
export const BLOCKED_RANGES = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '224.0.0.0/3',
] as const;

export interface RulesetInput {
  device: string;
  guestIp: string;
  gatewayIp: string;
  endpoints: { ip: string; port: number }[];
  nat?: { allow: string[]; allowOnly: boolean; audit?: boolean };
}

/** The set in which `audit` records what `allowOnly` would have dropped. */
export const AUDIT_SET = 'egress_audit';

/**
 * The nftables ruleset for one VM namespace, as `nft -f` input. It deletes
 * and recreates table `inet firelab` in one transaction, so applying it
 * twice is harmless. From the guest device the namespace accepts only
 * replies, new TCP to the exposed endpoints from the guest's own address,
 * and pings to the gateway; IPv6 falls through to the final drop. Nothing
 * is forwarded unless `nat` is given, and the namespace itself cannot
 * open connections towards the guest.
 */
export function buildRuleset(input: RulesetInput): string {
  const dev = JSON.stringify(input.device);
  const lines = [
    `table inet ${TABLE}`,
    `delete table inet ${TABLE}`,
    `table inet ${TABLE} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    `    iifname != ${dev} accept`,
    '    ct state established,related accept',
    `    ip saddr != ${input.guestIp} drop`,
    ...input.endpoints.map(
      ({ ip, port }) =>
        `    ip daddr ${ip} tcp dport ${port} ct state new accept`,
    ),
    `    ip daddr ${input.gatewayIp} icmp type echo-request accept`,
    '    drop',
    '  }',
    '  chain output {',
    '    type filter hook output priority filter; policy accept;',
    `    oifname != ${dev} accept`,
    '    ct state established,related accept',
    '    drop',
    '  }',
    ...forwardChain(dev, input.guestIp, input.nat),
    '}',
  ];
  return `${lines.join('\n')}\n`;
}

function forwardChain(
  dev: string,
  guestIp: string,
  nat: RulesetInput['nat'],
): string[] {
  const head = [
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
  ];
  if (nat === undefined) return [...head, '  }'];

  const up = JSON.stringify(UPLINK_DEVICE);
  const out = `iifname ${dev} oifname ${up} ip saddr ${guestIp}`;
  const allow = nat.allow.length > 0 ? nat.allow.join(', ') : undefined;
  const audit = nat.allowOnly && nat.audit === true;
  // Audit lets through what only the allowlist would stop, and notes it
  // (new connections, TCP and UDP); the blocked ranges stay blocked.
  const beyondAllow = audit
    ? [
        `    ${out} ct state new meta l4proto { tcp, udp } add @${AUDIT_SET} { ip daddr . meta l4proto . th dport }`,
        `    ${out} accept`,
      ]
    : nat.allowOnly
      ? []
      : [`    ${out} accept`];
  return [
    ...(audit
      ? [
          `  set ${AUDIT_SET} {`,
          '    type ipv4_addr . inet_proto . inet_service',
          '    size 4096',
          '    flags dynamic',
          '  }',
        ]
      : []),
    ...head,
    `    iifname ${up} oifname ${dev} ct state established,related accept`,
    `    ${out} ip daddr 169.254.169.254 drop`,
    ...(allow ? [`    ${out} ip daddr { ${allow} } accept`] : []),
    `    ${out} ip daddr { ${BLOCKED_RANGES.join(', ')} } drop`,
    ...beyondAllow,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname ${up} ip saddr ${guestIp} masquerade`,
    '  }',
  ];
}
