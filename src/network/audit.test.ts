import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseAuditSet } from './audit.js';

test('parseAuditSet: address, protocol and port of each element, sorted', () => {
  const json = JSON.stringify({
    nftables: [
      { metainfo: { version: '1.0.6' } },
      {
        set: {
          name: 'egress_audit',
          elem: [
            { concat: ['203.0.113.9', 'udp', 53] },
            { concat: ['198.51.100.7', 'tcp', 443] },
            {
              elem: {
                val: { concat: ['203.0.113.9', 'tcp', 80] },
                timeout: 60,
              },
            },
            { concat: ['203.0.113.9', 'icmp', 0] },
            'not an element',
          ],
        },
      },
    ],
  });
  assert.deepEqual(parseAuditSet(json), [
    { address: '198.51.100.7', protocol: 'tcp', port: 443 },
    { address: '203.0.113.9', protocol: 'tcp', port: 80 },
    { address: '203.0.113.9', protocol: 'udp', port: 53 },
  ]);
});

test('parseAuditSet: an empty set has no elem', () => {
  const json = JSON.stringify({
    nftables: [{ set: { name: 'egress_audit' } }],
  });
  assert.deepEqual(parseAuditSet(json), []);
});
