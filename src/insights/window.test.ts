import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  DAY_MS,
  HOUR_MS,
  overlapMs,
  previousWindow,
  windowEndingAt,
  windowLength,
} from './window.js';

describe('windows', () => {
  const lengths: [string, number | undefined][] = [
    ['24h', DAY_MS],
    ['1h', HOUR_MS],
    ['7d', 7 * DAY_MS],
    ['90d', 90 * DAY_MS],
    ['91d', undefined],
    ['2161h', undefined],
    ['0d', undefined],
    ['7', undefined],
    ['7w', undefined],
    ['-1d', undefined],
    [' 7d', undefined],
    ['07d', undefined],
  ];
  for (const [spec, ms] of lengths)
    test(`"${spec}" is ${ms ?? 'not a window'}`, () => {
      assert.equal(windowLength(spec), ms);
    });

  test('hourly buckets up to a week, daily beyond', () => {
    assert.equal(windowEndingAt('7d', 10 * DAY_MS).bucketMs, HOUR_MS);
    assert.equal(windowEndingAt('8d', 10 * DAY_MS).bucketMs, DAY_MS);
    assert.deepEqual(windowEndingAt('24h', 5 * DAY_MS), {
      spec: '24h',
      from: 4 * DAY_MS,
      to: 5 * DAY_MS,
      bucketMs: HOUR_MS,
    });
  });

  test('the previous window ends where this one starts', () => {
    const previous = previousWindow(windowEndingAt('24h', 5 * DAY_MS));
    assert.equal(previous.from, 3 * DAY_MS);
    assert.equal(previous.to, 4 * DAY_MS);
  });

  const overlaps: [string, [number, number, number, number], number][] = [
    ['inside', [2, 4, 0, 10], 2],
    ['across the start', [-5, 3, 0, 10], 3],
    ['across the end', [8, 20, 0, 10], 2],
    ['around', [-5, 20, 0, 10], 10],
    ['before', [-5, 0, 0, 10], 0],
    ['after', [10, 12, 0, 10], 0],
    ['empty', [4, 4, 0, 10], 0],
  ];
  for (const [name, args, ms] of overlaps)
    test(`overlap ${name}`, () => assert.equal(overlapMs(...args), ms));
});
