import type { SimState } from './sim-state.js';

/**
 * Resolves with the first non-null value of `check`, re-checked after
 * every state event and every 25 ms (webhook deliveries change no state),
 * or rejects after `timeoutMs` with `what` in the message.
 */
export function waitUntil<T>(
  state: SimState,
  check: () => T | null | undefined,
  timeoutMs: number,
  what: string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const attempt = (): boolean => {
      const value = check();
      if (value === null || value === undefined) return false;
      cleanup();
      resolve(value);
      return true;
    };
    const unlisten = state.listen(() => void attempt());
    const poll = setInterval(attempt, 25);
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const cleanup = () => {
      unlisten();
      clearInterval(poll);
      clearTimeout(timer);
    };
    attempt();
  });
}
