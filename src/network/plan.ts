import { join } from 'node:path';
import { GUEST_DEVICE, macFor, METADATA_IP, netnsName } from './names.js';
import { parseCidr, parseIpv4, parseSubnet } from './subnet.js';
import type { Subnet } from './subnet.js';
import type {
  AttachOptions,
  EgressOptions,
  ExposedService,
  PrepareNetworkOptions,
} from './types.js';

/** Everything `prepareVmNetwork` will build, decided before any I/O. */
export interface NetworkPlan {
  vmId: string;
  netns: string;
  device: string;
  mac: string;
  subnet: Subnet;
  /** Extra /32 addresses on the guest device (metadata IP first). */
  extraIps: string[];
  services: ExposedService[];
  attach: AttachOptions;
  egress: EgressOptions;
  socketDir: string;
}

export const DEFAULT_SUBNET = '10.0.0.0/30';

/** Characters that are safe inside a socat address argument. */
const SAFE_PATH = /^\/[A-Za-z0-9_./-]+$/;

/**
 * Validates the options and decides names and addresses. Pure: throws a
 * message naming the bad option, and touches nothing on the host.
 */
export function planNetwork(opts: PrepareNetworkOptions): NetworkPlan {
  const netns = netnsName(opts.vmId);
  const subnet = parseSubnet(opts.subnet ?? DEFAULT_SUBNET);
  const socketDir = join(opts.workDir, 'net');
  checkPath(socketDir, 'workDir');
  opts.services.forEach((service) => checkService(service, subnet));
  checkUnique(opts.services);
  const egress = opts.egress ?? { mode: 'gitlab-only' };
  if (egress.mode === 'nat') checkEgress(egress, subnet);

  const listenIps = opts.services.map((s) => s.listenIp);
  const extraIps = [...new Set([METADATA_IP, ...listenIps])].filter(
    (ip) => ip !== subnet.gatewayIp,
  );
  return {
    vmId: opts.vmId,
    netns,
    device: GUEST_DEVICE,
    mac: macFor(opts.vmId),
    subnet,
    extraIps,
    services: opts.services,
    attach: opts.attach ?? { kind: 'tap' },
    egress,
    socketDir,
  };
}

function checkService(service: ExposedService, subnet: Subnet): void {
  const where = `service ${JSON.stringify(service.name)}`;
  if (!/^[a-z0-9][a-z0-9-]{0,30}$/.test(service.name)) {
    throw new Error(`${where}: name must be [a-z0-9-], at most 31 chars`);
  }
  parseIpv4(service.listenIp);
  if (service.listenIp === subnet.guestIp) {
    throw new Error(`${where}: cannot listen on the guest's own address`);
  }
  checkPort(service.port, where);
  if ('unixPath' in service.target) {
    checkPath(service.target.unixPath, `${where} target`);
  } else {
    checkPort(service.target.port, `${where} target`);
  }
}

function checkUnique(services: ExposedService[]): void {
  const names = new Set<string>();
  const endpoints = new Set<string>();
  for (const { name, listenIp, port } of services) {
    const endpoint = `${listenIp}:${port}`;
    if (names.has(name) || endpoints.has(endpoint)) {
      throw new Error(`service ${name} (${endpoint}) is listed twice`);
    }
    names.add(name);
    endpoints.add(endpoint);
  }
}

function checkEgress(
  egress: Extract<EgressOptions, { mode: 'nat' }>,
  subnet: Subnet,
): void {
  const transit = parseSubnet(egress.transitSubnet);
  if (transit.prefixLength !== 30) {
    throw new Error('egress transitSubnet must be a /30');
  }
  if (
    overlaps(egress.transitSubnet, `${subnet.network}/${subnet.prefixLength}`)
  ) {
    throw new Error('egress transitSubnet overlaps the guest subnet');
  }
  (egress.allow ?? []).forEach(parseCidr);
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(egress.uplinkNetns)) {
    throw new Error('egress uplinkNetns is not a valid namespace name');
  }
}

/** Whether two IPv4 CIDRs share an address (host bits ignored). */
export function overlaps(a: string, b: string): boolean {
  const range = (cidr: string) => {
    const { base, prefix } = parseCidr(cidr);
    const size = 2 ** (32 - prefix);
    const start = base - (base % size);
    return [start, start + size - 1] as const;
  };
  const [aStart, aEnd] = range(a);
  const [bStart, bEnd] = range(b);
  return aStart <= bEnd && bStart <= aEnd;
}

function checkPort(port: number, where: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`${where}: port ${port} is not in 1..65535`);
  }
}

function checkPath(path: string, where: string): void {
  // Unix socket paths are limited to 107 bytes, and socat parses `,` `:`.
  if (!SAFE_PATH.test(path) || Buffer.byteLength(path) > 90) {
    throw new Error(
      `${where}: ${path} must be absolute, at most 90 bytes, [A-Za-z0-9_./-]`,
    );
  }
}
