import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32, traceChecksum } from './crc32.js';

test('crc32 matches the IEEE check values', () => {
  // The standard check value for "123456789" is 0xcbf43926.
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('hello\n')), 0x363a3020);
});

test('traceChecksum pads to 8 hex digits', () => {
  assert.equal(traceChecksum(Buffer.from('123456789')), 'crc32:cbf43926');
  assert.equal(traceChecksum(Buffer.alloc(0)), 'crc32:00000000');
});
