/**
 * Bounded retry with full-jitter exponential backoff. Only errors that
 * `isRetryable` accepts are retried; `delayHintMs` lets an error carry a
 * server's Retry-After, which is never cut short: a wait longer than
 * `maxMs` is not done here, the error is thrown for a later pass to
 * retry. Everything else is thrown at once.
 */
export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  attempts: 5,
  baseMs: 200,
  maxMs: 10_000,
};

export async function withRetry<T>(
  action: (attempt: number) => Promise<T>,
  isRetryable: (error: unknown) => { retry: boolean; delayHintMs?: number },
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = defaultSleep,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await action(attempt);
    } catch (error) {
      const verdict = isRetryable(error);
      if (!verdict.retry || attempt >= policy.attempts) throw error;
      if ((verdict.delayHintMs ?? 0) > policy.maxMs) throw error;
      await sleep(backoffMs(attempt, policy, verdict.delayHintMs));
    }
  }
}

/**
 * The wait before retry number `attempt` (1-based), jittered, and never
 * shorter than the server's hint.
 */
export function backoffMs(
  attempt: number,
  policy: RetryPolicy,
  hintMs?: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  const jittered = Math.round(ceiling * (0.5 + random() / 2));
  return Math.max(jittered, hintMs ?? 0);
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
