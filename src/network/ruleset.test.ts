import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRuleset } from './ruleset.js';

const input = {
  device: 'tap0',
  guestIp: '10.0.0.2',
  gatewayIp: '10.0.0.1',
  endpoints: [
    { ip: '169.254.169.254', port: 80 },
    { ip: '10.0.0.1', port: 8080 },
  ],
};

test('gitlab-only: exposed endpoints in, nothing forwarded', () => {
  const rules = buildRuleset(input);

  assert.match(rules, /^table inet firelab\ndelete table inet firelab\n/);
  assert.match(rules, /ip saddr != 10\.0\.0\.2 drop/);
  assert.match(rules, /ip daddr 169\.254\.169\.254 tcp dport 80 ct state new/);
  assert.match(rules, /ip daddr 10\.0\.0\.1 tcp dport 8080 ct state new/);
  assert.match(rules, /hook forward priority filter; policy drop;\n {2}\}/);
  assert.doesNotMatch(rules, /masquerade/);
});

test('nat: metadata and private ranges blocked unless allowed', () => {
  const rules = buildRuleset({
    ...input,
    nat: { allow: ['10.20.0.0/16'], allowOnly: false },
  });
  const forward = rules.slice(rules.indexOf('chain forward'));

  const order = ['169.254.169.254 drop', '10.20.0.0/16 } accept', '/8'];
  const positions = order.map((text) => forward.indexOf(text));
  assert.deepEqual(
    [...positions].sort((a, b) => a - b),
    positions,
  );
  assert.match(forward, /ip saddr 10\.0\.0\.2 accept\n/);
  assert.match(rules, /oifname "up0" ip saddr 10\.0\.0\.2 masquerade/);
});

test('nat with allowOnly forwards nothing outside the allowlist', () => {
  const rules = buildRuleset({
    ...input,
    nat: { allow: ['203.0.113.0/24'], allowOnly: true },
  });
  assert.doesNotMatch(rules, /ip saddr 10\.0\.0\.2 accept\n/);
  assert.match(rules, /\{ 203\.0\.113\.0\/24 \} accept/);
});

test('nat audit: beyond the allowlist noted and let through, ranges still closed', () => {
  const rules = buildRuleset({
    ...input,
    nat: { allow: ['203.0.113.0/24'], allowOnly: true, audit: true },
  });
  assert.match(
    rules,
    /set egress_audit \{\n\s+type ipv4_addr \. inet_proto \. inet_service/,
  );
  const forward = rules.slice(rules.indexOf('chain forward'));
  const order = [
    '169.254.169.254 drop',
    '203.0.113.0/24 } accept',
    '/8',
    '@egress_audit',
    'ip saddr 10.0.0.2 accept',
  ];
  const positions = order.map((text) => forward.indexOf(text));
  assert.ok(
    positions.every((at) => at >= 0),
    String(positions),
  );
  assert.deepEqual(
    [...positions].sort((a, b) => a - b),
    positions,
  );
  // Without allowOnly there is nothing to audit.
  const open = buildRuleset({
    ...input,
    nat: { allow: [], allowOnly: false, audit: true },
  });
  assert.doesNotMatch(open, /egress_audit/);
});
