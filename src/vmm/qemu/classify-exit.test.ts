import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyExit } from './classify-exit.js';
import type { ExitFacts } from './classify-exit.js';

const ran: ExitFacts = {
  reachedRunning: true,
  requested: undefined,
  code: 0,
  signal: null,
  shutdownReason: 'guest-reset',
  guestPanicked: false,
};

const cases: [string, Partial<ExitFacts>, string][] = [
  ['guest reboot', {}, 'guest-exit'],
  ['guest poweroff', { shutdownReason: 'guest-shutdown' }, 'guest-exit'],
  ['exit 0, event missed', { shutdownReason: undefined }, 'guest-exit'],
  ['stop request wins', { requested: 'stopped' }, 'stopped'],
  [
    'stop by kill',
    { requested: 'stopped', code: null, signal: 'SIGKILL' },
    'stopped',
  ],
  [
    'deadline kill',
    { requested: 'deadline', code: null, signal: 'SIGKILL' },
    'deadline',
  ],
  ['never running', { reachedRunning: false, code: 1 }, 'boot-failed'],
  ['never running, exit 0', { reachedRunning: false }, 'boot-failed'],
  ['guest panic', { guestPanicked: true }, 'crashed'],
  ['killed by someone', { code: null, signal: 'SIGKILL' }, 'crashed'],
  ['qemu error', { code: 1, shutdownReason: undefined }, 'crashed'],
  ['quit by someone else', { shutdownReason: 'host-qmp-quit' }, 'crashed'],
];

for (const [name, facts, kind] of cases) {
  test(`classifyExit: ${name} → ${kind}`, () => {
    const result = classifyExit({ ...ran, ...facts });
    assert.equal(result.kind, kind);
    assert.ok(result.detail.length > 0);
  });
}

test('classifyExit: the detail names the signal', () => {
  const { detail } = classifyExit({ ...ran, code: null, signal: 'SIGSEGV' });
  assert.match(detail, /SIGSEGV/);
});
