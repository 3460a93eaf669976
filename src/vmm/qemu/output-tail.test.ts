import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputTail } from './output-tail.js';

test('OutputTail keeps the last lines across chunk boundaries', () => {
  const tail = new OutputTail(2);
  tail.push('one\ntw');
  tail.push('o\nthree\n\nfou');
  assert.equal(tail.text(), 'two\nthree\nfou');
});
