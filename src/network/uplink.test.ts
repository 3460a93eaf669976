import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CleanupStack } from '../lib/cleanup.js';
import { silentLogger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import {
  addTestNetns,
  ECHO_PORT,
  guestBehindNat,
  missingPrerequisite,
  netnsNames,
  probeFromGuest,
  startEchoServer,
  testId,
} from './testing.js';
import { fakeHostAndInternet, HOST, INTERNET } from './fake-internet.js';
import {
  ensureUplink,
  hostRuleset,
  removeUplink,
  uplinkRuleset,
} from './uplink.js';

const skip = await missingPrerequisite();
const log = silentLogger();
const at = (host: string) => `${host}:${ECHO_PORT}`;

const LINK = '10.199.255.252/30';

describe(
  'uplink: VMs reach out through the host, never into it',
  { skip },
  () => {
    test('out through two NATs; host, uplink and other VMs unreachable', async (t) => {
      const stack = new CleanupStack();
      t.after(() => stack.run(log));
      const id = testId();
      const dir = await mkdtemp(join(tmpdir(), 'fluplink-'));
      stack.push('remove dir', () => rm(dir, { recursive: true, force: true }));
      const { hostNetns } = await fakeHostAndInternet(id, stack);
      const uplink = `flt-u-${id}`;
      stack.push('remove uplink', () =>
        removeUplink({ netns: uplink, hostNetns, log }),
      );
      await ensureUplink({ netns: uplink, hostNetns, linkSubnet: LINK, log });
      // A second agent on the host (or a restart) finds it made.
      await ensureUplink({ netns: uplink, hostNetns, linkSubnet: LINK, log });

      // Private ranges opened on purpose: the host and uplink rules must
      // hold even where a VM's own allowlist lets traffic through.
      const egress = (transit: string) => ({
        mode: 'nat' as const,
        uplinkNetns: uplink,
        transitSubnet: transit,
        allow: ['10.0.0.0/8'],
      });
      const a = await guestBehindNat(
        `${id}-a`,
        dir,
        egress('10.200.0.0/30'),
        stack,
      );
      const b = await guestBehindNat(
        `${id}-b`,
        dir,
        egress('10.200.0.4/30'),
        stack,
      );
      // Something listening in VM b's namespace, on its transit address.
      await startEchoServer(b.lease.netns, stack);

      const seen = await probeFromGuest(a.guestNs, {
        read: [at(INTERNET)],
        probe: [
          INTERNET,
          HOST,
          '10.199.255.253',
          '10.199.255.254',
          '10.200.0.6',
        ].map(at),
      });
      assert.equal(seen.probe[at(INTERNET)], 'connected');
      // The internet learns the host's address only.
      assert.equal(seen.read[at(INTERNET)], HOST);
      for (const closed of [
        HOST,
        '10.199.255.253',
        '10.199.255.254',
        '10.200.0.6',
      ]) {
        assert.equal(seen.probe[at(closed)], 'timeout', closed);
      }
      const fromB = await probeFromGuest(b.guestNs, { read: [at(INTERNET)] });
      assert.equal(fromB.read[at(INTERNET)], HOST);
    });

    test('removeUplink leaves nothing; a missing uplink is no error', async (t) => {
      const stack = new CleanupStack();
      t.after(() => stack.run(log));
      const id = testId();
      const hostNetns = `flt-h-${id}`;
      await addTestNetns(hostNetns, stack);
      const uplink = `flt-u-${id}`;
      await ensureUplink({ netns: uplink, hostNetns, linkSubnet: LINK, log });
      await removeUplink({ netns: uplink, hostNetns, log });
      await removeUplink({ netns: uplink, hostNetns, log });
      assert.ok(!(await netnsNames()).includes(uplink));
      const links = await run('ip', ['-n', hostNetns, '-o', 'link']);
      assert.doesNotMatch(links.stdout, /firelab-up/);
      const tables = await run('ip', [
        'netns',
        'exec',
        hostNetns,
        'nft',
        'list',
        'tables',
      ]);
      assert.equal(tables.stdout.trim(), '');
    });
  },
);

test('uplink rulesets: replace their table, drop towards host and uplink', () => {
  const host = hostRuleset(LINK);
  assert.match(
    host,
    /^table inet firelab_uplink\ndelete table inet firelab_uplink\n/,
  );
  assert.match(host, /iifname "firelab-up" drop/);
  assert.match(
    host,
    /ip saddr 10\.199\.255\.252\/30 oifname != "firelab-up" masquerade/,
  );
  const up = uplinkRuleset();
  assert.match(
    up,
    /chain input \{\n\s+type filter hook input priority filter; policy drop;/,
  );
  assert.match(
    up,
    /chain forward \{\n\s+type filter hook forward priority filter; policy drop;/,
  );
  assert.match(up, /iifname "flv\*" oifname "host0" accept/);
});
