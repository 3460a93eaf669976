import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { spreadOf } from './spread.js';

describe('spreadOf', () => {
  const cases: [string, number[], ReturnType<typeof spreadOf>][] = [
    ['none', [], { count: 0, p50: null, p95: null, max: null }],
    ['one', [1500], { count: 1, p50: 1.5, p95: 1.5, max: 1.5 }],
    [
      'twenty, unsorted',
      Array.from({ length: 20 }, (_, i) => (20 - i) * 1000),
      { count: 20, p50: 10, p95: 19, max: 20 },
    ],
    [
      'an outlier shows in p95 only',
      [...Array<number>(99).fill(2000), 600_000],
      { count: 100, p50: 2, p95: 2, max: 600 },
    ],
    [
      'rounded to 0.1 s',
      [1234, 1260],
      { count: 2, p50: 1.2, p95: 1.3, max: 1.3 },
    ],
  ];
  for (const [name, values, spread] of cases)
    test(name, () => assert.deepEqual(spreadOf(values), spread));
});
