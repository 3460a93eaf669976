import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cgroupV2Mount } from './cgroup-mount.js';

const line = (point: string, type: string) =>
  `cgroup ${point} ${type} rw,relatime 0 0`;

test('finds the cgroup v2 mount in /proc/mounts', () => {
  const cases: [string, string[], string | undefined][] = [
    ['unified host', [line('/sys/fs/cgroup', 'cgroup2')], '/sys/fs/cgroup'],
    [
      'hybrid host',
      [
        'tmpfs /sys/fs/cgroup tmpfs rw 0 0',
        line('/sys/fs/cgroup/memory', 'cgroup'),
        line('/sys/fs/cgroup/unified', 'cgroup2'),
      ],
      '/sys/fs/cgroup/unified',
    ],
    ['v1 only', [line('/sys/fs/cgroup/cpu', 'cgroup')], undefined],
    ['escaped space', [line('/mnt/cg\\040two', 'cgroup2')], '/mnt/cg two'],
    ['empty', [], undefined],
  ];
  for (const [name, lines, expected] of cases) {
    assert.equal(cgroupV2Mount(lines.join('\n')), expected, name);
  }
});
