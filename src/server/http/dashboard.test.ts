import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { startHarness } from '../testing/harness.js';
import type { Harness } from '../testing/harness.js';
import {
  HOSTILE_NAME,
  seedInsights,
  TEN_AN_HOUR,
} from '../testing/seed-insights.js';

// Debian's chromium package: the binary itself (the /usr/bin wrapper only
// adds flags and sources /etc/chromium.d).
const CHROMIUM = ['/usr/lib/chromium/chromium', '/usr/bin/chromium'].find(
  (path) => existsSync(path),
);

describe(
  'the dashboard in headless Chromium',
  {
    skip: CHROMIUM
      ? false
      : 'chromium is not installed (apt-get install chromium)',
  },
  () => {
    let h: Harness;
    let browser: Browser;
    let page: Page;
    const dialogs: string[] = [];
    const errors: string[] = [];

    before(async () => {
      h = await startHarness({
        fakeAgent: false,
        insights: { hostCosts: TEN_AN_HOUR },
      });
      await seedInsights(h.store);
      await h.store.demands.insertDemand(
        {
          jobId: 4,
          projectId: 1001,
          pipelineId: 2,
          jobName: 'waiting',
          tags: ['firelab-8cpu-16gb'],
          arch: 'x86_64',
          vcpus: 8,
          memoryMiB: 16384,
          gitlabStatus: 'pending',
          jobCreatedAt: null,
        },
        Date.now() - 90_000,
      );
      await h.store.demands.setDemandReason(4, 'no agent has room for 8 vCPUs');
      browser = await chromium.launch({
        executablePath: CHROMIUM!,
        // Chromium's sandbox refuses to run as root.
        args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
      });
      page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      page.on('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.dismiss();
      });
      page.on('pageerror', (error) => errors.push(error.message));
      // A blocked script, style or request (CSP) is logged as an error.
      page.on('console', (message) => {
        if (/Refused|Content Security Policy/.test(message.text()))
          errors.push(message.text());
      });
    });

    after(async () => {
      await browser?.close();
      await h?.close();
    });

    test('asks for the token first', async () => {
      await page.goto(`${h.server.url}/dashboard`);
      await page.waitForSelector('#login:not([hidden])');
      assert.equal(await page.isHidden('#main'), true);
      assert.equal(await page.textContent('#status'), 'Not signed in');
    });

    test('a wrong token gets a clear message', async () => {
      await page.fill('#token', 'not-the-token');
      await page.click('#login button[type=submit]');
      await page.waitForFunction(
        () => document.getElementById('login-error')?.textContent !== '',
      );
      assert.match(
        (await page.textContent('#login-error')) ?? '',
        /refused this token \(401\)/,
      );
      assert.equal(await page.isHidden('#main'), true);
      assert.equal(
        await page.evaluate(() => sessionStorage.length),
        0,
        'a refused token is not kept',
      );
    });

    test('the right token shows the seeded data', async () => {
      await page.fill('#token', h.adminToken);
      await page.click('#login button[type=submit]');
      await page.waitForSelector('#main:not([hidden])');
      await page.waitForSelector('#by-project tbody th');

      assert.match(await text(page, '#agents tbody'), /host-a/);
      // The server's own placement pass may have restated the reason.
      assert.match(
        await text(page, '#queue tbody'),
        /waiting.*(no agent has room for 8 vCPUs|no x86_64 host is connected)/,
      );
      assert.match(await text(page, '#by-group tbody'), /acme/);
      const projects = await rows(page, '#by-project');
      assert.deepEqual(
        projects.map((r) => [r[0], r[1]]),
        [
          ['acme/web', '1'],
          ['acme/app', '3'],
        ],
      );
      assert.match(await text(page, '#cost-text'), /EUR/);
      assert.match(await text(page, '#cost-groups'), /Idle capacity/);
      assert.match(await text(page, '#waits'), /p95/);
      assert.match(await text(page, '#hints'), /could not be served/);
      assert.match(await text(page, '#notes'), /does not measure CPU/);
    });

    test('a job name holding markup is shown as text', async () => {
      const names = (await rows(page, '#by-job')).map((r) => r[0]);
      assert.ok(names.includes(HOSTILE_NAME), names.join(', '));
      assert.equal(await page.locator('img').count(), 0);
      assert.deepEqual(dialogs, []);
    });

    test('the chart draws, with a text alternative', async () => {
      const inked = await page.evaluate(() => {
        const canvas = document.querySelector('#chart canvas');
        if (!(canvas instanceof HTMLCanvasElement)) return 0;
        const { data } = canvas
          .getContext('2d')!
          .getImageData(0, 0, canvas.width, canvas.height);
        let count = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) count++;
        return count;
      });
      assert.ok(inked > 1000, `${inked} pixels drawn`);
      assert.match(await text(page, '#chart-text'), /Busiest hour: \d+ jobs/);
      assert.equal((await rows(page, '#series')).length, 168);
    });

    test('the token lasts the tab: a reload needs no prompt', async () => {
      await page.reload();
      await page.waitForSelector('#main:not([hidden])');
      await page.selectOption('#window', '24h');
      await page.waitForFunction(
        () => document.querySelectorAll('#series tbody tr').length === 24,
      );
      assert.deepEqual(errors, [], 'no script errors nor blocked content');
    });
  },
);

async function text(page: Page, selector: string): Promise<string> {
  return (await page.textContent(selector)) ?? '';
}

/** The cells of each body row of a table, as text. */
function rows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`${table} tbody tr`, (trs) =>
    trs.map((tr) => [...tr.children].map((cell) => cell.textContent ?? '')),
  );
}
