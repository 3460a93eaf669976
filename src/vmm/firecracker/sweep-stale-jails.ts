import { readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Logger } from '../../lib/logger.js';

/** Where a driver's jails and their cgroups live (see `vmLayout`). */
export interface JailPlaces {
  /** `<chrootBase>/<exec file name>`: one folder per jail id. */
  jailsDir: string;
  /** `<cgroup v2 mount>/<parent cgroup>`: one cgroup per jail id. */
  cgroupParent: string;
  /** Firecracker's file name; the jail's pid file is `<name>.pid`. */
  execName: string;
}

/** Ids the jailer accepts (`--id`, reference §2); nothing else is ours. */
const JAIL_ID = /^[A-Za-z0-9-]{1,64}$/;
const POLL_MS = 20;

/**
 * For agent start: removes the jails and cgroups that VMs of a killed
 * agent left behind, killing (SIGKILL) the Firecracker processes still in
 * them first: those in the VM's cgroup, and the one its pid file names if
 * that process still carries the jail's `--id` (a pid may have been
 * reused). The cgroup is removed once empty (waiting up to `waitMs`), then
 * the jail folder. Every jail under `jailsDir` and cgroup under
 * `cgroupParent` counts as stale: only call it when no VM of this driver
 * runs, on a host whose jail folder is firelab's alone. Returns the ids
 * removed; one that cannot be removed is logged and skipped.
 */
export async function sweepStaleJails(
  places: JailPlaces,
  log: Logger,
  opts: { waitMs?: number } = {},
): Promise<string[]> {
  for (const dir of [places.jailsDir, places.cgroupParent]) {
    if (!isAbsolute(dir) || dir.split('/').filter(Boolean).length < 2) {
      throw new Error(`refusing to sweep jails in ${JSON.stringify(dir)}`);
    }
  }
  const ids = new Set([
    ...(await subfolders(places.jailsDir)),
    ...(await subfolders(places.cgroupParent)),
  ]);

  const removed: string[] = [];
  for (const id of [...ids].filter((name) => JAIL_ID.test(name)).sort()) {
    try {
      const killed = await removeJail(places, id, opts.waitMs ?? 3_000);
      log.warn({ jail: id, killed }, 'removed stale Firecracker jail');
      removed.push(id);
    } catch (error) {
      log.error({ jail: id, err: error }, 'cannot remove stale jail');
    }
  }
  return removed;
}

async function removeJail(
  places: JailPlaces,
  id: string,
  waitMs: number,
): Promise<number[]> {
  const cgroup = join(places.cgroupParent, id);
  const jail = join(places.jailsDir, id);
  const pidFile = join(jail, 'root', `${places.execName}.pid`);
  const pids = new Set(parsePids(await readOptional(`${cgroup}/cgroup.procs`)));
  const jailed = parsePids(await readOptional(pidFile))[0];
  if (jailed && namesJail(await cmdline(jailed), id)) pids.add(jailed);

  for (const pid of pids) kill(pid);
  await waitUntil(() => allGone([...pids]), waitMs);
  await rmdirWhenEmpty(cgroup, waitMs);
  await rm(jail, { recursive: true, force: true });
  return [...pids];
}

/** Pids in the text of `cgroup.procs` or a pid file. Pure. */
export function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((word) => /^[1-9][0-9]*$/.test(word))
    .map(Number);
}

/**
 * Whether a process's NUL-separated command line carries `--id <id>`
 * (or `--id=<id>`), as the jailer starts Firecracker. Pure.
 */
export function namesJail(cmdlineText: string, id: string): boolean {
  const args = cmdlineText.split('\0');
  return args.some(
    (arg, i) => arg === `--id=${id}` || (arg === '--id' && args[i + 1] === id),
  );
}

/** A cgroup can go only once its last process has left (EBUSY before). */
async function rmdirWhenEmpty(dir: string, waitMs: number): Promise<void> {
  const giveUp = Date.now() + waitMs;
  for (;;) {
    try {
      return await rmdir(dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || Date.now() > giveUp) throw error;
    }
    await sleep(POLL_MS);
  }
}

async function allGone(pids: number[]): Promise<boolean> {
  for (const pid of pids) {
    const stat = await readOptional(`/proc/${pid}/stat`);
    // A zombie has left its cgroup; only its parent can reap it.
    if (stat && !/^\d+ \(.*\) Z /s.test(stat)) return false;
  }
  return true;
}

async function waitUntil(done: () => Promise<boolean>, ms: number) {
  const giveUp = Date.now() + ms;
  while (!(await done()) && Date.now() < giveUp) await sleep(POLL_MS);
}

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function subfolders(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

function cmdline(pid: number): Promise<string> {
  return readOptional(`/proc/${pid}/cmdline`);
}

function readOptional(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
