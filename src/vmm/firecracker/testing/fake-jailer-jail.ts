import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  realpathSync,
  statSync,
  writeSync,
} from 'node:fs';
import type { Stats } from 'node:fs';
import { basename, join } from 'node:path';
import type { JailerArgs } from './fake-jailer-args.js';

/** What the fake jailer found and made, for the record file. */
export interface Jail {
  /** `<chroot base>/<exec file name>/<id>/root`. */
  root: string;
  execName: string;
  /** The staged files it checked (paths inside the jail). */
  staged: string[];
}

/** A jailer error: the message is printed and the jailer exits. */
export class JailerError extends Error {
  override name = 'JailerError';
}

/**
 * The jailer's file-system work, in its order (reference §3, jailer.md):
 * canonical chroot base and exec file, the netns handle, the chroot
 * `<base>/<exec name>/<id>/root` (an existing one is fine: callers stage
 * files into it first), a copy of the exec file owned by uid:gid (never
 * over a symlink or hard link), then `/`, `/dev`, `/dev/net` and `/run`
 * at 0700 owned by uid:gid. On top, what only a fake can say early: each
 * staged file must be a regular file Firecracker can open after dropping
 * to uid:gid (read, and write for the files given to the uid), since a
 * symlink would not resolve inside a chroot. Device nodes are not made:
 * the fake Firecracker opens none. Throws `JailerError`.
 */
export function buildJail(args: JailerArgs): Jail {
  const base = canonical(args.chrootBase, 'chroot base');
  if (!statSync(base).isDirectory()) fail(`${base} is not a directory`);
  const exec = canonical(args.execFile, 'exec file');
  if (!statSync(exec).isFile()) fail(`${exec} is not a file`);
  const execName = basename(exec);
  if (!execName.includes('firecracker')) {
    fail(`the exec file name must contain "firecracker": ${execName}`);
  }
  if (args.netns) checkNetns(args.netns);

  const root = join(base, execName, args.id, 'root');
  mkdirSync(root, { recursive: true });
  const staged = checkStaged(root, args, execName);
  copyExec(exec, join(root, execName), args);
  for (const dir of ['', 'dev', 'dev/net', 'run']) {
    const path = join(root, dir);
    mkdirSync(path, { recursive: true });
    chmodSync(path, 0o700);
    chownSync(path, args.uid, args.gid);
  }
  return { root, execName, staged };
}

/**
 * Writes `<root>/<exec name>.pid`, opened create-new as the jailer does
 * in every mode: a leftover jail of the same id fails here.
 */
export function writePidFile(jail: Jail, pid: number): void {
  const path = join(jail.root, `${jail.execName}.pid`);
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o644);
  } catch (error) {
    fail(`cannot create ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  writeSync(fd, String(pid));
  closeSync(fd);
}

/** The jailer opens the handle and setns()es into it; it must be one. */
function checkNetns(path: string): void {
  let handle: Stats;
  try {
    handle = statSync(path);
  } catch (error) {
    fail(`cannot open netns ${path}: ${(error as NodeJS.ErrnoException).code}`);
  }
  // Every namespace handle lives on nsfs: same device as our own.
  if (handle.dev !== statSync('/proc/self/ns/net').dev) {
    fail(`${path} is not a network namespace handle`);
  }
}

function checkStaged(
  root: string,
  args: JailerArgs,
  execName: string,
): string[] {
  const staged: string[] = [];
  const skip = new Set(['dev', 'run', execName]);
  for (const entry of readdirSync(root, { recursive: true })) {
    const name = String(entry);
    if (skip.has(name.split('/')[0]!)) continue;
    const path = join(root, name);
    const info = lstatSync(path);
    if (info.isSymbolicLink()) {
      fail(`/${name} is a symlink: it would not resolve inside the jail`);
    }
    if (!info.isFile()) continue;
    const problem = accessFor(info, args);
    if (problem) fail(`/${name} ${problem} for ${args.uid}:${args.gid}`);
    staged.push(`/${name}`);
  }
  if (staged.length === 0) fail(`nothing is staged in ${root}`);
  return staged.sort();
}

/** Mode bits as the dropped uid:gid sees them; its own files need rw. */
function accessFor(info: Stats, args: JailerArgs): string | undefined {
  const mine = info.uid === args.uid;
  const bits = mine
    ? (info.mode >> 6) & 7
    : info.gid === args.gid
      ? (info.mode >> 3) & 7
      : info.mode & 7;
  if ((bits & 4) === 0) return 'is not readable';
  if (mine && (bits & 2) === 0) return 'is owned but not writable';
  return undefined;
}

function copyExec(from: string, to: string, args: JailerArgs): void {
  const existing = lstatOptional(to);
  if (existing?.isSymbolicLink() || (existing && existing.nlink > 1)) {
    fail(`${to} is a symlink or hard link: not copying over it`);
  }
  copyFileSync(from, to);
  chmodSync(to, statSync(from).mode & 0o7777);
  chownSync(to, args.uid, args.gid);
}

function canonical(path: string, what: string): string {
  try {
    return realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(`cannot canonicalize ${what} ${path}: ${code}`);
  }
}

function lstatOptional(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

function fail(message: string): never {
  throw new JailerError(message);
}
