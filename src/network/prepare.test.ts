import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { run, start } from '../lib/process.js';
import { startMmdsServer } from '../vmm/mmds/index.js';
import { GUEST_SCRIPT } from './guest-script.js';
import type { GuestResult } from './guest-script.js';
import { prepareVmNetwork } from './prepare.js';
import { startRelay } from './relay.js';
import { metadataService } from './services.js';
import {
  addTestNetns,
  configureGuest,
  missingPrerequisite,
  netnsNames,
  onPath,
  pidsMentioning,
  runNodeIn,
  testId,
} from './testing.js';

const skip = await missingPrerequisite();
const log = silentLogger();

async function httpServer(body: string, stack: CleanupStack) {
  const server: Server = createServer((_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stack.push('close http server', () => {
    server.closeAllConnections();
    server.close();
  });
  return (server.address() as AddressInfo).port;
}

async function scratchDir(stack: CleanupStack): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'flnet-'));
  stack.push('remove dir', () => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe('prepareVmNetwork in real namespaces', { skip }, () => {
  test('the guest reaches metadata and GitLab and nothing else', async (t) => {
    const stack = new CleanupStack();
    t.after(() => stack.run(log));
    const id = testId();
    const dir = await scratchDir(stack);
    const gitlabPort = await httpServer('hello from gitlab', stack);
    const otherPort = await httpServer('must stay unreachable', stack);
    const mmdsSock = join(dir, 'mmds.sock');
    const mmds = await startMmdsServer({
      socketPath: mmdsSock,
      data: { latest: { 'meta-data': { 'runner-token': 'glrt-test' } } },
      log,
    });
    stack.push('close mmds', () => mmds.close());
    const guestNs = `flt-g-${id}`;
    await addTestNetns(guestNs, stack);

    const a = await prepareVmNetwork({
      vmId: `${id}-a`,
      workDir: join(dir, 'a'),
      log,
      attach: { kind: 'veth-for-test', peerNetns: guestNs },
      services: [
        metadataService(mmdsSock),
        {
          name: 'gitlab',
          listenIp: '10.0.0.1',
          port: 8080,
          target: { host: '127.0.0.1', port: gitlabPort },
        },
      ],
    });
    stack.push('destroy a', () => a.destroy());
    const b = await prepareVmNetwork({
      vmId: `${id}-b`,
      workDir: join(dir, 'b'),
      log,
      subnet: '10.0.1.0/30',
      services: [
        {
          name: 'gitlab',
          listenIp: '10.0.1.1',
          port: 8080,
          target: { host: '127.0.0.1', port: gitlabPort },
        },
      ],
    });
    stack.push('destroy b', () => b.destroy());
    // A listener on every address of A's namespace that is not exposed:
    // only the firewall keeps the guest away from it.
    await startRelay({
      netns: a.netns,
      listenIp: '0.0.0.0',
      port: 9999,
      unixPath: mmdsSock,
      log,
    });
    await configureGuest(guestNs, a);

    const inside = (await runNodeIn(a.netns, GUEST_SCRIPT, {
      probe: ['10.0.0.1:9999'],
    })) as GuestResult;
    assert.equal(inside.probe['10.0.0.1:9999'], 'connected');

    const forbidden = [
      '10.0.0.1:9999',
      '169.254.169.254:9999',
      '169.254.169.254:8080',
      '10.0.0.1:22',
      `10.0.0.1:${otherPort}`,
      `10.0.0.1:${gitlabPort}`,
    ];
    const guest = (await runNodeIn(guestNs, GUEST_SCRIPT, {
      mmds: true,
      get: ['http://10.0.0.1:8080/'],
      probe: [...forbidden, '10.0.1.1:8080'],
    })) as GuestResult;

    assert.equal(guest.mmds?.tokenStatus, 200);
    assert.equal(guest.mmds?.noToken, 401);
    assert.equal(guest.mmds?.keys, 'runner-token');
    assert.deepEqual(JSON.parse(guest.mmds?.json ?? ''), {
      'runner-token': 'glrt-test',
    });
    assert.deepEqual(guest.get['http://10.0.0.1:8080/'], {
      status: 200,
      body: 'hello from gitlab',
    });
    for (const target of forbidden) {
      assert.equal(guest.probe[target], 'timeout', target);
    }
    assert.notEqual(guest.probe['10.0.1.1:8080'], 'connected');

    await a.destroy();
    await b.destroy();
    await a.destroy();
    const names = await netnsNames();
    assert.ok(!names.includes(a.netns) && !names.includes(b.netns));
    assert.deepEqual(await pidsMentioning(dir), []);
    await assert.rejects(stat(join(dir, 'a', 'net')), { code: 'ENOENT' });
    await assert.rejects(stat(join(dir, 'b', 'net')), { code: 'ENOENT' });
  });

  test('a failed prepare leaves nothing behind', async (t) => {
    const stack = new CleanupStack();
    t.after(() => stack.run(log));
    const id = testId();
    const dir = await scratchDir(stack);

    await assert.rejects(
      prepareVmNetwork({
        vmId: id,
        workDir: dir,
        log,
        attach: { kind: 'veth-for-test', peerNetns: `flt-missing-${id}` },
        services: [metadataService(join(dir, 'mmds.sock'))],
      }),
      new RegExp(`preparing the network of VM ${id}: `),
    );
    assert.ok(!(await netnsNames()).includes(`fl-${id}`));
    assert.deepEqual(await pidsMentioning(dir), []);
  });

  test('a hypervisor in the namespace can open tap0', async (t) => {
    const qemu = await missingQemu();
    if (qemu) return t.skip(qemu);
    const stack = new CleanupStack();
    t.after(() => stack.run(log));
    const id = testId();
    const dir = await scratchDir(stack);
    const lease = await prepareVmNetwork({
      vmId: id,
      workDir: dir,
      log,
      services: [metadataService(join(dir, 'mmds.sock'))],
    });
    stack.push('destroy', () => lease.destroy());

    const child = start('ip', [
      'netns',
      'exec',
      lease.netns,
      'qemu-system-x86_64',
      '-M',
      'none',
      '-display',
      'none',
      '-nodefaults',
      '-S',
      '-netdev',
      `tap,id=n0,ifname=${lease.tap},script=no,downscript=no`,
    ]);
    stack.push('kill qemu', () => void child.kill('SIGKILL'));

    assert.equal(await carrierUp(lease.netns, lease.tap), true);
    await lease.destroy();
    assert.ok(!(await netnsNames()).includes(lease.netns));
    assert.notEqual(child.exitCode ?? child.signalCode, null);
  });
});

async function missingQemu(): Promise<string | undefined> {
  const found = await onPath('qemu-system-x86_64');
  return found ? undefined : 'qemu-system-x86_64 is not installed';
}

async function carrierUp(netns: string, dev: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const { stdout } = await run('ip', ['-n', netns, 'link', 'show', dev]);
    if (stdout.includes('LOWER_UP')) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}
