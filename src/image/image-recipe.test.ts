import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_RUNNER_PACKAGE_URL,
  imageId,
  imageRecipe,
} from './image-recipe.js';

const files = [
  { path: '/sbin/firelab-init', mode: 0o755, content: '#!/bin/sh\n' },
  { path: '/usr/bin/gitlab-runner', mode: 0o755, content: 'print(1)\n' },
];
const base = {
  profile: 'test' as const,
  arch: 'x86_64' as const,
  guestFiles: files,
};
const baseId = imageId(imageRecipe(base));

test('imageId is stable and short', () => {
  assert.equal(imageId(imageRecipe(base)), baseId);
  assert.match(baseId, /^[0-9a-f]{20}$/);
});

test('imageId ignores the order of guest files', () => {
  const reordered = { ...base, guestFiles: [...files].reverse() };
  assert.equal(imageId(imageRecipe(reordered)), baseId);
});

const changes: [string, Parameters<typeof imageRecipe>[0]][] = [
  ['profile', { ...base, profile: 'production' }],
  ['arch', { ...base, arch: 'arm64' }],
  [
    'guest file content',
    { ...base, guestFiles: [{ ...files[0]!, content: 'x' }] },
  ],
  [
    'guest file mode',
    { ...base, guestFiles: [{ ...files[0]!, mode: 0o700 }, files[1]!] },
  ],
];

for (const [name, input] of changes) {
  test(`imageId changes with ${name}`, () => {
    assert.notEqual(imageId(imageRecipe(input)), baseId);
  });
}

test('runner repository: production only, default, custom, validated', () => {
  assert.equal(imageRecipe(base).runnerPackageUrl, null);
  const prod = { ...base, profile: 'production' as const };
  assert.equal(imageRecipe(prod).runnerPackageUrl, DEFAULT_RUNNER_PACKAGE_URL);
  const custom = imageRecipe({
    ...prod,
    runnerPackageUrl: 'https://mirror.example/runner/',
  });
  assert.equal(custom.runnerPackageUrl, 'https://mirror.example/runner');
  assert.notEqual(imageId(custom), imageId(imageRecipe(prod)));
  for (const bad of ["https://x/'; rm -rf /", 'ftp://x', 'https://x y']) {
    assert.throws(
      () => imageRecipe({ ...prod, runnerPackageUrl: bad }),
      /invalid/,
    );
  }
});
