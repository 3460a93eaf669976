import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ext4SizeBytes, formatBytes } from './ext4-image.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

const sizes: [number, number, number][] = [
  [0, 0, 0],
  [1, 0, MiB],
  [10 * MiB, 0, 12 * MiB],
  [100 * MiB, GiB, 120 * MiB + GiB],
];

for (const [content, headroom, expected] of sizes) {
  test(`ext4SizeBytes(${content}, ${headroom})`, () => {
    assert.equal(ext4SizeBytes(content, headroom), expected);
  });
}

test('ext4SizeBytes: default headroom for job workspaces', () => {
  assert.equal(ext4SizeBytes(0), 4 * GiB);
});

test('formatBytes', () => {
  assert.equal(formatBytes(1.2 * GiB), '1.2 GiB');
  assert.equal(formatBytes(300 * MiB), '300 MiB');
});
