import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseShowDepends } from './kernel-modules.js';

const cases: [string, string, string[]][] = [
  ['empty', '', []],
  [
    'one chain',
    'insmod /m/virtio.ko \ninsmod /m/virtio_blk.ko \n',
    ['/m/virtio.ko', '/m/virtio_blk.ko'],
  ],
  [
    'duplicates once, first place',
    'insmod /m/a.ko\ninsmod /m/b.ko\ninsmod /m/a.ko\ninsmod /m/c.ko',
    ['/m/a.ko', '/m/b.ko', '/m/c.ko'],
  ],
  ['built-ins skipped', 'builtin crc32c\ninsmod /m/ext4.ko', ['/m/ext4.ko']],
  ['options ignored', 'insmod /m/x.ko opt=1', ['/m/x.ko']],
];

for (const [name, output, expected] of cases) {
  test(`parseShowDepends: ${name}`, () => {
    assert.deepEqual(parseShowDepends(output), expected);
  });
}
