import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger.js';
import type { Logger } from '../../lib/logger.js';

/** One parsed pino line. */
export interface LogLine {
  level: number;
  time: number;
  msg: string;
  [key: string]: unknown;
}

/** pino's numeric levels, for comparisons such as `level >= LEVEL.warn`. */
export const LEVEL = { debug: 20, info: 30, warn: 40, error: 50 } as const;

/**
 * A real firelab logger (same factory, same redaction) whose lines are
 * kept in memory, so a test can assert what an operator would read.
 */
export interface MemoryLog {
  log: Logger;
  lines(): readonly LogLine[];
  /** Lines whose message matches, optionally at `minLevel` or above. */
  find(msg: string | RegExp, minLevel?: number): LogLine[];
  /** Every line as raw JSON text, for "never in the log" checks. */
  text(): string;
}

export function memoryLog(level = 'debug'): MemoryLog {
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const lines = () => raw.map((line) => JSON.parse(line) as LogLine);
  return {
    log: createLogger({ level, destination: sink }),
    lines,
    find: (msg, minLevel = 0) =>
      lines().filter(
        (line) =>
          line.level >= minLevel &&
          (typeof msg === 'string' ? line.msg === msg : msg.test(line.msg)),
      ),
    text: () => raw.join('\n'),
  };
}
