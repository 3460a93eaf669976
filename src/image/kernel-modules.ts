import { run } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

/**
 * The module files `modprobe --show-depends` lists, dependencies first,
 * each once. Pure. Built-in modules (`builtin name`) need no file and are
 * skipped.
 */
export function parseShowDepends(output: string): string[] {
  const paths: string[] = [];
  for (const line of output.split('\n')) {
    const [verb, path] = line.trim().split(/\s+/);
    if (verb === 'insmod' && path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

/**
 * Resolves `names` and their dependencies against the modules installed
 * in a root filesystem (`modprobe -d`, so the host's own modules never
 * matter). Returns absolute paths under `rootDir`, dependencies first.
 * Throws if a module is unknown or compressed (busybox insmod in the
 * initramfs loads plain `.ko` files only, which is what bookworm ships).
 */
export async function resolveModules(opts: {
  rootDir: string;
  kernelVersion: string;
  names: readonly string[];
  log: Logger;
  signal?: AbortSignal;
}): Promise<string[]> {
  const base = ['-d', opts.rootDir, '-S', opts.kernelVersion];
  const output: string[] = [];
  for (const name of opts.names) {
    const result = await run('modprobe', [...base, '--show-depends', name], {
      log: opts.log,
      signal: opts.signal,
    });
    output.push(result.stdout);
  }

  const paths = parseShowDepends(output.join('\n'));
  const compressed = paths.find((p) => !p.endsWith('.ko'));
  if (compressed) {
    throw new Error(`compressed kernel module not supported: ${compressed}`);
  }
  return paths;
}
