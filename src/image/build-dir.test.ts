import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountsUnder } from './build-dir.js';

const mountinfo = [
  '22 1 254:0 / / rw - ext4 /dev/vda rw',
  '40 22 0:5 / /c/.b/root/dev rw - devtmpfs udev rw',
  '41 40 0:6 / /c/.b/root/dev/pts rw - devpts devpts rw',
  '42 22 0:7 / /c/.b/root/proc rw - proc proc rw',
  '43 22 0:8 / /c/.bb rw - tmpfs t rw',
  '44 22 0:9 / /c/.b/with\\040space rw - tmpfs t rw',
].join('\n');

test('mountsUnder: only mounts inside the folder, deepest first', () => {
  assert.deepEqual(mountsUnder(mountinfo, '/c/.b/'), [
    '/c/.b/root/dev/pts',
    '/c/.b/with space',
    '/c/.b/root/proc',
    '/c/.b/root/dev',
  ]);
});

test('mountsUnder: none', () => {
  assert.deepEqual(mountsUnder(mountinfo, '/elsewhere'), []);
});
