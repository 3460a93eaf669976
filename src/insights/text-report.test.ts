import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildReport } from './report.js';
import { agent, DAY, demand, project, records, vm } from './testing/records.js';
import { textReport } from './text-report.js';

describe('the text report', () => {
  test('totals, tables, cost and hints', () => {
    const report = buildReport(
      records({
        agents: [agent()],
        projects: [project()],
        demands: [demand({ jobId: 1 }), demand({ jobId: 2, status: 'lost' })],
        vms: [vm({ demandJobId: 1 })],
      }),
      DAY,
      { currency: 'EUR', defaultMonthly: 300, monthlyByAgent: {} },
    );
    const text = textReport(report);
    assert.match(
      text,
      /^firelab insights, last 24h \(2025-01-01T00:00:00.000Z to/,
    );
    assert.match(
      text,
      /jobs: 2 \(the window before: 0\); 1 succeeded, .* 1 lost/,
    );
    assert.match(text, /waits p50\/p95: job started 10\/10 s/);
    assert.match(text, /cost: 9\.86 EUR, idle capacity 9\.84 EUR/);
    assert.match(
      text,
      /projects:\n +jobs +vCPU-min +GiB-min +cost\n {2}acme\/app +2 +20 +20 +0\.01\n/,
    );
    assert.match(text, /job names:\n.*\n {2}acme\/app: build /);
    assert.match(text, /- 1 job\(s\) lost their VM mid-job/);
  });

  test("GitLab's names cannot send escape sequences to the terminal", () => {
    const report = buildReport(
      records({ demands: [demand({ jobName: 'a\u001b[2Jb\u009bc' })] }),
      DAY,
      null,
    );
    assert.match(textReport(report), /project 10: a\?\[2Jb\?c\s/);
  });

  test('an empty window', () => {
    const text = textReport(buildReport(records(), DAY, null));
    assert.match(text, /jobs: 0 /);
    assert.match(text, /job started -, VM made -, VM ready -/);
    assert.doesNotMatch(text, /cost:|projects:/);
    assert.match(text, /- No firelab jobs in this window\./);
  });
});
