import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Token helpers. Tokens are kept only as sha256 digests and compared with
 * `timingSafeEqual` over equal-length digests (STYLE.md rule 11), so a
 * lookup never leaks how much of a guess was right.
 */
export function digestToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** Constant-time check that `token` hashes to `digest`. */
export function tokenMatches(token: string, digest: Buffer): boolean {
  return timingSafeEqual(digestToken(token), digest);
}

/** Constant-time equality of two secrets of any length. */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(digestToken(a), digestToken(b));
}

/** URL-safe random text of `bytes` random bytes. */
export function randomText(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/** A personal access token, shaped like GitLab's `glpat-` tokens. */
export function newPersonalToken(): string {
  return `glpat-${randomText(15)}`;
}

/**
 * A runner authentication token. GitLab encodes the runner type after the
 * prefix (reference §1.1: `t1` instance, `t2` group, `t3` project).
 */
export function newRunnerToken(typeDigit: 1 | 2 | 3): string {
  return `glrt-t${typeDigit}_${randomText(15)}`;
}

/** A CI job token (GitLab's `glcbt-` prefix for job tokens). */
export function newJobToken(): string {
  return `glcbt-${randomText(15)}`;
}
