import { loadConfig } from '../config/load.js';
import type { InsightsReport } from '../insights/report.js';
import { textReport } from '../insights/text-report.js';
import { windowLength } from '../insights/window.js';
import { UserError } from '../lib/errors.js';
import { adminRequest } from './admin-client.js';

/** `firelab insights`: the server's usage report for a window. */
export async function runInsights(opts: {
  config: string;
  window: string;
  json?: boolean;
}): Promise<void> {
  if (windowLength(opts.window) === undefined)
    throw new UserError(
      `--window: whole hours or days up to 90d (24h, 7d, 30d), not "${opts.window}"`,
    );
  const config = await loadConfig(opts.config, 'client');
  const report = await adminRequest<InsightsReport>(
    config,
    'GET',
    `/api/v1/insights?window=${encodeURIComponent(opts.window)}`,
  );
  process.stdout.write(
    opts.json ? `${JSON.stringify(report, null, 2)}\n` : textReport(report),
  );
}
