import { copyFile, mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { run } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';
import { initramfsInitScript } from './initramfs-init.js';
import { resolveModules } from './kernel-modules.js';

/**
 * Builds firelab's initramfs (an uncompressed newc cpio) from a root
 * filesystem folder: the rootfs's own static busybox, the `.ko` files for
 * `moduleNames` and their dependencies from the rootfs's /lib/modules,
 * and the `/init` of `initramfsInitScript`. Everything comes from the
 * image's packages, so kernel and modules always match. `stageDir` is
 * scratch space, removed afterwards.
 */
export async function buildInitramfs(opts: {
  rootDir: string;
  kernelVersion: string;
  moduleNames: readonly string[];
  defaultInit: string;
  stageDir: string;
  outPath: string;
  log: Logger;
  signal?: AbortSignal;
}): Promise<void> {
  const { stageDir } = opts;
  const modules = await resolveModules({
    rootDir: opts.rootDir,
    kernelVersion: opts.kernelVersion,
    names: opts.moduleNames,
    log: opts.log,
    signal: opts.signal,
  });

  for (const dir of ['bin', 'dev', 'proc', 'sys', 'newroot', 'lib/modules']) {
    await mkdir(join(stageDir, dir), { recursive: true });
  }
  await copyFile(
    join(opts.rootDir, 'bin/busybox'),
    join(stageDir, 'bin/busybox'),
  );
  const inside = modules.map((path) => `/lib/modules/${basename(path)}`);
  for (const [i, path] of modules.entries()) {
    await copyFile(path, join(stageDir, inside[i]!.slice(1)));
  }
  const init = initramfsInitScript({
    modules: inside,
    defaultInit: opts.defaultInit,
  });
  await writeFile(join(stageDir, 'init'), init, { mode: 0o755 });

  await writeCpio(stageDir, opts.outPath, opts.log, opts.signal);
  await rm(stageDir, { recursive: true, force: true });
}

/** cpio reads the member names on stdin; owner forced to root. */
async function writeCpio(
  dir: string,
  outPath: string,
  log: Logger,
  signal?: AbortSignal,
): Promise<void> {
  const entries = await readdir(dir, { recursive: true });
  const names = ['.', ...entries.map((e) => relative(dir, join(dir, e)))];
  await run(
    'cpio',
    ['--quiet', '-o', '-H', 'newc', '-R', '0:0', '-O', outPath],
    {
      cwd: dir,
      input: names.sort().join('\n') + '\n',
      log,
      signal,
    },
  );
}
