import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffMs, withRetry } from './retry.js';

const policy = { attempts: 4, baseMs: 100, maxMs: 1000 };

test('backoff grows, is jittered, bounded, and honours a hint', () => {
  assert.equal(
    backoffMs(1, policy, undefined, () => 1),
    100,
  );
  assert.equal(
    backoffMs(1, policy, undefined, () => 0),
    50,
  );
  assert.equal(
    backoffMs(3, policy, undefined, () => 1),
    400,
  );
  assert.equal(
    backoffMs(10, policy, undefined, () => 1),
    1000,
  );
  assert.equal(
    backoffMs(1, policy, 700, () => 0),
    700,
  );
  assert.equal(
    backoffMs(1, policy, 60_000, () => 0),
    60_000,
    'a hint is never cut short',
  );
});

test('a Retry-After longer than the policy allows is left to a later pass', async () => {
  const sleeps: number[] = [];
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error('429');
      },
      () => ({ retry: true, delayHintMs: 60_000 }),
      policy,
      async (ms) => void sleeps.push(ms),
    ),
    /429/,
  );
  assert.equal(calls, 1);
  assert.deepEqual(sleeps, []);
});

test('retries only retryable errors, up to the bound', async () => {
  const sleeps: number[] = [];
  const sleep = async (ms: number) => void sleeps.push(ms);
  let calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error('flaky');
      },
      () => ({ retry: true }),
      policy,
      sleep,
    ),
    /flaky/,
  );
  assert.equal(calls, 4);
  assert.equal(sleeps.length, 3);

  calls = 0;
  await assert.rejects(
    withRetry(
      async () => {
        calls++;
        throw new Error('fatal');
      },
      () => ({ retry: false }),
      policy,
      sleep,
    ),
  );
  assert.equal(calls, 1);
});

test('returns the first success', async () => {
  let calls = 0;
  const value = await withRetry(
    async () => {
      if (++calls < 3) throw new Error('again');
      return 'ok';
    },
    () => ({ retry: true }),
    policy,
    async () => {},
  );
  assert.equal(value, 'ok');
  assert.equal(calls, 3);
});
