import { CommandError, exitOf, start } from '../lib/process.js';

export interface GitCommandResult {
  code: number;
  stdout: string;
}

/**
 * Runs `git` through `lib/process.ts#start` with stdin closed unless there
 * is input. (`run()` always writes to the child's stdin without an error
 * listener, so a git command that exits without reading stdin crashes the
 * process with EPIPE; reported to the lead.) A stdin error here only means
 * the child stopped reading, and its exit code tells the real story.
 */
export async function git(
  args: readonly string[],
  options: {
    env: Record<string, string>;
    input?: string | Buffer;
    okCodes?: number[];
  },
): Promise<GitCommandResult> {
  const hasInput = options.input !== undefined;
  const child = start('git', args, {
    env: options.env,
    stdio: [hasInput ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    timeoutMs: 60_000,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.input);

  const code = await exitOf(child);
  const stdout = Buffer.concat(out).toString();
  if (!(options.okCodes ?? [0]).includes(code)) {
    const stderr = Buffer.concat(err).toString();
    throw new CommandError(`git ${args[2] ?? args[0]}`, {
      code,
      stdout,
      stderr,
    });
  }
  return { code, stdout };
}
