import { spawn } from 'node:child_process';
import type { ChildProcess, SpawnOptions } from 'node:child_process';
import type { Logger } from './logger.js';

/**
 * Every child process firelab starts goes through this module: an argument
 * array (never a shell), an explicit environment, a timeout and an abort
 * signal. Secrets must never be passed as arguments; pass them through
 * files or sockets instead.
 */
export interface RunOptions {
  env?: Record<string, string>;
  cwd?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  input?: string | Buffer;
  log?: Logger;
  /** Exit codes that count as success (default: 0 only). */
  okCodes?: number[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

const BASE_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  LANG: 'C.UTF-8',
};

/** The environment a child gets: a fixed PATH and locale plus `extra`. */
export function childEnv(
  extra: Record<string, string> = {},
): Record<string, string> {
  return { ...BASE_ENV, ...extra };
}

export class CommandError extends Error {
  override name = 'CommandError';
  readonly result: RunResult;

  constructor(command: string, result: RunResult) {
    const detail = (result.stderr || result.stdout)
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    super(
      `${command} exited with ${result.code}${detail ? `: ${detail}` : ''}`,
    );
    this.result = result;
  }
}

/** Runs a command to completion and collects its output. */
export async function run(
  file: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const child = start(file, args, {
    ...options,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin?.end(options.input ?? '');

  const code = await exitOf(child);
  const result = {
    code,
    stdout: Buffer.concat(stdout).toString(),
    stderr: Buffer.concat(stderr).toString(),
  };
  const name = [file, ...args.slice(0, 2)].join(' ');
  options.log?.debug({ command: name, code }, 'command finished');
  if (!(options.okCodes ?? [0]).includes(code)) {
    throw new CommandError(name, result);
  }
  return result;
}

/**
 * Starts a long-running child. The caller owns it: it must await its exit
 * (see `exitOf`) and kill it on cleanup.
 */
export function start(
  file: string,
  args: readonly string[],
  options: RunOptions & {
    stdio?: SpawnOptions['stdio'];
    detached?: boolean;
  } = {},
): ChildProcess {
  const child = spawn(file, args, {
    env: childEnv(options.env),
    cwd: options.cwd,
    stdio: options.stdio ?? ['ignore', 'pipe', 'pipe'],
    signal: options.signal,
    timeout: options.timeoutMs,
    detached: options.detached,
  });
  options.log?.debug({ command: file, pid: child.pid }, 'process started');
  // A child's pipes can be reset when it is killed mid-write; its exit
  // code says what happened, so a pipe error must not crash firelab.
  for (const stream of [child.stdin, child.stdout, child.stderr]) {
    stream?.on('error', (error) => {
      options.log?.debug({ command: file, err: error.message }, 'pipe error');
    });
  }
  return child;
}

/**
 * Resolves with the exit code of a child (128 + signal number when killed
 * by a signal, -1 when it could not be started).
 */
export function exitOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('error', () => resolve(-1));
    child.once('close', (code, signal) => {
      resolve(code ?? 128 + signalNumber(signal));
    });
  });
}

function signalNumber(signal: NodeJS.Signals | null): number {
  const numbers: Record<string, number> = {
    SIGINT: 2,
    SIGKILL: 9,
    SIGTERM: 15,
  };
  return signal ? (numbers[signal] ?? 1) : 0;
}
