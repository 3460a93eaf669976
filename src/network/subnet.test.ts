import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIpv4, parseCidr, parseIpv4, parseSubnet } from './subnet.js';

test('IPv4 parsing is strict', () => {
  assert.equal(formatIpv4(parseIpv4('10.1.2.3')), '10.1.2.3');
  assert.equal(parseIpv4('255.255.255.255'), 2 ** 32 - 1);
  for (const bad of ['10.1.2', '10.1.2.256', '01.1.1.1', 'a.b.c.d', '']) {
    assert.throws(() => parseIpv4(bad), /invalid IPv4/, bad);
  }
  assert.throws(() => parseCidr('10.0.0.0/33'), /CIDR/);
  assert.throws(() => parseCidr('10.0.0.0'), /CIDR/);
});

test('a subnet gives gateway .1 and guest .2 of its network', () => {
  assert.deepEqual(parseSubnet('10.0.0.0/30'), {
    network: '10.0.0.0',
    gatewayIp: '10.0.0.1',
    guestIp: '10.0.0.2',
    prefixLength: 30,
  });
  assert.equal(parseSubnet('172.16.5.7/24').gatewayIp, '172.16.5.1');
  assert.throws(() => parseSubnet('10.0.0.0/31'), /between/);
});
