import { join } from 'node:path';
import type { JailerArgs } from './fake-jailer-args.js';

/** The environment variable that roots the fake Firecracker's paths. */
export const ROOT_ENV = 'FAKE_FIRECRACKER_ROOT';

/**
 * The command the fake jailer's shell `exec`s in its own place, so that
 * the pid the caller spawned becomes Firecracker's and its exit code is
 * Firecracker's, as with the real jailer in the foreground. Pure. Each
 * step is a real tool that execs the next: `nsenter` joins the netns
 * handle, `prlimit` sets the resource limits, `setpriv` drops to
 * uid:gid without supplementary groups, `env -i` leaves Firecracker an
 * empty environment but for `FAKE_FIRECRACKER_ROOT` (the fake cannot
 * chroot, so it resolves every path under the jail root instead). Then
 * the copy in the jail runs with the jailer's own flags (`--id`,
 * `--start-time-us`, `--start-time-cpu-us`, `--parent-cpu-time-us`)
 * followed by everything after `--`.
 */
export function execArgv(
  args: JailerArgs,
  jail: { root: string; execName: string },
  times: { startUs: number; startCpuUs: number; cpuUs: number },
): string[] {
  const netns = args.netns ? ['nsenter', `--net=${args.netns}`] : [];
  const { noFile, fsize } = args.limits;
  const limits = [
    'prlimit',
    `--nofile=${noFile}:${noFile}`,
    ...(fsize === undefined ? [] : [`--fsize=${fsize}:${fsize}`]),
  ];
  const drop = [
    'setpriv',
    `--reuid=${args.uid}`,
    `--regid=${args.gid}`,
    '--clear-groups',
  ];
  const env = ['env', '-i', `${ROOT_ENV}=${jail.root}`];
  const firecracker = [
    join(jail.root, jail.execName),
    ...['--id', args.id],
    ...['--start-time-us', String(times.startUs)],
    ...['--start-time-cpu-us', String(times.startCpuUs)],
    ...['--parent-cpu-time-us', String(times.cpuUs)],
    ...args.extra,
  ];
  return [...netns, ...limits, ...drop, ...env, ...firecracker];
}

/** `argv` as one POSIX shell command line, every word single-quoted. */
export function shellLine(argv: string[]): string {
  return argv.map((word) => `'${word.replaceAll("'", `'\\''`)}'`).join(' ');
}
