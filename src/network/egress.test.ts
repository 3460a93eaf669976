import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
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
import { metadataService } from './services.js';
import type { EgressOptions } from './types.js';
import {
  addTestNetns,
  configureGuest,
  missingPrerequisite,
  runNodeIn,
  testId,
} from './testing.js';

const skip = await missingPrerequisite();
const log = silentLogger();

/** "Internet" addresses in the test's uplink namespace, all on lo. */
const PUBLIC_A = '203.0.113.10';
const PUBLIC_B = '198.51.100.7';
const PRIVATE = '10.99.0.1';

// Answers every connection with the peer address it saw, then closes.
const ECHO_SERVER = `
import { createServer } from 'node:net';
// Probes reset their connections at once; that must not end the server.
createServer((s) => s.on('error', () => {}).end(s.remoteAddress))
  .listen(7000, '0.0.0.0', () => process.stdout.write('ready\\n'));
`;

async function uplinkWithServer(name: string, stack: CleanupStack) {
  await addTestNetns(name, stack);
  for (const address of [PUBLIC_A, PUBLIC_B, PRIVATE]) {
    await run('ip', ['-n', name, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  }
  const server = start(
    'ip',
    ['netns', 'exec', name, process.execPath, '--input-type=module', '-'],
    { stdio: ['pipe', 'pipe', 'ignore'] },
  );
  stack.push('stop echo server', () => void server.kill('SIGKILL'));
  server.stdin?.end(ECHO_SERVER);
  await new Promise((resolve) => server.stdout?.once('data', resolve));
}

async function guestBehindNat(
  id: string,
  dir: string,
  egress: EgressOptions,
  stack: CleanupStack,
): Promise<GuestResult> {
  const guestNs = `flt-g-${id}`;
  await addTestNetns(guestNs, stack);
  const mmdsSock = join(dir, `${id}.sock`);
  const mmds = await startMmdsServer({
    socketPath: mmdsSock,
    data: { latest: { 'meta-data': { ok: 'yes' } } },
    log,
  });
  stack.push('close mmds', () => mmds.close());
  const lease = await prepareVmNetwork({
    vmId: id,
    workDir: join(dir, id),
    log,
    egress,
    attach: { kind: 'veth-for-test', peerNetns: guestNs },
    services: [metadataService(mmdsSock)],
  });
  stack.push('destroy', () => lease.destroy());
  await configureGuest(guestNs, lease);

  return (await runNodeIn(guestNs, GUEST_SCRIPT, {
    mmds: true,
    read: [`${PUBLIC_B}:7000`],
    probe: [PUBLIC_A, PUBLIC_B, PRIVATE, '10.255.0.1', '10.255.0.5'].map(
      (host) => `${host}:7000`,
    ),
  })) as GuestResult;
}

describe('egress nat into a test uplink namespace', { skip }, () => {
  test('public allowed, private and metadata blocked', async (t) => {
    const stack = new CleanupStack();
    t.after(() => stack.run(log));
    const id = testId();
    const dir = await mkdtemp(join(tmpdir(), 'flnat-'));
    stack.push('remove dir', () => rm(dir, { recursive: true, force: true }));
    const uplink = `flt-up-${id}`;
    await uplinkWithServer(uplink, stack);

    const open = await guestBehindNat(
      `${id}-o`,
      dir,
      { mode: 'nat', uplinkNetns: uplink, transitSubnet: '10.255.0.0/30' },
      stack,
    );
    const only = await guestBehindNat(
      `${id}-l`,
      dir,
      {
        mode: 'nat',
        uplinkNetns: uplink,
        transitSubnet: '10.255.0.4/30',
        allow: [`${PUBLIC_B}/32`],
        allowOnly: true,
      },
      stack,
    );

    assert.equal(open.mmds?.keys, 'ok');
    assert.equal(open.probe[`${PUBLIC_A}:7000`], 'connected');
    assert.equal(open.probe[`${PUBLIC_B}:7000`], 'connected');
    for (const blocked of [PRIVATE, '10.255.0.1', '10.255.0.5']) {
      assert.equal(open.probe[`${blocked}:7000`], 'timeout', blocked);
    }
    // The uplink sees the VM's transit address, never the guest's own.
    assert.equal(open.read[`${PUBLIC_B}:7000`], '10.255.0.2');
    assert.equal(only.read[`${PUBLIC_B}:7000`], '10.255.0.6');
    assert.equal(only.mmds?.keys, 'ok');
    assert.equal(only.probe[`${PUBLIC_B}:7000`], 'connected');
    assert.equal(only.probe[`${PUBLIC_A}:7000`], 'timeout');
    assert.equal(only.probe[`${PRIVATE}:7000`], 'timeout');
  });
});
