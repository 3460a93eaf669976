import { run } from '../lib/process.js';
import type { RunResult } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

const TIMEOUT_MS = 10_000;

/** Runs `ip` with the given arguments (no shell), failing on non-zero. */
export function ip(args: string[], log: Logger): Promise<RunResult> {
  return run('ip', args, { log, timeoutMs: TIMEOUT_MS });
}

/** Runs a program inside a namespace via `ip netns exec`. */
export function inNetns(
  netns: string,
  file: string,
  args: string[],
  log: Logger,
  input?: string,
): Promise<RunResult> {
  return run('ip', ['netns', 'exec', netns, file, ...args], {
    log,
    input,
    timeoutMs: TIMEOUT_MS,
  });
}

/** Names of all named network namespaces (`ip netns list`). */
export async function listNetns(log: Logger): Promise<string[]> {
  const { stdout } = await ip(['netns', 'list'], log);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name !== '');
}

export async function netnsExists(name: string, log: Logger) {
  return (await listNetns(log)).includes(name);
}

/** Process ids running inside a namespace (`ip netns pids`). */
export async function netnsPids(name: string, log: Logger): Promise<number[]> {
  const { stdout } = await ip(['netns', 'pids', name], log);
  return stdout
    .split('\n')
    .filter((line) => /^[0-9]+$/.test(line))
    .map(Number);
}

/**
 * Kills every process left in the namespace, waits for them to go (a
 * namespace with live processes outlives `ip netns del`, keeping its tap
 * and rules), then deletes it. A missing namespace counts as done.
 * Returns the pids it had to kill.
 */
export async function removeNetns(
  name: string,
  log: Logger,
): Promise<number[]> {
  if (!(await netnsExists(name, log))) return [];

  const pids = await netnsPids(name, log);
  for (const pid of pids) killQuietly(pid);
  await waitUntilEmpty(name, log);
  await ip(['netns', 'del', name], log);

  if (await netnsExists(name, log)) {
    throw new Error(`namespace ${name} still exists after deletion`);
  }
  return pids;
}

async function waitUntilEmpty(name: string, log: Logger): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if ((await netnsPids(name, log)).length === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`processes in namespace ${name} did not exit`);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone between listing and killing: that is the goal anyway.
  }
}
