import { Hono } from 'hono';
import { z } from 'zod';
import type { HostCosts } from '../../insights/cost.js';
import type { InsightsRecords } from '../../insights/input.js';
import { buildReport } from '../../insights/report.js';
import {
  previousWindow,
  windowEndingAt,
  windowLength,
} from '../../insights/window.js';
import type { Store } from '../../store/index.js';
import { adminAuth } from './admin-auth.js';

const query = z
  .object({
    window: z
      .string()
      .refine((spec) => windowLength(spec) !== undefined, {
        message: 'expected whole hours or days up to 90d, e.g. 24h, 7d, 30d',
      })
      .default('7d'),
  })
  .strict();

/**
 * `GET /api/v1/insights?window=7d`: usage, waits, fleet utilisation, cost
 * allocation and hints for the window ending now (behind the admin
 * token). The store is read for that window and the one before it.
 */
export function insightsRoutes(deps: {
  adminToken: string;
  store: Store;
  hostCosts: HostCosts | null;
}): Hono {
  const app = new Hono();
  app.use('/api/v1/insights', adminAuth(deps.adminToken));
  app.get('/api/v1/insights', async (c) => {
    const parsed = query.safeParse(c.req.query());
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const where = issue.path.join('.') || 'query';
      return c.json({ error: `${where}: ${issue.message}` }, 400);
    }
    const now = Date.now();
    const window = windowEndingAt(parsed.data.window, now);
    const records = await readRecords(
      deps.store,
      previousWindow(window).from,
      now,
    );
    return c.json(buildReport(records, window, deps.hostCosts));
  });
  return app;
}

/**
 * The records of [from, now): demands recorded then, VMs that held
 * capacity then and the demands of the jobs those VMs ran or were made
 * for (some were recorded before `from`).
 */
async function readRecords(
  store: Store,
  from: number,
  now: number,
): Promise<InsightsRecords> {
  const [recorded, vms, agents, projects] = await Promise.all([
    store.demands.listDemandsCreatedBetween(from, now),
    store.vms.listVmsOverlapping(from, now),
    store.agents.listAgents(),
    store.projects.listProjects(),
  ]);
  const known = new Set(recorded.map((d) => d.jobId));
  const missing = new Set<number>();
  for (const vm of vms)
    for (const jobId of [vm.demandJobId, vm.tookJobId])
      if (jobId !== null && !known.has(jobId)) missing.add(jobId);
  const earlier = await store.demands.listDemandsByJobIds([...missing]);
  return { now, demands: [...recorded, ...earlier], vms, agents, projects };
}
