import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { childEnv, run } from '../lib/process.js';
import { removeNetns } from './netns.js';

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
