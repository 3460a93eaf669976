import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The TTL range Firecracker's MMDS V2 accepts, in seconds. */
export const TOKEN_TTL_MIN = 1;
export const TOKEN_TTL_MAX = 21_600;

export interface TokenIssuer {
  issue(ttlSeconds: number): string;
  isValid(token: string): boolean;
}

const NONCE_BYTES = 16;
const MAC_BYTES = 32;

/**
 * Creates an issuer of MMDS session tokens. Tokens are stateless: each one
 * carries its expiry and a random nonce, sealed with an HMAC under a key
 * that lives only in this issuer, so a guest minting tokens in a loop costs
 * no memory and a token from another VM (another issuer) never verifies.
 * Verification compares the MAC in constant time. `now` is injectable so
 * tests can move the clock.
 */
export function createTokenIssuer(now: () => number = Date.now): TokenIssuer {
  const key = randomBytes(32);
  const mac = (payload: Buffer) =>
    createHmac('sha256', key).update(payload).digest();

  return {
    issue(ttlSeconds) {
      const payload = Buffer.alloc(8 + NONCE_BYTES);
      payload.writeBigUInt64BE(BigInt(now() + ttlSeconds * 1000));
      randomBytes(NONCE_BYTES).copy(payload, 8);
      return Buffer.concat([payload, mac(payload)]).toString('base64url');
    },

    isValid(token) {
      const raw = Buffer.from(token, 'base64url');
      if (raw.length !== 8 + NONCE_BYTES + MAC_BYTES) return false;
      const payload = raw.subarray(0, 8 + NONCE_BYTES);
      const given = raw.subarray(8 + NONCE_BYTES);
      if (!timingSafeEqual(given, mac(payload))) return false;
      return Number(payload.readBigUInt64BE()) > now();
    },
  };
}
