import { readFile } from 'node:fs/promises';
import { Hono } from 'hono';
import type { GitlabClient } from '../../gitlab/client.js';
import { secretsEqual } from '../../lib/secrets.js';
import type { Store } from '../../store/index.js';
import type { AgentRegistry } from '../agents/agent-registry.js';

/**
 * The operator's read API under /api/v1, behind a bearer token: jobs and
 * their queue reasons, VMs, agents, and a job's logs (GitLab's trace and
 * the VM's serial console).
 */
export function apiRoutes(deps: {
  adminToken: string;
  store: Store;
  gitlab: GitlabClient;
  agents: AgentRegistry;
}): Hono {
  const app = new Hono();
  app.use('/api/v1/*', async (c, next) => {
    // The scheme name is case-insensitive (RFC 9110 §11.1).
    const [scheme, token] = (c.req.header('authorization') ?? '').split(' ');
    if (scheme?.toLowerCase() !== 'bearer') {
      return c.json({ error: 'missing or wrong bearer token' }, 401);
    }
    if (!secretsEqual(token, deps.adminToken)) {
      return c.json({ error: 'missing or wrong bearer token' }, 401);
    }
    await next();
  });

  app.get('/api/v1/jobs', async (c) =>
    c.json(await deps.store.demands.listDemands()),
  );
  app.get('/api/v1/vms', async (c) => c.json(await deps.store.vms.listVms()));
  app.get('/api/v1/agents', (c) =>
    c.json(deps.agents.list().map((a) => ({ id: a.id, ...a.info }))),
  );
  app.get('/api/v1/queue', async (c) =>
    c.json(await deps.store.demands.listDemands({ statuses: ['queued'] })),
  );

  app.get('/api/v1/jobs/:id', async (c) => {
    const jobId = jobIdParam(c.req.param('id'));
    if (jobId === undefined)
      return c.json({ error: 'a job id is a number' }, 400);
    const demand = await deps.store.demands.getDemand(jobId);
    if (!demand)
      return c.json({ error: `job ${jobId} is not known to firelab` }, 404);
    return c.json({
      ...demand,
      vms: await deps.store.vms.findVmsForJob(jobId),
    });
  });

  app.get('/api/v1/jobs/:id/logs', async (c) => {
    const jobId = jobIdParam(c.req.param('id'));
    if (jobId === undefined)
      return c.json({ error: 'a job id is a number' }, 400);
    const demand = await deps.store.demands.getDemand(jobId);
    if (!demand)
      return c.json({ error: `job ${jobId} is not known to firelab` }, 404);
    const vms = await deps.store.vms.findVmsForJob(jobId);
    const vm = vms.find((v) => v.tookJobId === jobId) ?? vms.at(-1);
    const trace = await deps.gitlab
      .getTrace(demand.projectId, jobId)
      .catch((error: Error) => `(trace unavailable: ${error.message})`);
    const console = vm?.consolePath
      ? await readFile(vm.consolePath, 'utf8').catch(
          () => '(console log is gone)',
        )
      : '(no console captured)';
    return c.json({ jobId, vmId: vm?.id ?? null, trace, console });
  });
  return app;
}

function jobIdParam(text: string): number | undefined {
  const id = Number(text);
  return /^\d{1,15}$/.test(text) && id > 0 ? id : undefined;
}
