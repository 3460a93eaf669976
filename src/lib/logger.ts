import { destination, pino } from 'pino';
import type { Logger } from 'pino';

export type { Logger };

/**
 * The one logger factory. Inner modules receive a `Logger` (usually a child
 * carrying jobId, vmId or agentId) and never write to the console. Keys
 * that may hold secrets are redacted as a last line of defence; the first
 * line is never passing secrets to a logger at all.
 */
export function createLogger(options: {
  level?: string;
  destination?: NodeJS.WritableStream;
}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      redact: {
        paths: [
          'token',
          '*.token',
          'runnerToken',
          '*.runnerToken',
          'privateToken',
          '*.privateToken',
          'headers["private-token"]',
          'headers["x-gitlab-token"]',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? destination(2),
  );
}

/** A logger that drops everything, for tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
