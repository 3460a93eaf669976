import assert from 'node:assert/strict';
import { test } from 'node:test';
import { imageRecipe } from './image-recipe.js';
import { mmdebstrapArgs } from './mmdebstrap-args.js';

const dirs = { rootDir: '/c/.build/root', debCacheDir: '/c/debs' };
const argsFor = (
  profile: 'test' | 'production',
  arch: 'x86_64' | 'arm64' = 'x86_64',
) => mmdebstrapArgs(imageRecipe({ profile, arch, guestFiles: [] }), dirs);

const cases: [string, string[], (args: string[]) => boolean][] = [
  ['minbase variant', argsFor('test'), (a) => a.includes('--variant=minbase')],
  [
    'ends with suite, target, mirror',
    argsFor('test'),
    (a) =>
      a.slice(-3).join(' ') ===
      'bookworm /c/.build/root http://deb.debian.org/debian',
  ],
  ['amd64', argsFor('test'), (a) => a.includes('--architectures=amd64')],
  [
    'arm64',
    argsFor('test', 'arm64'),
    (a) => a.includes('--architectures=arm64'),
  ],
  [
    'kernel included',
    argsFor('test'),
    (a) =>
      a.some(
        (x) => x.startsWith('--include=') && x.includes('linux-image-amd64'),
      ),
  ],
  [
    'no recommends',
    argsFor('test'),
    (a) => a.includes('--aptopt=APT::Install-Recommends "false"'),
  ],
  [
    'deb cache in',
    argsFor('test'),
    (a) => a.includes('--setup-hook=sync-in /c/debs /var/cache/apt/archives/'),
  ],
  [
    'deb cache out',
    argsFor('test'),
    (a) =>
      a.includes('--customize-hook=sync-out /var/cache/apt/archives /c/debs'),
  ],
  [
    'test: job user',
    argsFor('test'),
    (a) => a.some((x) => x.includes('useradd') && x.endsWith('gitlab-runner')),
  ],
  [
    'test: no GitLab repository',
    argsFor('test'),
    (a) => !a.some((x) => x.includes('packages.gitlab.com')),
  ],
  [
    'production: runner from GitLab',
    argsFor('production'),
    (a) =>
      a.some((x) =>
        x.includes('apt-get install -y --no-install-recommends gitlab-runner'),
      ),
  ],
  [
    'production: signed repository',
    argsFor('production'),
    (a) =>
      a.some((x) =>
        x.includes(
          '[signed-by=/etc/apt/keyrings/gitlab-runner.asc] https://packages.gitlab.com/runner/gitlab-runner/debian/ bookworm main',
        ),
      ),
  ],
  [
    'production: getty masked',
    argsFor('production'),
    (a) => a.some((x) => x.includes('serial-getty@ttyS0')),
  ],
];

for (const [name, args, check] of cases) {
  test(`mmdebstrapArgs: ${name}`, () =>
    assert.ok(check(args), args.join('\n')));
}
