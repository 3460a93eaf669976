import assert from 'node:assert/strict';
import { test } from 'node:test';
import { silentLogger } from '../lib/logger.js';
import { planNetwork } from './plan.js';
import { metadataService } from './services.js';
import type { PrepareNetworkOptions } from './types.js';

const base: PrepareNetworkOptions = {
  vmId: 'vm-1',
  workDir: '/var/lib/firelab/vms/vm-1',
  log: silentLogger(),
  services: [
    metadataService('/run/firelab/vm-1/mmds.sock'),
    {
      name: 'gitlab',
      listenIp: '10.0.0.1',
      port: 8080,
      target: { host: 'gitlab.example', port: 443 },
    },
  ],
};

test('the plan names everything before any I/O', () => {
  const plan = planNetwork(base);
  assert.equal(plan.netns, 'fl-vm-1');
  assert.equal(plan.device, 'tap0');
  assert.deepEqual(plan.extraIps, ['169.254.169.254']);
  assert.equal(plan.socketDir, '/var/lib/firelab/vms/vm-1/net');
  assert.deepEqual(plan.attach, { kind: 'tap' });
  assert.deepEqual(plan.egress, { mode: 'gitlab-only' });
});

test('bad options are refused with the option named', () => {
  const gitlab = base.services[1]!;
  const cases: [Partial<PrepareNetworkOptions>, RegExp][] = [
    [{ vmId: 'Bad' }, /invalid VM id/],
    [{ subnet: '10.0.0.0/31' }, /between/],
    [{ workDir: 'relative' }, /workDir/],
    [{ workDir: '/with,comma' }, /workDir/],
    [{ services: [{ ...gitlab, port: 0 }] }, /port 0/],
    [{ services: [{ ...gitlab, listenIp: '10.0.0.2' }] }, /guest's own/],
    [{ services: [gitlab, { ...gitlab, name: 'two' }] }, /twice/],
    [{ services: [metadataService('/tmp/a:b')] }, /target/],
    [
      {
        subnet: '10.0.0.0/24',
        egress: {
          mode: 'nat',
          uplinkNetns: 'up',
          transitSubnet: '10.0.0.4/30',
        },
      },
      /overlaps/,
    ],
    [
      {
        egress: {
          mode: 'nat',
          uplinkNetns: 'up',
          transitSubnet: '10.9.0.0/29',
        },
      },
      /must be a \/30/,
    ],
  ];
  for (const [change, message] of cases) {
    assert.throws(() => planNetwork({ ...base, ...change }), message);
  }
});
