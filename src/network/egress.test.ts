import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import type { EgressOptions } from './types.js';
import {
  addTestNetns,
  ECHO_PORT,
  guestBehindNat,
  missingPrerequisite,
  probeFromGuest,
  startEchoServer,
  testId,
} from './testing.js';

const skip = await missingPrerequisite();
const log = silentLogger();

/** "Internet" addresses in the test's uplink namespace, all on lo. */
const PUBLIC_A = '203.0.113.10';
const PUBLIC_B = '198.51.100.7';
const PRIVATE = '10.99.0.1';
const at = (host: string) => `${host}:${ECHO_PORT}`;

async function uplinkWithServer(name: string, stack: CleanupStack) {
  await addTestNetns(name, stack);
  for (const address of [PUBLIC_A, PUBLIC_B, PRIVATE]) {
    await run('ip', ['-n', name, 'addr', 'add', `${address}/32`, 'dev', 'lo']);
  }
  await startEchoServer(name, stack);
}

/**
 * What each test here starts from: an id, a folder and an uplink with
 * "the internet" in it, all removed after the test.
 */
async function natLab(t: TestContext) {
  const stack = new CleanupStack();
  t.after(() => stack.run(log));
  const id = testId();
  const dir = await mkdtemp(join(tmpdir(), 'flnat-'));
  stack.push('remove dir', () => rm(dir, { recursive: true, force: true }));
  const uplink = `flt-up-${id}`;
  await uplinkWithServer(uplink, stack);
  return { stack, id, dir, uplink };
}

async function guestResult(
  id: string,
  dir: string,
  egress: EgressOptions,
  stack: CleanupStack,
) {
  const { guestNs } = await guestBehindNat(id, dir, egress, stack);
  return probeFromGuest(guestNs, {
    mmds: true,
    read: [at(PUBLIC_B)],
    probe: [PUBLIC_A, PUBLIC_B, PRIVATE, '10.255.0.1', '10.255.0.5'].map(at),
  });
}

describe('egress nat into a test uplink namespace', { skip }, () => {
  test('public allowed, private and metadata blocked', async (t) => {
    const { stack, id, dir, uplink } = await natLab(t);

    const open = await guestResult(
      `${id}-o`,
      dir,
      { mode: 'nat', uplinkNetns: uplink, transitSubnet: '10.255.0.0/30' },
      stack,
    );
    const only = await guestResult(
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
    assert.equal(open.probe[at(PUBLIC_A)], 'connected');
    assert.equal(open.probe[at(PUBLIC_B)], 'connected');
    for (const blocked of [PRIVATE, '10.255.0.1', '10.255.0.5']) {
      assert.equal(open.probe[at(blocked)], 'timeout', blocked);
    }
    // The uplink sees the VM's transit address, never the guest's own.
    assert.equal(open.read[at(PUBLIC_B)], '10.255.0.2');
    assert.equal(only.read[at(PUBLIC_B)], '10.255.0.6');
    assert.equal(only.mmds?.keys, 'ok');
    assert.equal(only.probe[at(PUBLIC_B)], 'connected');
    assert.equal(only.probe[at(PUBLIC_A)], 'timeout');
    assert.equal(only.probe[at(PRIVATE)], 'timeout');
  });

  test('audit: beyond the allowlist let through and noted; ranges stay closed', async (t) => {
    const { stack, id, dir, uplink } = await natLab(t);
    const { lease, guestNs } = await guestBehindNat(
      `${id}-a`,
      dir,
      {
        mode: 'nat',
        uplinkNetns: uplink,
        transitSubnet: '10.255.0.8/30',
        allow: [`${PUBLIC_B}/32`],
        allowOnly: true,
        audit: true,
      },
      stack,
    );
    assert.deepEqual(await lease.auditedEgress(), []);
    const seen = await probeFromGuest(guestNs, {
      probe: [PUBLIC_A, PUBLIC_B, PRIVATE].map(at),
    });
    assert.equal(seen.probe[at(PUBLIC_A)], 'connected');
    assert.equal(seen.probe[at(PUBLIC_B)], 'connected');
    assert.equal(seen.probe[at(PRIVATE)], 'timeout');
    // Only what the allowlist alone would have stopped is noted.
    assert.deepEqual(await lease.auditedEgress(), [
      { address: PUBLIC_A, protocol: 'tcp', port: ECHO_PORT },
    ]);
  });
});
