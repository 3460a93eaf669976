import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfig } from './load.js';

// `agent.firecracker.kernel`: where `firelab image kernel` puts its
// result is what the operator writes here.
const minimal = {
  gitlab: { url: 'https://gitlab.example.com', token: 'glpat-x' },
  server: { adminToken: 'a'.repeat(32) },
};
const withFirecracker = (firecracker: object) => ({
  ...minimal,
  agent: { hypervisor: 'firecracker', firecracker },
});

test('agent.firecracker.kernel is an optional path', () => {
  const given = parseConfig(
    withFirecracker({ kernel: '/var/lib/firelab/kernel/x86_64/vmlinux' }),
    'up',
    {},
  );
  assert.equal(
    given.agent.firecracker.kernel,
    '/var/lib/firelab/kernel/x86_64/vmlinux',
  );
  const absent = parseConfig(withFirecracker({}), 'up', {});
  assert.equal(absent.agent.firecracker.kernel, undefined);
});

test('a bad kernel option is named', () => {
  for (const [firecracker, message] of [
    [{ kernel: '' }, /agent\.firecracker\.kernel/],
    [{ kernelPath: '/k' }, /agent\.firecracker: .*kernelPath/],
  ] as const) {
    assert.throws(
      () => parseConfig(withFirecracker(firecracker), 'up', {}),
      message,
    );
  }
});
