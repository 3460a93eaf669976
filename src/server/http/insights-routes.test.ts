import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { InsightsReport } from '../../insights/report.js';
import { testDatabases } from '../../store/testing/databases.js';
import { eventually, startHarness } from '../testing/harness.js';
import type { Harness } from '../testing/harness.js';
import {
  HOSTILE_NAME,
  seedInsights,
  TEN_AN_HOUR,
} from '../testing/seed-insights.js';

function get(h: Harness, path: string, token: string | null = h.adminToken) {
  return fetch(`${h.server.url}${path}`, {
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
}

for (const backend of testDatabases()) {
  describe(
    `GET /api/v1/insights on ${backend.name}`,
    { skip: backend.skip },
    () => {
      test('reports a seeded store', async () => {
        const h = await startHarness({
          database: await backend.config(),
          fakeAgent: false,
          insights: { hostCosts: TEN_AN_HOUR },
        });
        try {
          await seedInsights(h.store);
          const response = await get(h, '/api/v1/insights?window=24h');
          assert.equal(response.status, 200);
          const report = (await response.json()) as InsightsReport;

          assert.equal(report.window.spec, '24h');
          assert.equal(report.totals.jobs, 3);
          assert.equal(report.totals.outcomes.success, 2);
          assert.equal(report.totals.outcomes.unserved, 1);
          assert.equal(report.totals.vmMinutes, 30);
          assert.equal(report.totals.vcpuMinutes, 100);
          assert.equal(report.totals.gibMinutes, 100);
          assert.deepEqual(
            report.byProject.map((p) => [p.name, p.jobs, p.vcpuMinutes]),
            [
              ['acme/web', 1, 80],
              ['acme/app', 2, 20],
            ],
          );
          assert.deepEqual(
            report.byGroup.map((g) => g.name),
            ['acme'],
          );
          assert.equal(report.byJobName[0]?.name, HOSTILE_NAME);
          assert.deepEqual(report.waits.start, {
            count: 2,
            p50: 5,
            p95: 5,
            max: 5,
          });
          assert.equal(report.waits.boot.p50, 4);
          assert.equal(report.waits.notStarted, 1);
          assert.equal(report.fleet.capacityVcpuHours, 16);
          assert.equal(report.fleet.vcpuPercent, 10.4);
          assert.equal(report.fleet.memoryPercent, 5.2);
          assert.equal(report.series.length, 24);
          assert.equal(
            report.series.reduce((n, p) => n + p.jobsStarted, 0),
            2,
          );
          assert.equal(report.cost?.currency, 'EUR');
          assert.ok(
            Math.abs(report.cost!.total - 20) < 0.02,
            `${report.cost!.total}`,
          );
          assert.ok(Math.abs(report.cost!.byGroup[0]!.amount - 1.56) < 0.02);
          assert.ok(report.hints.some((hint) => hint.kind === 'unserved'));
        } finally {
          await h.close();
        }
      });
    },
  );
}

describe('GET /api/v1/insights', () => {
  test('needs the admin token and answers clear 400s', async () => {
    const h = await startHarness({ fakeAgent: false });
    try {
      assert.equal((await get(h, '/api/v1/insights', null)).status, 401);
      assert.equal((await get(h, '/api/v1/insights', 'wrong')).status, 401);
      const cases: [string, RegExp][] = [
        ['window=7', /^window: expected whole hours or days/],
        ['window=365d', /^window: expected whole hours or days up to 90d/],
        ['window=', /^window: /],
        ['from=yesterday', /from/],
      ];
      for (const [query, message] of cases) {
        const response = await get(h, `/api/v1/insights?${query}`);
        assert.equal(response.status, 400, query);
        const { error } = (await response.json()) as { error: string };
        assert.match(error, message);
      }
      const empty = (await (
        await get(h, '/api/v1/insights')
      ).json()) as InsightsReport;
      assert.equal(empty.window.spec, '7d', 'a week by default');
      assert.equal(empty.cost, null);
      assert.deepEqual(
        empty.hints.map((hint) => hint.kind),
        ['no-jobs'],
      );
    } finally {
      await h.close();
    }
  });

  test('the projects the server serves are named from GitLab', async () => {
    const h = await startHarness();
    try {
      await h.push(`one: { tags: [firelab], script: [echo 1] }`);
      const [named] = await eventually(async () => {
        const projects = await h.store.projects.listProjects();
        return projects.length > 0 ? projects : undefined;
      }, 'the project to be named');
      assert.equal(named?.path, h.project.pathWithNamespace);
      assert.equal(named?.groupPath, 'demo');
    } finally {
      await h.close();
    }
  });
});

describe('GET /dashboard', () => {
  test('serves a page without data, its script and the chart library', async () => {
    const h = await startHarness({ fakeAgent: false });
    try {
      await seedInsights(h.store);
      const page = await get(h, '/dashboard', null);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type') ?? '', /text\/html/);
      assert.match(
        page.headers.get('content-security-policy') ?? '',
        /script-src 'self'/,
      );
      const html = await page.text();
      assert.doesNotMatch(html, /acme|host-a/, 'no data in the page');
      for (const path of [
        '/dashboard/dashboard.js',
        '/dashboard/chart.js',
        '/dashboard/dom.js',
        '/dashboard/dashboard.css',
        '/dashboard/uplot.js',
        '/dashboard/uplot.css',
      ]) {
        const asset = await get(h, path, null);
        assert.equal(asset.status, 200, path);
        assert.ok((await asset.text()).length > 100, path);
      }
    } finally {
      await h.close();
    }
  });
});
