import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

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

/** A new random secret (256 bits), URL-safe, with a readable prefix. */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored instead of a secret. The secrets hashed here are 256-bit
 * random values, so a plain sha256 is enough: there is nothing to guess.
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time check of a presented secret against a stored hash. */
export function matchesHash(
  presented: string | undefined,
  storedHash: string | undefined,
): boolean {
  if (presented === undefined || storedHash === undefined) return false;
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
