import { randomBytes } from 'node:crypto';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CleanupStack } from '../lib/cleanup.js';
import { run } from '../lib/process.js';
import type { VmNetworkLease } from '../network/index.js';
import { memoryLog } from '../server/testing/memory-log.js';
import { NatEgress, usableResolvers } from './vm-egress.js';

const settings = {
  uplinkNetns: 'firelab-uplink',
  linkSubnet: '10.199.255.252/30',
  transitPool: '10.200.0.0/29',
  allow: ['192.168.50.0/24'],
  allowOnly: false,
  audit: false,
  nameservers: ['10.1.2.3'],
};

test('NatEgress: a transit link per VM, freed by its cleanup', async () => {
  const egress = new NatEgress(settings);
  const a = new CleanupStack();
  const b = new CleanupStack();
  assert.deepEqual(egress.forVm('a', a), {
    mode: 'nat',
    uplinkNetns: 'firelab-uplink',
    transitSubnet: '10.200.0.0/30',
    // The resolver is private: opened, or the guest could not resolve.
    allow: ['192.168.50.0/24', '10.1.2.3/32'],
    allowOnly: false,
    audit: false,
  });
  assert.equal(egress.forVm('b', b).transitSubnet, '10.200.0.4/30');
  assert.throws(() => egress.forVm('c', new CleanupStack()), /is full/);
  await a.run();
  assert.equal(
    egress.forVm('c', new CleanupStack()).transitSubnet,
    '10.200.0.0/30',
  );
});

test('NatEgress: overlapping address plans are refused by name', () => {
  assert.throws(
    () => new NatEgress({ ...settings, transitPool: '10.0.0.0/16' }),
    /agent\.egress\.transitPool 10\.0\.0\.0\/16 overlaps the guest link/,
  );
  assert.throws(
    () => new NatEgress({ ...settings, transitPool: '10.199.0.0/16' }),
    /overlaps agent\.egress\.linkSubnet/,
  );
  assert.throws(
    () => new NatEgress({ ...settings, linkSubnet: '10.0.0.0/30' }),
    /agent\.egress\.linkSubnet 10\.0\.0\.0\/30 overlaps the guest link/,
  );
});

test('usableResolvers: IPv4 nameservers a guest can reach', () => {
  const conf = [
    '# generated',
    'nameserver 127.0.0.53',
    'nameserver 192.0.2.53',
    'search example.org',
    '  nameserver   198.51.100.1  ',
    'nameserver 2001:db8::1',
    'nameserver 192.0.2.53',
    'options edns0',
  ].join('\n');
  assert.deepEqual(usableResolvers(conf), ['192.0.2.53', '198.51.100.1']);
  assert.deepEqual(usableResolvers(''), []);
});

test('reportAudit: logs what went beyond the allowlist, only in audit', async () => {
  const lease = {
    auditedEgress: async () => [
      { address: '198.51.100.7', protocol: 'tcp' as const, port: 443 },
      { address: '203.0.113.9', protocol: 'udp' as const, port: 123 },
    ],
  } as unknown as VmNetworkLease;
  const audited = memoryLog();
  await new NatEgress({
    ...settings,
    allowOnly: true,
    audit: true,
  }).reportAudit(lease, audited.log);
  const [line] = audited.find(/^egress audit/);
  assert.deepEqual(line?.['destinations'], [
    '198.51.100.7 tcp/443',
    '203.0.113.9 udp/123',
  ]);

  const quiet = memoryLog();
  await new NatEgress({ ...settings, audit: true }).reportAudit(
    lease,
    quiet.log,
  );
  assert.equal(quiet.find(/^egress audit/).length, 0, 'no allowOnly: no audit');
});

test('prepareHost: an uplink that cannot be made is one clear line', async () => {
  const uplinkNetns = `flt-u-${randomBytes(4).toString('hex')}`;
  const egress = new NatEgress({
    ...settings,
    uplinkNetns,
    hostNetns: 'no-such-namespace-here',
  });
  await assert.rejects(egress.prepareHost(memoryLog().log), (error: Error) => {
    assert.equal(error.name, 'UserError');
    assert.equal(
      error.message,
      `cannot make the egress uplink ${uplinkNetns} (agent.egress): host namespace no-such-namespace-here does not exist`,
    );
    return true;
  });
  const { stdout } = await run('ip', ['netns', 'list']);
  assert.doesNotMatch(stdout, new RegExp(uplinkNetns), 'nothing made');
});
