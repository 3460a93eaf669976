import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chooseHypervisor } from './choose-hypervisor.js';
import type { DoctorCheck } from './doctor-types.js';
import {
  doctorExitCode,
  formatReportJson,
  formatReportText,
  makeReport,
} from './format-report.js';

const NOW = new Date('2026-07-01T12:00:00Z');
const check = (
  name: string,
  ok: boolean,
  severity: 'fatal' | 'warn' = 'fatal',
): DoctorCheck => ({
  name,
  ok,
  severity,
  detail: `${name} detail`,
  fix: `fix ${name}`,
});

describe('doctor report', () => {
  const cases: [string, DoctorCheck[], boolean, number][] = [
    ['all ok', [check('kvm', true), check('ip', true)], true, 0],
    [
      'a warning only',
      [check('kvm', true), check('disk', false, 'warn')],
      true,
      0,
    ],
    ['a fatal failure', [check('kvm', false), check('ip', true)], false, 1],
    ['no checks', [], true, 0],
  ];
  for (const [name, checks, ok, code] of cases) {
    test(`${name}: ok ${ok}, exit ${code}`, () => {
      const report = makeReport(checks, NOW);
      assert.equal(report.ok, ok);
      assert.equal(doctorExitCode(report), code);
    });
  }

  test('text: one line per check, fixes only for failures', () => {
    const report = makeReport(
      [
        check('kvm', true),
        check('nftables', false),
        check('disk', false, 'warn'),
      ],
      NOW,
    );
    assert.equal(
      formatReportText(report),
      [
        'ok   kvm       kvm detail',
        'FAIL nftables  nftables detail -> fix nftables',
        'warn disk      disk detail -> fix disk',
        'host not ready: 1 fatal problem',
        '',
      ].join('\n'),
    );
  });

  test('json round-trips', () => {
    const report = makeReport([check('kvm', true)], NOW);
    assert.deepEqual(JSON.parse(formatReportJson(report)), {
      checks: [check('kvm', true)],
      ok: true,
      generatedAt: '2026-07-01T12:00:00.000Z',
    });
  });
});

describe('chooseHypervisor', () => {
  const report = (kvm: boolean, fc: boolean) =>
    makeReport([check('kvm', kvm), check('firecracker', fc)], NOW);
  const cases: [
    string,
    boolean,
    boolean,
    'auto' | 'firecracker' | 'qemu',
    string,
    RegExp,
  ][] = [
    ['auto with everything', true, true, 'auto', 'firecracker', /KVM works/],
    ['auto without KVM', false, true, 'auto', 'qemu', /kvm not usable/],
    [
      'auto without binary',
      true,
      false,
      'auto',
      'qemu',
      /firecracker not usable/,
    ],
    ['auto with neither', false, false, 'auto', 'qemu', /kvm and firecracker/],
    ['qemu always', true, true, 'qemu', 'qemu', /^configured$/],
    [
      'firecracker kept',
      true,
      true,
      'firecracker',
      'firecracker',
      /^configured$/,
    ],
    [
      'firecracker without KVM',
      false,
      true,
      'firecracker',
      'firecracker',
      /but kvm failed/,
    ],
  ];
  for (const [name, kvm, fc, configured, hypervisor, why] of cases) {
    test(name, () => {
      const choice = chooseHypervisor(report(kvm, fc), configured);
      assert.equal(choice.hypervisor, hypervisor);
      assert.match(choice.why, why);
    });
  }

  test('a missing check counts as failing', () => {
    const choice = chooseHypervisor(makeReport([], NOW), 'auto');
    assert.equal(choice.hypervisor, 'qemu');
  });
});
