import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tscKhzFromCpuinfo } from './host-tsc.js';

const cases: [string, string, number | undefined][] = [
  [
    'constant TSC',
    'cpu MHz\t\t: 2596.152\nflags\t\t: fpu tsc constant_tsc\n',
    2596152,
  ],
  ['no constant_tsc', 'cpu MHz\t\t: 2596.152\nflags\t\t: fpu tsc\n', undefined],
  ['no MHz line (arm64)', 'Features\t: fp asimd\n', undefined],
];

for (const [name, text, expected] of cases) {
  test(`tscKhzFromCpuinfo: ${name}`, () => {
    assert.equal(tscKhzFromCpuinfo(text), expected);
  });
}
