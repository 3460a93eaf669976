import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyExit } from './classify-exit.js';
import type { FirecrackerExitFacts } from './classify-exit.js';

const RAN: FirecrackerExitFacts = {
  started: true,
  requested: undefined,
  code: 0,
  signal: null,
  guestPanicked: false,
};

const cases: [string, Partial<FirecrackerExitFacts>, string, RegExp][] = [
  [
    'guest reboot',
    {},
    'guest-exit',
    /guest rebooted or powered off \(exit 0\)/,
  ],
  [
    'guest panic exits 0 too',
    { guestPanicked: true },
    'crashed',
    /kernel panic/,
  ],
  [
    'exit 0 before InstanceStart',
    { started: false },
    'boot-failed',
    /never started/,
  ],
  [
    'exit 1 before start',
    { started: false, code: 1 },
    'boot-failed',
    /generic error/,
  ],
  [
    'triple fault',
    { code: 1 },
    'crashed',
    /exit 1, generic error .*triple fault/,
  ],
  ['seccomp', { code: 148 }, 'crashed', /seccomp/],
  ['huge pages', { code: 149 }, 'crashed', /SIGBUS/],
  ['SIGSEGV', { code: 150 }, 'crashed', /SIGSEGV/],
  ['file size limit', { code: 151 }, 'crashed', /SIGXFSZ/],
  ['bad --level', { code: 152 }, 'crashed', /bad configuration/],
  ['bad flags', { code: 153 }, 'crashed', /parse error/],
  ['SIGHUP', { code: 156 }, 'crashed', /SIGHUP/],
  ['unknown code', { code: 77 }, 'crashed', /exit 77$/],
  ['panic (abort)', { code: null, signal: 'SIGABRT' }, 'crashed', /panicked/],
  ['OOM killer', { code: null, signal: 'SIGKILL' }, 'crashed', /OOM/],
  ['someone else', { code: null, signal: 'SIGTERM' }, 'crashed', /SIGTERM/],
  ['other signal', { code: null, signal: 'SIGUSR2' }, 'crashed', /SIGUSR2/],
  [
    'stop wins',
    { requested: 'stopped', code: null, signal: 'SIGKILL' },
    'stopped',
    /on request/,
  ],
  ['stop after exit 0', { requested: 'stopped' }, 'stopped', /exit 0/],
  [
    'deadline wins',
    { requested: 'deadline', guestPanicked: true },
    'deadline',
    /deadline/,
  ],
  [
    'deadline before start',
    { requested: 'deadline', started: false },
    'deadline',
    /deadline/,
  ],
];

for (const [name, facts, kind, detail] of cases) {
  test(`classifyExit: ${name}`, () => {
    const result = classifyExit({ ...RAN, ...facts });
    assert.equal(result.kind, kind);
    assert.match(result.detail, detail);
  });
}

test('classifyExit never calls exit 0 a success', () => {
  const { detail } = classifyExit(RAN);
  assert.doesNotMatch(detail, /success|succeeded|ok/i);
});
