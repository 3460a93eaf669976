import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { prepareVmNetwork } from './prepare.js';
import { metadataService } from './services.js';
import { cleanupStaleNetworks } from './stale.js';
import {
  missingPrerequisite,
  netnsNames,
  pidsMentioning,
  testId,
} from './testing.js';

const skip = await missingPrerequisite();
const log = silentLogger();

describe('cleanupStaleNetworks', { skip }, () => {
  test('removes what a crashed agent left, and nothing else', async (t) => {
    const stack = new CleanupStack();
    t.after(() => stack.run(log));
    const id = testId();
    const dir = await mkdtemp(join(tmpdir(), 'flstale-'));
    stack.push('remove dir', () => rm(dir, { recursive: true, force: true }));
    // Two leftovers with relays running in them, as after a crash, and
    // one namespace outside the prefix that must survive.
    const leases = [];
    for (const suffix of ['x', 'y', 'keep']) {
      const lease = await prepareVmNetwork({
        vmId: suffix === 'keep' ? `${id}keep` : `${id}-${suffix}`,
        workDir: join(dir, suffix),
        log,
        services: [metadataService(join(dir, `${suffix}.sock`))],
      });
      stack.push('destroy', () => lease.destroy());
      leases.push(lease);
    }
    assert.equal((await pidsMentioning(dir)).length, 3);

    const removed = await cleanupStaleNetworks(log, { prefix: `fl-${id}-` });

    assert.deepEqual(removed.sort(), [`fl-${id}-x`, `fl-${id}-y`]);
    const names = await netnsNames();
    assert.ok(!names.includes(`fl-${id}-x`) && !names.includes(`fl-${id}-y`));
    assert.ok(names.includes(`fl-${id}keep`));
    assert.deepEqual(await pidsMentioning(join(dir, 'x.sock')), []);
    assert.equal((await pidsMentioning(join(dir, 'keep.sock'))).length, 1);
    await leases[0]?.destroy();
  });

  test('refuses a prefix outside fl-', async () => {
    await assert.rejects(cleanupStaleNetworks(log, { prefix: 'x' }), /fl-/);
  });
});
