import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTokenIssuer } from './token.js';

test('a token is valid until its TTL passes', () => {
  let now = 1_000_000;
  const issuer = createTokenIssuer(() => now);
  const token = issuer.issue(60);

  assert.equal(issuer.isValid(token), true);
  now += 59_999;
  assert.equal(issuer.isValid(token), true);
  now += 1;
  assert.equal(issuer.isValid(token), false);
});

test('tokens from another issuer or tampered tokens are refused', () => {
  const issuer = createTokenIssuer();
  const other = createTokenIssuer();
  const token = issuer.issue(60);
  const raw = Buffer.from(token, 'base64url');
  raw[0] = (raw[0] ?? 0) ^ 0xff; // pushes the expiry far out
  const forged = raw.toString('base64url');

  assert.equal(other.isValid(token), false);
  assert.equal(issuer.isValid(forged), false);
  assert.equal(issuer.isValid(''), false);
  assert.equal(issuer.isValid('not a token'), false);
  assert.notEqual(issuer.issue(60), issuer.issue(60));
});
