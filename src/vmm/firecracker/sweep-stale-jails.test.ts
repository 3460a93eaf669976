import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdir, mkdtemp, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { cgroupV2Mount } from './cgroup-mount.js';
import { namesJail, parsePids, sweepStaleJails } from './sweep-stale-jails.js';

const log = silentLogger();
let base: string;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'fl-sweep-'));
});
after(() => rm(base, { recursive: true, force: true }));

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A long-running process whose command line carries `--id <id>`. */
function fakeFirecracker(id: string): ChildProcess {
  const code = 'setInterval(() => {}, 1000)';
  return spawn(process.execPath, ['-e', code, '--', '--id', id], {
    stdio: 'ignore',
  });
}

function ended(child: ChildProcess): Promise<string | null> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve(child.signalCode);
  }
  return new Promise((resolve) => child.once('exit', (_c, s) => resolve(s)));
}

test('pure helpers: pids and the jail id on a command line', () => {
  assert.deepEqual(parsePids('12\n345\n'), [12, 345]);
  assert.deepEqual(parsePids(''), []);
  assert.deepEqual(parsePids('0 x 7'), [7]);
  const line = ['/firecracker', '--id', 'vm-1', '--api-sock', 's'].join('\0');
  assert.ok(namesJail(line, 'vm-1'));
  assert.ok(namesJail('fc\0--id=vm-1\0', 'vm-1'));
  assert.ok(!namesJail(line, 'vm-12'));
  assert.ok(!namesJail('fc\0vm-1\0--id\0', 'vm-1'));
});

test('removes jails and empty cgroups, kills what a pid file names', async () => {
  const places = {
    jailsDir: join(base, 'jailer', 'firecracker'),
    cgroupParent: join(base, 'cgroup', 'firelab'),
    execName: 'firecracker',
  };
  const running = fakeFirecracker('vm-a');
  const reused = fakeFirecracker('someone-else');
  for (const id of ['vm-a', 'vm-b', 'vm-c']) {
    await mkdir(join(places.jailsDir, id, 'root', 'run'), { recursive: true });
  }
  await writeFile(
    join(places.jailsDir, 'vm-a', 'root', 'firecracker.pid'),
    String(running.pid),
  );
  // A pid file whose pid now belongs to another process: left alone.
  await writeFile(
    join(places.jailsDir, 'vm-b', 'root', 'firecracker.pid'),
    String(reused.pid),
  );
  await mkdir(join(places.cgroupParent, 'vm-a'), { recursive: true });
  await mkdir(join(places.cgroupParent, 'vm-d'), { recursive: true });
  await mkdir(join(places.jailsDir, 'not a jail id'));
  await writeFile(join(places.cgroupParent, 'cgroup.procs'), '');

  const removed = await sweepStaleJails(places, log);

  assert.deepEqual(removed, ['vm-a', 'vm-b', 'vm-c', 'vm-d']);
  assert.equal(await ended(running), 'SIGKILL');
  assert.equal(reused.exitCode, null, 'an unrelated process survives');
  reused.kill('SIGKILL');
  for (const id of ['vm-a', 'vm-b', 'vm-c']) {
    assert.ok(!(await exists(join(places.jailsDir, id))), id);
  }
  assert.ok(!(await exists(join(places.cgroupParent, 'vm-a'))));
  assert.ok(await exists(join(places.jailsDir, 'not a jail id')));
  assert.ok(await exists(join(places.cgroupParent, 'cgroup.procs')));
  assert.deepEqual(await sweepStaleJails(places, log), []);
});

test('refuses folders that cannot be a jail base', async () => {
  for (const jailsDir of ['/', 'relative/dir', '/srv']) {
    await assert.rejects(
      sweepStaleJails(
        { jailsDir, cgroupParent: '/sys/fs/cgroup/firelab', execName: 'fc' },
        log,
      ),
      /refusing to sweep/,
    );
  }
});

// The same against the host's real cgroup v2 hierarchy, where a cgroup
// with a process in it cannot be removed until that process is gone.
describe('with a real cgroup v2', async () => {
  const { readFile } = await import('node:fs/promises');
  const mount = cgroupV2Mount(await readFile('/proc/mounts', 'utf8'));
  const skip =
    process.getuid?.() !== 0
      ? 'needs root to make cgroups'
      : mount
        ? undefined
        : 'no cgroup v2 mount on this host';
  const parent = `firelab-test-${randomBytes(4).toString('hex')}`;
  after(async () => {
    if (mount) await rmdir(join(mount, parent)).catch(() => undefined);
  });

  test(
    'kills the processes in a stale cgroup, then removes it',
    { skip },
    async () => {
      const cgroupParent = join(mount!, parent);
      const jailsDir = join(base, 'real', 'firecracker');
      await mkdir(join(cgroupParent, 'vm-x'), { recursive: true });
      await mkdir(join(jailsDir, 'vm-x', 'root'), { recursive: true });
      // No --id on its command line: only its cgroup says it is the VM's.
      const child = spawn('sleep', ['60'], { stdio: 'ignore' });
      await writeFile(
        join(cgroupParent, 'vm-x', 'cgroup.procs'),
        String(child.pid),
      );

      const removed = await sweepStaleJails(
        { jailsDir, cgroupParent, execName: 'firecracker' },
        log,
      );

      assert.deepEqual(removed, ['vm-x']);
      assert.equal(await ended(child), 'SIGKILL');
      assert.ok(!(await exists(join(cgroupParent, 'vm-x'))));
      assert.ok(!(await exists(join(jailsDir, 'vm-x'))));
    },
  );
});
