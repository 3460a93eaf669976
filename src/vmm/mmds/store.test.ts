import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkedDocument, lookup, mergePatch, NOT_FOUND } from './store.js';
import type { Json } from './store.js';

const doc: Json = {
  latest: { 'meta-data': { id: 'vm-1' } },
  list: ['a', 'b'],
  'a/b': 'slash',
  'm~n': 'tilde',
};

test('lookup follows JSON pointer paths the way MMDS does', () => {
  const cases: [string, Json | typeof NOT_FOUND][] = [
    ['/', doc],
    ['//', doc],
    ['/latest/meta-data/id', 'vm-1'],
    ['/latest//meta-data///id/', 'vm-1'],
    ['/latest/meta-data/', { id: 'vm-1' }],
    ['/list/1', 'b'],
    ['/list/01', NOT_FOUND],
    ['/list/2', NOT_FOUND],
    ['/a~1b', 'slash'],
    ['/m~0n', 'tilde'],
    ['/missing', NOT_FOUND],
    ['/latest/meta-data/id/deeper', NOT_FOUND],
    ['/toString', NOT_FOUND],
  ];
  for (const [path, expected] of cases) {
    assert.deepEqual(lookup(doc, path), expected, path);
  }
});

test('mergePatch follows RFC 7396', () => {
  const target: Json = { a: 'b', c: { d: 'e', f: 'g' } };
  const patch: Json = { a: 'z', c: { f: null, h: 'i' }, j: ['k'] };

  assert.deepEqual(JSON.parse(JSON.stringify(mergePatch(target, patch))), {
    a: 'z',
    c: { d: 'e', h: 'i' },
    j: ['k'],
  });
  assert.deepEqual(mergePatch({ a: 1 }, 'x'), 'x');
  assert.deepEqual(target, { a: 'b', c: { d: 'e', f: 'g' } });
});

test('mergePatch treats __proto__ as an ordinary key', () => {
  const patch = JSON.parse('{"__proto__": {"polluted": "yes"}}') as Json;
  const merged = mergePatch({}, patch) as Record<string, Json>;

  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.deepEqual(lookup(merged, '/__proto__/polluted'), 'yes');
});

test('checkedDocument copies and enforces object type and size', () => {
  const input = { a: 'b' };
  const copy = checkedDocument(input, 100);
  input.a = 'changed';

  assert.deepEqual(copy, { a: 'b' });
  assert.throws(() => checkedDocument([], 100), /not an array/);
  assert.throws(() => checkedDocument('x', 100), /JSON object/);
  assert.throws(() => checkedDocument({ a: 'x'.repeat(100) }, 100), /limit/);
});
