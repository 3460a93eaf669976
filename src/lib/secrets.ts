import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the expected one in constant time.
 * Both are hashed first so neither their contents nor their lengths leak
 * through timing.
 */
export function secretsEqual(
  presented: string | undefined,
  expected: string,
): boolean {
  if (presented === undefined) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
