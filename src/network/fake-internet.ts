import type { CleanupStack } from '../lib/cleanup.js';
import { run } from '../lib/process.js';
import { addTestNetns, startEchoServer, startNodeServer } from './testing.js';

/*
 * For tests only: a host and "the internet" built from namespaces the
 * test creates, so egress can be tried end to end without touching the
 * real host's interfaces, routes or firewall.
 */

/** A server on the internet (an echo server, see `startEchoServer`). */
export const INTERNET = '203.0.113.10';
/** The fake host's own address towards the internet. */
export const HOST = '192.0.2.2';
/** A DNS server on the internet (with `dns`). */
export const RESOLVER = '203.0.113.53';

/**
 * Namespace `flt-h-<id>` plays a host whose default route leads to
 * namespace `flt-i-<id>`, the internet, which answers on INTERNET (and
 * RESOLVER, with `dns`: name → address). The host runs an echo server of
 * its own on HOST, which no VM may reach.
 */
export async function fakeHostAndInternet(
  id: string,
  stack: CleanupStack,
  dns: Record<string, string> = {},
): Promise<{ hostNetns: string }> {
  const host = `flt-h-${id}`;
  const internet = `flt-i-${id}`;
  await addTestNetns(host, stack);
  await addTestNetns(internet, stack);
  const h = ['-n', host];
  const i = ['-n', internet];
  const veth = ['type', 'veth', 'peer', 'name', 'eth0', 'netns', internet];
  await run('ip', [...h, 'link', 'add', 'wan0', ...veth]);
  await run('ip', [...h, 'addr', 'add', `${HOST}/24`, 'dev', 'wan0']);
  await run('ip', [...h, 'link', 'set', 'wan0', 'up']);
  await run('ip', [...h, 'route', 'add', 'default', 'via', '192.0.2.1']);
  await run('ip', [...i, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0']);
  for (const address of [INTERNET, RESOLVER]) {
    await run('ip', [...i, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  }
  await run('ip', [...i, 'link', 'set', 'eth0', 'up']);
  await startEchoServer(internet, stack);
  await startEchoServer(host, stack);
  if (Object.keys(dns).length > 0) {
    await startNodeServer(internet, DNS_SERVER, dns, stack);
  }
  return { hostNetns: host };
}

// Answers A queries for the names it was given and nothing else (an
// empty answer, as for a name without IPv4): enough for a guest's libc.
const DNS_SERVER = `
import { createSocket } from 'node:dgram';
const names = JSON.parse(process.argv.at(-1));
const server = createSocket('udp4');
server.on('message', (query, peer) => {
  let at = 12;
  const labels = [];
  while (query[at] !== 0) {
    labels.push(query.subarray(at + 1, at + 1 + query[at]).toString());
    at += query[at] + 1;
  }
  const question = query.subarray(12, at + 5);
  const type = query.readUInt16BE(at + 1);
  const address = type === 1 ? names[labels.join('.').toLowerCase()] : undefined;
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2);
  header.writeUInt16BE(address || type !== 1 ? 0x8180 : 0x8183, 2);
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(address ? 1 : 0, 6);
  const answer = address
    ? Buffer.concat([
        Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]),
        Buffer.from(address.split('.').map(Number)),
      ])
    : Buffer.alloc(0);
  server.send(Buffer.concat([header, question, answer]), peer.port, peer.address);
});
server.bind(53, '${RESOLVER}', () => process.stdout.write('ready\\n'));
`;
