import { Hono } from 'hono';
import type { GitlabClient } from '../../gitlab/client.js';
import { hashSecret, newSecret } from '../../lib/secrets.js';
import type { Store, VmRecord } from '../../store/index.js';
import { LIVE_VM_STATES } from '../../store/records.js';
import type { AgentRegistry } from '../agents/agent-registry.js';
import { adminAuth } from './admin-auth.js';

/**
 * The operator's API under /api/v1, behind a bearer token: jobs and their
 * queue reasons, VMs, agents, a job's logs (GitLab's trace and the VM's
 * serial console), agent enrolment tokens, and draining an agent.
 */
export function apiRoutes(deps: {
  adminToken: string;
  store: Store;
  gitlab: GitlabClient;
  agents: AgentRegistry;
  /** An agent was drained or resumed: placement must look again. */
  onDrainChange: () => void;
}): Hono {
  const app = new Hono();
  app.use('/api/v1/*', adminAuth(deps.adminToken));

  app.get('/api/v1/jobs', async (c) =>
    c.json(await deps.store.demands.listDemands()),
  );
  // `?state=live`: only the VMs holding capacity (the dashboard's view).
  app.get('/api/v1/vms', async (c) =>
    c.json(
      c.req.query('state') === 'live'
        ? await deps.store.vms.listLiveVms()
        : await deps.store.vms.listVms(),
    ),
  );
  app.get('/api/v1/agents', async (c) => {
    const live = await deps.store.vms.listLiveVms();
    const agents = await deps.store.agents.listAgents();
    return c.json(
      agents.map((agent) => ({
        ...agent,
        liveVms: live.filter((vm) => vm.agentId === agent.id).length,
      })),
    );
  });

  app.get('/api/v1/agents/:id', async (c) => {
    const agent = await deps.store.agents.getAgent(c.req.param('id'));
    if (!agent) return c.json({ error: 'no such agent' }, 404);
    const live = await deps.store.vms.listVms({
      states: LIVE_VM_STATES,
      agentId: agent.id,
    });
    return c.json({ ...agent, liveVms: live.length });
  });

  // Draining: the agent takes no new VMs; the ones it runs finish.
  for (const [action, draining] of [
    ['drain', true],
    ['resume', false],
  ] as const) {
    app.post(`/api/v1/agents/:id/${action}`, async (c) => {
      const id = c.req.param('id');
      if (!(await deps.store.agents.setAgentDraining(id, draining)))
        return c.json({ error: 'no such agent' }, 404);
      deps.onDrainChange();
      return c.json({ id, draining });
    });
  }

  // Frees an agent's name for a new enrolment (a host rebuilt or lost).
  app.post('/api/v1/agents/:id/forget', async (c) => {
    const id = c.req.param('id');
    if (!(await deps.store.agents.forgetAgent(id)))
      return c.json({ error: 'no such agent' }, 404);
    return c.json({ id, enrolled: false });
  });

  // A one-time token that lets a new agent obtain its own credential.
  app.post('/api/v1/enrolment-tokens', async (c) => {
    const body: unknown = await c.req.json().catch(() => ({}));
    const ttl = (body as { ttlSeconds?: unknown }).ttlSeconds ?? 3600;
    if (
      typeof ttl !== 'number' ||
      !Number.isInteger(ttl) ||
      ttl < 1 ||
      ttl > 7 * 86400
    )
      return c.json(
        { error: 'ttlSeconds is an integer from 1 to 604800' },
        400,
      );
    const token = newSecret('flenrol-');
    const now = Date.now();
    const expiresAt = now + ttl * 1000;
    await deps.store.agents.createEnrolmentToken(
      hashSecret(token),
      now,
      expiresAt,
    );
    return c.json({ token, expiresAt: new Date(expiresAt).toISOString() }, 201);
  });
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
    return c.json({
      jobId,
      vmId: vm?.id ?? null,
      trace,
      console: vm ? await consoleOf(deps.agents, vm) : '(no VM ran it)',
    });
  });
  return app;
}

function jobIdParam(text: string): number | undefined {
  const id = Number(text);
  return /^\d{1,15}$/.test(text) && id > 0 ? id : undefined;
}

/** A VM's console lives on its agent's host: the agent is asked for it. */
async function consoleOf(agents: AgentRegistry, vm: VmRecord): Promise<string> {
  const agent = agents.get(vm.agentId);
  if (!agent)
    return `(the console is on agent ${vm.agentId}, which is not connected to this server)`;
  const text = await agent
    .readConsole(vm.id)
    .catch((error: Error) => `(console unavailable: ${error.message})`);
  return text ?? '(the agent has no console for this VM)';
}
