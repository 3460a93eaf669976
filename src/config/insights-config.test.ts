import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './load.js';

const minimal = {
  gitlab: { url: 'https://gitlab.example.com', token: 'glpat-x' },
  server: { adminToken: 'a'.repeat(32) },
};

test('insights: no host cost unless configured', () => {
  const config = parseConfig(minimal, 'server', {});
  assert.deepEqual(config.insights, {
    hostMonthlyCost: 0,
    hostMonthlyCostByAgent: {},
  });
});

test('insights: a default host cost and per-agent overrides', () => {
  const insights = {
    currency: 'EUR',
    hostMonthlyCost: 400,
    hostMonthlyCostByAgent: { 'big-host': 900 },
  };
  const config = parseConfig({ ...minimal, insights }, 'server', {});
  assert.deepEqual(config.insights, insights);
});

test('insights: mistakes name the option', () => {
  const cases: [unknown, RegExp][] = [
    [{ hostMonthlyCost: 400 }, /insights\.currency: name the currency/],
    [{ currency: 'EUR', hostMonthlyCost: -1 }, /insights\.hostMonthlyCost/],
    [
      { currency: 'EUR', hostMonthlyCostByAgent: { a: 'lots' } },
      /insights\.hostMonthlyCostByAgent/,
    ],
    [{ currency: 'EUR', perHost: 3 }, /insights: .*perHost/],
  ];
  for (const [insights, message] of cases)
    assert.throws(
      () => parseConfig({ ...minimal, insights }, 'server', {}),
      message,
    );
});
