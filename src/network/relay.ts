import type { ChildProcess } from 'node:child_process';
import { exitOf, start } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';
import { inNetns } from './netns.js';

export interface Relay {
  readonly pid: number;
  /** Kills the relay and every connection it forked. Idempotent. */
  stop(): Promise<void>;
}

export interface RelayOptions {
  netns: string;
  listenIp: string;
  port: number;
  unixPath: string;
  log: Logger;
}

const READY_TIMEOUT_MS = 5_000;

/**
 * Starts a `socat` inside `netns` that accepts TCP on `listenIp:port` and
 * pipes each connection to the unix socket `unixPath` (path sockets are
 * reachable from every network namespace). Resolves once socat listens;
 * rejects, leaving nothing behind, if it exits or does not listen in
 * time. The relay runs in its own process group so `stop` also ends the
 * children socat forks per connection.
 */
export async function startRelay(opts: RelayOptions): Promise<Relay> {
  const listen = `TCP-LISTEN:${opts.port},bind=${opts.listenIp},fork,reuseaddr`;
  const child = start(
    'ip',
    [
      'netns',
      'exec',
      opts.netns,
      'socat',
      listen,
      `UNIX-CONNECT:${opts.unixPath}`,
    ],
    { log: opts.log, detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = exitOf(child);
  forwardStderr(child, opts.log);

  const relay = makeRelay(child, exited);
  try {
    await waitListening(opts, exited);
  } catch (error) {
    await relay.stop();
    throw error;
  }
  return relay;
}

function makeRelay(child: ChildProcess, exited: Promise<number>): Relay {
  let stopping: Promise<void> | undefined;
  const pid = child.pid ?? -1;
  const stop = async () => {
    signalGroup(pid, 'SIGTERM');
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 2_000);
    // Bounded: a relay that cannot be reaped must not hang `destroy`;
    // deleting the namespace kills whatever is left in it anyway.
    const gaveUp = new Promise<void>((resolve) => setTimeout(resolve, 5_000));
    await Promise.race([exited, gaveUp]);
    clearTimeout(timer);
    // Forked children may outlive the parent by a moment; end them too.
    signalGroup(pid, 'SIGKILL');
  };
  return { pid, stop: () => (stopping ??= stop()) };
}

async function waitListening(
  opts: RelayOptions,
  exited: Promise<number>,
): Promise<void> {
  let exitCode: number | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const wanted = `${opts.listenIp}:${opts.port}`;

  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      throw new Error(`socat for ${wanted} exited with ${exitCode}`);
    }
    const { stdout } = await inNetns(opts.netns, 'ss', ['-Hltn'], opts.log);
    if (stdout.split(/\s+/).includes(wanted)) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`socat for ${wanted} did not listen within 5 s`);
}

function forwardStderr(child: ChildProcess, log: Logger): void {
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    log.warn({ stderr: text.trim().slice(0, 500) }, 'relay said');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  if (pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}
