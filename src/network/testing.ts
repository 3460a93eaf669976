import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { childEnv, run, start } from '../lib/process.js';
import { startMmdsServer } from '../vmm/mmds/index.js';
import { GUEST_SCRIPT } from './guest-script.js';
import type { GuestResult } from './guest-script.js';
import { removeNetns } from './netns.js';
import { prepareVmNetwork } from './prepare.js';
import { metadataService } from './services.js';
import type { EgressOptions, VmNetworkLease } from './types.js';

/**
 * Helpers for the namespace tests only: they play the guest from a
 * namespace the test creates. Nothing here touches the root namespace's
 * interfaces, routes or firewall.
 */
const log = silentLogger();

/** Why the namespace tests cannot run here, or undefined if they can. */
export async function missingPrerequisite(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root to create namespaces';
  for (const tool of ['ip', 'nft', 'socat', 'ss']) {
    if (!(await onPath(tool))) return `${tool} is not installed`;
  }
  return undefined;
}

/** Whether `tool` is an executable on the PATH children get. */
export async function onPath(tool: string): Promise<boolean> {
  const dirs = (childEnv().PATH ?? '').split(':');
  for (const dir of dirs) {
    const ok = await access(join(dir, tool), constants.X_OK).then(
      () => true,
      () => false,
    );
    if (ok) return true;
  }
  return false;
}

/** A short id unique to this test run, valid as a VM id. */
export function testId(): string {
  return `t${randomBytes(4).toString('hex')}`;
}

/** Creates a namespace for the test and registers its removal. */
export async function addTestNetns(
  name: string,
  stack: CleanupStack,
): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  stack.push(`remove ${name}`, () => removeNetns(name, log).then(() => {}));
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** Gives the guest namespace's `eth0` its address and default route. */
export async function configureGuest(
  netns: string,
  lease: { guestIp: string; gatewayIp: string; prefixLength: number },
): Promise<void> {
  const ns = ['-n', netns];
  const cidr = `${lease.guestIp}/${lease.prefixLength}`;
  await run('ip', [...ns, 'addr', 'add', cidr, 'dev', 'eth0']);
  await run('ip', [...ns, 'link', 'set', 'eth0', 'up']);
  await run('ip', [...ns, 'route', 'add', 'default', 'via', lease.gatewayIp]);
}

/**
 * Runs `script` (an ES module printing JSON on stdout) with Node inside
 * `netns`, passing `arg` as its last argument; returns the parsed output.
 */
export async function runNodeIn(
  netns: string,
  script: string,
  arg: unknown,
): Promise<unknown> {
  const { stdout } = await run(
    'ip',
    [
      'netns',
      'exec',
      netns,
      process.execPath,
      '--input-type=module',
      '-',
      JSON.stringify(arg),
    ],
    { input: script, timeoutMs: 30_000 },
  );
  return JSON.parse(stdout);
}

/** Pids of live processes whose command line contains `text`. */
export async function pidsMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(
      () => '',
    );
    if (cmdline.split('\0').join(' ').includes(text)) pids.push(Number(entry));
  }
  return pids;
}

export async function netnsNames(): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'list']);
  return stdout.split('\n').map((line) => line.split(' ')[0] ?? '');
}

// Answers every connection with the peer address it saw, then closes.
const ECHO_SERVER = `
import { createServer } from 'node:net';
// Probes reset their connections at once; that must not end the server.
createServer((s) => s.on('error', () => {}).end(s.remoteAddress))
  .listen(7000, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

/** Port of the servers `startEchoServer` starts. */
export const ECHO_PORT = 7000;

/**
 * Starts, inside `netns`, a TCP server on every address at `ECHO_PORT`
 * that answers each connection with the source address it saw: what a
 * server out there would learn about the guest.
 */
export function startEchoServer(
  netns: string,
  stack: CleanupStack,
): Promise<void> {
  return startNodeServer(netns, ECHO_SERVER, null, stack);
}

/**
 * Runs `script` (an ES module that prints a line once it listens) with
 * Node inside `netns`, `arg` as JSON in its last argument; resolves once
 * it listens and stops it when `stack` runs.
 */
export async function startNodeServer(
  netns: string,
  script: string,
  arg: unknown,
  stack: CleanupStack,
): Promise<void> {
  const node = [process.execPath, '--input-type=module', '-'];
  const server = start(
    'ip',
    ['netns', 'exec', netns, ...node, JSON.stringify(arg)],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  stack.push('stop server', () => void server.kill('SIGKILL'));
  server.stdin?.end(script);
  await new Promise((resolve) => server.stdout?.once('data', resolve));
}

/**
 * A VM network with `egress`, whose guest is played from a namespace of
 * the test's (`flt-g-<id>`) with a metadata service behind it.
 */
export async function guestBehindNat(
  id: string,
  dir: string,
  egress: EgressOptions,
  stack: CleanupStack,
): Promise<{ lease: VmNetworkLease; guestNs: string }> {
  const guestNs = `flt-g-${id}`;
  await addTestNetns(guestNs, stack);
  const mmdsSock = join(dir, `${id}.sock`);
  const mmds = await startMmdsServer({
    socketPath: mmdsSock,
    data: { latest: { 'meta-data': { ok: 'yes' } } },
    log,
  });
  stack.push('close mmds', () => mmds.close());
  const lease = await prepareVmNetwork({
    vmId: id,
    workDir: join(dir, id),
    log,
    egress,
    attach: { kind: 'veth-for-test', peerNetns: guestNs },
    services: [metadataService(mmdsSock)],
  });
  stack.push('destroy', () => lease.destroy());
  await configureGuest(guestNs, lease);
  return { lease, guestNs };
}

/** Runs the guest script in `guestNs`: reads, probes, metadata. */
export async function probeFromGuest(
  guestNs: string,
  request: { mmds?: boolean; read?: string[]; probe?: string[] },
): Promise<GuestResult> {
  return (await runNodeIn(guestNs, GUEST_SCRIPT, {
    mmds: false,
    read: [],
    probe: [],
    ...request,
  })) as GuestResult;
}
