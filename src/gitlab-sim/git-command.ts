import { run } from '../lib/process.js';

export interface GitCommandResult {
  code: number;
  stdout: string;
}

/**
 * Runs `git` for the stand-in's repositories (argument array, explicit
 * environment, a minute at most); a failing exit code throws a
 * `CommandError` carrying git's output.
 */
export async function git(
  args: readonly string[],
  options: {
    env: Record<string, string>;
    input?: string | Buffer;
    okCodes?: number[];
  },
): Promise<GitCommandResult> {
  const result = await run('git', args, {
    env: options.env,
    input: options.input,
    okCodes: options.okCodes,
    timeoutMs: 60_000,
  });
  return { code: result.code, stdout: result.stdout };
}
