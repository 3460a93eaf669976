import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderImds, renderJson, UNSUPPORTED_TYPE } from './render.js';

test('IMDS text shows strings raw and objects as sorted keys', () => {
  assert.equal(renderImds('plain value'), 'plain value');
  assert.equal(renderImds({ b: 'x', a: { c: 'd' }, e: [1] }), 'a/\nb\ne');
  assert.equal(renderImds({}), '');
});

test('IMDS text cannot show numbers, booleans, null or arrays', () => {
  for (const value of [1, 2.5, true, false, null, ['a']]) {
    assert.equal(renderImds(value), UNSUPPORTED_TYPE, JSON.stringify(value));
  }
});

test('JSON output is compact with sorted keys at every level', () => {
  assert.equal(
    renderJson({ b: 1, a: { d: [true], c: null } }),
    '{"a":{"c":null,"d":[true]},"b":1}',
  );
  assert.equal(renderJson('s'), '"s"');
});
