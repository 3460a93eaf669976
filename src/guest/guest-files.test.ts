import assert from 'node:assert/strict';
import { test } from 'node:test';
import { guestFiles, GUEST_INIT_PATH } from './guest-files.js';

test('test images: init and the runner stand-in', async () => {
  const files = await guestFiles('test');
  assert.deepEqual(
    files.map((f) => f.path),
    [GUEST_INIT_PATH, '/usr/bin/gitlab-runner'],
  );
  const runner = files[1]!;
  assert.match(runner.content, /STAND-IN for gitlab-runner/);
  assert.equal(runner.mode, 0o755);
});

test('production images: init and its enabled systemd unit, no stand-in', async () => {
  const files = await guestFiles('production');
  const paths = files.map((f) => f.path);
  assert.ok(paths.includes(GUEST_INIT_PATH));
  assert.ok(!paths.includes('/usr/bin/gitlab-runner'));
  const link = files.find((f) => f.symlink);
  assert.equal(link?.content, '/etc/systemd/system/firelab-guest.service');
  assert.match(link!.path, /multi-user\.target\.wants/);
});

test('the init script is valid POSIX sh', async () => {
  const { execFileSync } = await import('node:child_process');
  const [init] = await guestFiles('test');
  execFileSync('sh', ['-n'], { input: init!.content });
});
