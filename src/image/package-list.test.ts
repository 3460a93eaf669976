import assert from 'node:assert/strict';
import { test } from 'node:test';
import { packageList, pathExcludes } from './package-list.js';

const cases: [
  string,
  'test' | 'production',
  'x86_64' | 'arm64',
  string[],
  string[],
][] = [
  [
    'test x86_64',
    'test',
    'x86_64',
    ['linux-image-amd64', 'python3', 'busybox-static'],
    ['docker.io', 'systemd'],
  ],
  ['test arm64', 'test', 'arm64', ['linux-image-arm64'], ['linux-image-amd64']],
  [
    'production',
    'production',
    'x86_64',
    ['docker.io', 'systemd', 'systemd-sysv', 'git'],
    [],
  ],
];

for (const [name, profile, arch, present, absent] of cases) {
  test(`packageList: ${name}`, () => {
    const list = packageList(profile, arch);
    for (const p of present) assert.ok(list.includes(p), p);
    for (const p of absent) assert.ok(!list.includes(p), p);
    assert.deepEqual(list, [...list].sort(), 'sorted');
    assert.ok(!list.includes('gitlab-runner'), 'runner comes from GitLab');
  });
}

test('pathExcludes: test images drop unneeded modules, production keeps them', () => {
  assert.ok(pathExcludes('test').some((p) => p.includes('drivers/gpu')));
  assert.ok(
    !pathExcludes('production').some((p) => p.includes('/lib/modules')),
  );
  assert.ok(pathExcludes('production').includes('/usr/share/doc/*'));
});
