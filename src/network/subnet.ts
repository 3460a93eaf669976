/** A point-to-point guest link: the gateway is .1, the guest .2. */
export interface Subnet {
  network: string;
  gatewayIp: string;
  guestIp: string;
  prefixLength: number;
}

/** Parses dotted-quad IPv4; throws on anything else. */
export function parseIpv4(text: string): number {
  const parts = text.split('.');
  const valid =
    parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p));
  const numbers = parts.map(Number);
  if (!valid || numbers.some((n) => n > 255)) {
    throw new Error(`invalid IPv4 address ${JSON.stringify(text)}`);
  }
  return numbers.reduce((acc, n) => acc * 256 + n, 0);
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** Parses `a.b.c.d/n`, returning the base address and prefix length. */
export function parseCidr(text: string): { base: number; prefix: number } {
  const [address = '', prefixText = '', ...rest] = text.split('/');
  const prefix = Number(prefixText);
  if (rest.length > 0 || !/^[0-9]{1,2}$/.test(prefixText) || prefix > 32) {
    throw new Error(`invalid IPv4 CIDR ${JSON.stringify(text)}`);
  }
  return { base: parseIpv4(address), prefix };
}

/**
 * Plans the guest link inside `cidr`: gateway at network+1, guest at
 * network+2. The prefix must leave room for both (at most /30), and host
 * bits in `cidr` are ignored.
 */
export function parseSubnet(cidr: string): Subnet {
  const { base, prefix } = parseCidr(cidr);
  if (prefix > 30 || prefix < 8) {
    throw new Error(`subnet ${cidr} must be between /8 and /30`);
  }

  const size = 2 ** (32 - prefix);
  const network = base - (base % size);
  return {
    network: formatIpv4(network),
    gatewayIp: formatIpv4(network + 1),
    guestIp: formatIpv4(network + 2),
    prefixLength: prefix,
  };
}
