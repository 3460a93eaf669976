import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Hint } from './hints.js';
import { buildReport } from './report.js';
import { agent, DAY, demand, MIN, records, T0, vm } from './testing/records.js';

function kinds(over: Parameters<typeof records>[0]): Hint['kind'][] {
  return buildReport(records(over), DAY, null).hints.map((h) => h.kind);
}

// A VM per hour on host `a`, `vcpus` each, running jobs all its life.
function steady(vcpus: number) {
  return Array.from({ length: 24 }, (_, i) => ({
    d: demand({ jobId: i + 1, createdAt: T0 + i * 60 * MIN }),
    v: vm({
      demandJobId: i + 1,
      vcpus,
      memoryMiB: 2048 * vcpus,
      createdAt: T0 + i * 60 * MIN,
      bootedAt: T0 + i * 60 * MIN + 1_000,
      jobStartedAt: T0 + i * 60 * MIN + 2_000,
      endedAt: T0 + (i + 1) * 60 * MIN,
    }),
  }));
}

describe('right-sizing hints', () => {
  test('an empty window says so and nothing else', () => {
    assert.deepEqual(kinds({ agents: [agent()] }), ['no-jobs']);
  });

  test('a small load on a big fleet: larger than needed', () => {
    const jobs = steady(1);
    assert.deepEqual(
      kinds({
        agents: [agent()],
        demands: jobs.map((j) => j.d),
        vms: jobs.map((j) => j.v),
      }),
      ['oversized'],
    );
  });

  test('a full fleet where jobs waited: add hosts', () => {
    const jobs = steady(8).map(({ d, v }) => ({
      d: { ...d, createdAt: d.createdAt - 60_000 },
      v,
    }));
    const hints = buildReport(
      records({
        agents: [agent()],
        demands: jobs.map((j) => j.d),
        vms: jobs.map((j) => j.v),
      }),
      DAY,
      null,
    ).hints;
    assert.deepEqual(
      hints.map((h) => h.kind),
      ['capacity'],
    );
    assert.match(hints[0]!.text, /p95 60 s .* 100 % of vCPUs/);
  });

  test('an architecture no job used, slow boots, and overhead', () => {
    const jobs = steady(8);
    const hints = kinds({
      agents: [agent(), agent({ id: 'arm-1', arch: 'arm64' })],
      demands: jobs.map((j) => j.d),
      vms: jobs.map(({ v }) => ({
        ...v,
        bootedAt: v.createdAt + 30_000,
        jobStartedAt: v.createdAt + 40 * MIN,
      })),
    });
    assert.deepEqual(hints, ['unused-arch', 'slow-boot', 'overhead']);
  });

  test('a host that ran nothing beside one that did', () => {
    const jobs = steady(8);
    assert.deepEqual(
      kinds({
        agents: [agent(), agent({ id: 'b' })],
        demands: jobs.map((j) => j.d),
        vms: jobs.map((j) => j.v),
      }),
      ['unused-host'],
    );
  });

  test('lost, unserved and expired jobs are named, with the commonest reason', () => {
    const hints = buildReport(
      records({
        demands: [
          demand({ jobId: 1, status: 'lost' }),
          demand({ jobId: 2, retryOf: 1 }),
          demand({
            jobId: 3,
            status: 'failed',
            reason: 'unusable tag firelab-99cpu',
          }),
          demand({
            jobId: 4,
            status: 'failed',
            reason: 'unusable tag firelab-99cpu',
          }),
          demand({
            jobId: 5,
            status: 'failed',
            reason: 'boots failed 3 times',
          }),
          demand({ jobId: 6, status: 'expired' }),
        ],
      }),
      DAY,
      null,
    ).hints;
    assert.deepEqual(
      hints.map((h) => h.kind),
      ['lost', 'unserved', 'expired'],
    );
    assert.match(
      hints[1]!.text,
      /3 job\(s\) .*: unusable tag firelab-99cpu\.$/,
    );
  });
});
