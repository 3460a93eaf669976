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
  const tsx = import.meta.resolve('tsx');
  const entry = fileURLToPath(
    new URL('./fake-firecracker-bin.ts', import.meta.url),
  );
  const path = join(dir, 'firecracker');
  const script = [
    '#!/bin/sh',
    `${BEHAVIOUR_DIR_ENV}=${quote(dir)}`,
    `export ${BEHAVIOUR_DIR_ENV}`,
    `exec ${quote(process.execPath)} --import ${quote(tsx)} ${quote(entry)} "$@"`,
    '',
  ].join('\n');
  await writeFile(path, script);
  await chmod(path, 0o755);
  return path;
}
