import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DemandRecord, VmRecord } from '../store/index.js';
import { buildReport, MAX_JOB_NAME_ROWS } from './report.js';
import {
  agent,
  DAY,
  demand,
  MIN,
  project,
  records,
  T0,
  vm,
} from './testing/records.js';
import { DAY_MS } from './window.js';

describe('the insights report', () => {
  test('an empty store gives an empty, complete report', () => {
    const report = buildReport(records(), DAY, null);
    assert.equal(report.window.from, new Date(T0).toISOString());
    assert.equal(report.totals.jobs, 0);
    assert.deepEqual(report.byProject, []);
    assert.equal(report.series.length, 24);
    assert.equal(report.fleet.vcpuPercent, null);
    assert.equal(report.cost, null);
    assert.match(report.notes.join(' '), /does not measure CPU or memory use/);
    assert.match(report.notes.join(' '), /hostMonthlyCost/);
    assert.doesNotThrow(() => JSON.stringify(report));
  });

  test('the previous window is totalled for comparison', () => {
    const report = buildReport(
      records({
        demands: [
          demand({ jobId: 1, createdAt: T0 - 60 * MIN }),
          demand({ jobId: 2, createdAt: T0 + 60 * MIN }),
          demand({ jobId: 3, createdAt: T0 + 70 * MIN }),
        ],
        vms: [vm({ demandJobId: 1, createdAt: T0 - 60 * MIN })],
      }),
      DAY,
      null,
    );
    assert.equal(report.totals.jobs, 2);
    assert.equal(report.previous.jobs, 1);
    assert.equal(report.previous.vmMinutes, 10);
  });

  test('a cost set for an agent firelab does not know is pointed out', () => {
    const costs = {
      currency: 'EUR',
      defaultMonthly: 100,
      monthlyByAgent: { a: 200, 'host-b': 300 },
    };
    const report = buildReport(records({ agents: [agent()] }), DAY, costs);
    assert.ok(report.cost);
    const said = report.notes.filter((note) =>
      /hostMonthlyCostByAgent/.test(note),
    );
    assert.deepEqual(said.length, 1);
    assert.match(said[0]!, /does not know \(host-b\): keys are agent names/);
    const known = buildReport(records({ agents: [agent()] }), DAY, {
      ...costs,
      monthlyByAgent: { a: 200 },
    });
    assert.ok(!known.notes.some((note) => /hostMonthlyCostByAgent/.test(note)));
  });

  test('job names beyond the limit are counted, not listed', () => {
    const demands = Array.from({ length: MAX_JOB_NAME_ROWS + 5 }, (_, i) =>
      demand({ jobId: i + 1, jobName: `job-${i}` }),
    );
    const report = buildReport(records({ demands }), DAY, null);
    assert.equal(report.byJobName.length, MAX_JOB_NAME_ROWS);
    assert.equal(report.jobNamesLeftOut, 5);
  });

  test('100,000 jobs over 30 days on 50 hosts', (t) => {
    const window = {
      spec: '30d',
      from: T0,
      to: T0 + 30 * DAY_MS,
      bucketMs: DAY_MS,
    };
    const demands: DemandRecord[] = [];
    const vms: VmRecord[] = [];
    for (let i = 0; i < 100_000; i++) {
      const at = T0 + Math.floor((i / 100_000) * 30 * DAY_MS);
      demands.push(
        demand({
          jobId: i + 1,
          projectId: i % 200,
          groupId: i % 20,
          jobName: `job-${i % 50}`,
          createdAt: at,
        }),
      );
      vms.push(
        vm({
          demandJobId: i + 1,
          projectId: i % 200,
          agentId: `h${i % 50}`,
          createdAt: at + 1_000,
          endedAt: at + 10 * MIN,
        }),
      );
    }
    const agents = Array.from({ length: 50 }, (_, i) => agent({ id: `h${i}` }));
    const projects = Array.from({ length: 200 }, (_, i) =>
      project({ id: i, path: `g/p${i}` }),
    );
    const started = performance.now();
    const report = buildReport(
      records({ now: window.to, demands, vms, agents, projects }),
      window,
      { currency: 'EUR', defaultMonthly: 300, monthlyByAgent: {} },
    );
    const ms = performance.now() - started;
    t.diagnostic(`aggregated 100,000 demands and VMs in ${Math.round(ms)} ms`);
    assert.equal(report.totals.jobs, 100_000);
    assert.equal(report.byProject.length, 200);
    assert.equal(report.series.length, 30);
    assert.ok(ms < 5_000, `took ${ms} ms`);
  });
});
