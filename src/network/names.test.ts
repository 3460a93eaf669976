import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isVmNetns, macFor, netnsName, uplinkPeerName } from './names.js';

test('namespace names come from valid VM ids only', () => {
  assert.equal(netnsName('job-42'), 'fl-job-42');
  for (const bad of ['', 'UPPER', 'a b', '../x', '-lead', 'x'.repeat(41)]) {
    assert.throws(() => netnsName(bad), /invalid VM id/, bad);
  }
  assert.equal(isVmNetns('fl-job-42'), true);
  assert.equal(isVmNetns('fl-'), false);
  assert.equal(isVmNetns('flx-job'), false);
  assert.equal(isVmNetns('other'), false);
});

test('MACs are stable, unicast and locally administered', () => {
  const mac = macFor('job-42');
  assert.match(mac, /^02(:[0-9a-f]{2}){5}$/);
  assert.equal(macFor('job-42'), mac);
  assert.notEqual(macFor('job-43'), mac);
});

test('uplink veth names fit the 15-byte interface name limit', () => {
  assert.ok(uplinkPeerName('x'.repeat(40)).length <= 15);
  assert.notEqual(uplinkPeerName('a'), uplinkPeerName('b'));
});
