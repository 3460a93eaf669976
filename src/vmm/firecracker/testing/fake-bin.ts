import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BEHAVIOUR_DIR_ENV } from './fake-behaviour.js';

const quote = (text: string) => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Writes an executable `firecracker` into `dir` that runs the fake with
 * this Node and tsx, steered by the behaviour files in `dir`, so the
 * driver starts it exactly like the real binary (same flags, own pid:
 * the script `exec`s). Returns its path. Test-only: a shell script is
 * the one way to hand a steering folder through the driver's fixed
 * child environment.
 */
export async function writeFakeFirecrackerBin(dir: string): Promise<string> {
  return writeScript(join(dir, 'firecracker'), [
    ...steering(dir),
    `exec ${node('./fake-firecracker-bin.ts')} "$@"`,
  ]);
}

/**
 * Writes an executable `jailer` into `dir`: the fake jailer. Its Node
 * half (fake-jailer-bin.ts) checks the arguments, builds the jail and the
 * cgroup and prints the command to run; the script then `exec`s it, so
 * that, like the real jailer in the foreground, the spawned pid becomes
 * Firecracker's and keeps its exit code. Returns its path. Needs root,
 * as the jailer does (chown, setns, cgroups, dropping to uid:gid).
 */
export async function writeFakeJailerBin(dir: string): Promise<string> {
  return writeScript(join(dir, 'jailer'), [
    ...steering(dir),
    'FAKE_JAILER_PID=$$',
    'export FAKE_JAILER_PID',
    `plan=$(${node('./fake-jailer-bin.ts')} "$@") || exit $?`,
    'eval "exec $plan"',
  ]);
}

function steering(dir: string): string[] {
  return [`${BEHAVIOUR_DIR_ENV}=${quote(dir)}`, `export ${BEHAVIOUR_DIR_ENV}`];
}

function node(entryFile: string): string {
  const tsx = import.meta.resolve('tsx');
  const entry = fileURLToPath(new URL(entryFile, import.meta.url));
  return `${quote(process.execPath)} --import ${quote(tsx)} ${quote(entry)}`;
}

async function writeScript(path: string, lines: string[]): Promise<string> {
  await writeFile(path, ['#!/bin/sh', ...lines, ''].join('\n'));
  await chmod(path, 0o755);
  return path;
}
