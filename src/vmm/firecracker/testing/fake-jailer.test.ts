import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  rm,
  rmdir,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { run } from '../../../lib/process.js';
import { findCgroupRoot } from '../cgroup-mount.js';
import { writeFakeFirecrackerBin, writeFakeJailerBin } from './fake-bin.js';

// The fake jailer as a process: what it refuses before Firecracker ever
// starts. Its happy path runs in firecracker-jailed.test.ts.
const skip = process.getuid?.() === 0 ? undefined : 'the jailer needs root';
const UID = 940_000;
// A jailer that fails late (a stale pid file) has made its cgroup.
const PARENT = `firelab-test-${randomBytes(4).toString('hex')}`;
let base: string;
let jailer: string;
let firecracker: string;
let n = 0;

before(async () => {
  if (skip) return;
  base = await mkdtemp(join(tmpdir(), 'fl-fake-jailer-'));
  jailer = await writeFakeJailerBin(base);
  firecracker = await writeFakeFirecrackerBin(base);
});
after(async () => {
  if (!base) return;
  await rm(base, { recursive: true, force: true });
  const parent = join(await findCgroupRoot(), PARENT);
  for (const id of await readdir(parent).catch(() => [])) {
    await rmdir(join(parent, id)).catch(() => undefined);
  }
  await rmdir(parent).catch(() => undefined);
});

/** A jail root for a fresh id, with a kernel and a disk staged. */
async function stagedJail(): Promise<{ id: string; root: string }> {
  const id = `t${n++}`;
  const root = join(base, 'jails', 'firecracker', id, 'root');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, 'vmlinux'), 'kernel', { mode: 0o644 });
  await writeFile(join(root, 'rootfs.ext4'), 'disk', { mode: 0o600 });
  await chown(join(root, 'rootfs.ext4'), UID, UID);
  return { id, root };
}

async function runJailer(
  id: string,
  more: string[] = [],
  chrootBase = join(base, 'jails'),
) {
  const argv = [
    ...['--id', id, '--exec-file', firecracker],
    ...['--uid', String(UID), '--gid', String(UID)],
    ...['--chroot-base-dir', chrootBase, '--cgroup-version', '2'],
    ...['--parent-cgroup', PARENT],
    ...more,
  ];
  return run(jailer, argv, { okCodes: [0, 1], timeoutMs: 20_000 });
}

describe('fake jailer refusals', { skip }, () => {
  const cases: [string, (root: string) => Promise<unknown>, RegExp][] = [
    [
      'a staged file the uid cannot read',
      (root) => chmod(join(root, 'vmlinux'), 0o600),
      /\/vmlinux is not readable for 940000:940000/,
    ],
    [
      'a file given to the uid without write access',
      (root) => chmod(join(root, 'rootfs.ext4'), 0o400),
      /\/rootfs.ext4 is owned but not writable/,
    ],
    [
      'a symlink, which would not resolve in the chroot',
      (root) => symlink('/etc/hostname', join(root, 'initrd')),
      /\/initrd is a symlink/,
    ],
    [
      'a stale pid file of the same id',
      (root) => writeFile(join(root, 'firecracker.pid'), '1'),
      /firecracker.pid: EEXIST/,
    ],
    [
      'nothing staged',
      (root) => rm(root, { recursive: true }).then(() => mkdir(root)),
      /nothing is staged/,
    ],
  ];
  for (const [name, spoil, message] of cases) {
    test(name, async () => {
      const { id, root } = await stagedJail();
      await spoil(root);
      const { code, stderr } = await runJailer(id);
      assert.equal(code, 1);
      assert.match(stderr, message);
    });
  }

  test('a netns path that is not a namespace handle', async () => {
    const { id } = await stagedJail();
    const notNetns = join(base, 'not-a-netns');
    await writeFile(notNetns, '');
    const { code, stderr } = await runJailer(id, ['--netns', notNetns]);
    assert.equal(code, 1);
    assert.match(stderr, /is not a network namespace handle/);
  });

  test('argument errors, and a jailer firelab must not background', async () => {
    const { id } = await stagedJail();
    for (const [more, message] of [
      [['--daemonize'], /--daemonize/],
      [['--cgroup', 'memory'], /invalid --cgroup/],
    ] as const) {
      const { code, stderr } = await runJailer(id, [...more]);
      assert.equal(code, 1, stderr);
      assert.match(stderr, message);
    }
    const missing = await runJailer(id, [], join(base, 'nope'));
    assert.match(missing.stderr, /canonicalize chroot base .*ENOENT/);
  });

  test('--version answers like the jailer', async () => {
    const { stdout } = await run(jailer, ['--version'], { timeoutMs: 20_000 });
    assert.match(stdout, /^Jailer v1\.16\.1$/m);
  });
});
