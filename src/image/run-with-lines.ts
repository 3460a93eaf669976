import { createInterface } from 'node:readline';
import { CommandError, exitOf, start } from '../lib/process.js';
import type { Logger } from '../lib/logger.js';

/**
 * Runs a long command and hands each line it prints (stdout or stderr) to
 * `onLine` as it comes, for progress. Throws a `CommandError` carrying the
 * last lines when the command fails or is aborted through `signal`.
 */
export async function runWithLines(
  file: string,
  args: readonly string[],
  opts: {
    log: Logger;
    signal?: AbortSignal;
    onLine: (line: string) => void;
    cwd?: string;
    env?: Record<string, string>;
  },
): Promise<void> {
  const { log, signal, cwd, env } = opts;
  const child = start(file, args, { log, signal, cwd, env });
  const tail: string[] = [];
  const closed: Promise<void>[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    const lines = createInterface({ input: stream });
    // readline re-emits its input's errors (a reset when QEMU quits or a
    // child dies); the stream's own end is what callers act on.
    lines.on('error', () => undefined);
    lines.on('line', (line) => {
      tail.push(line);
      if (tail.length > 20) tail.shift();
      opts.onLine(line);
    });
    closed.push(new Promise((resolve) => lines.once('close', resolve)));
  }

  const code = await exitOf(child);
  await Promise.all(closed);
  if (code !== 0) {
    const output = tail.join('\n');
    throw new CommandError(file, { code, stdout: '', stderr: output });
  }
}
