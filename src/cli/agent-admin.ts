import { loadConfig } from '../config/load.js';
import { UserError } from '../lib/errors.js';
import type { AgentRecord } from '../store/index.js';
import { adminRequest } from './admin-client.js';

type AgentView = AgentRecord & { liveVms: number };

/** `firelab agent token`: a one-time enrolment token for a new agent. */
export async function runAgentToken(opts: {
  config: string;
  ttl: string;
}): Promise<void> {
  if (!/^\d+$/.test(opts.ttl))
    throw new UserError(`--ttl: a whole number of seconds, not "${opts.ttl}"`);
  const config = await loadConfig(opts.config, 'client');
  const { token, expiresAt } = await adminRequest<{
    token: string;
    expiresAt: string;
  }>(config, 'POST', '/api/v1/enrolment-tokens', {
    ttlSeconds: Number(opts.ttl),
  });
  process.stderr.write(`one-time enrolment token, valid until ${expiresAt}:\n`);
  process.stdout.write(`${token}\n`);
}

/** `firelab agent list`: every agent, its state and its VMs. */
export async function runAgentList(opts: { config: string }): Promise<void> {
  const config = await loadConfig(opts.config, 'client');
  const agents = await adminRequest<AgentView[]>(
    config,
    'GET',
    '/api/v1/agents',
  );
  for (const a of agents) {
    const flags = [a.state, a.draining ? 'draining' : ''].filter(Boolean);
    process.stdout.write(
      `${a.id}\t${a.hostname}\t${flags.join(',')}\t${a.arch}\t${a.vcpus} vCPU\t${a.memoryMiB} MiB\t${a.hypervisor}/${a.acceleration}\t${a.liveVms} VMs\n`,
    );
  }
}

/**
 * `firelab agent drain NAME`: the agent takes no new VMs; by default this
 * waits until its last VM has ended, so the host can then be maintained.
 */
export async function runAgentDrain(
  name: string,
  opts: { config: string; wait: boolean },
): Promise<void> {
  const config = await loadConfig(opts.config, 'client');
  const path = `/api/v1/agents/${encodeURIComponent(name)}`;
  await adminRequest(config, 'POST', `${path}/drain`);
  process.stderr.write(`agent ${name} is draining: it takes no new VMs\n`);
  if (!opts.wait) return;
  let last = -1;
  for (;;) {
    const agent = await adminRequest<AgentView>(config, 'GET', path);
    if (agent.liveVms === 0) break;
    if (agent.liveVms !== last)
      process.stderr.write(`waiting for ${agent.liveVms} VM(s) to end\n`);
    last = agent.liveVms;
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  process.stderr.write(`agent ${name} has no VMs left\n`);
}

/**
 * `firelab agent forget NAME`: drops the agent's credential so the name
 * can be enrolled again (the host was rebuilt, or lost its credential).
 */
export function runAgentForget(
  name: string,
  opts: { config: string },
): Promise<void> {
  return agentAction(
    name,
    'forget',
    opts.config,
    'is forgotten: enrol it again with a new token',
  );
}

/** `firelab agent resume NAME`: the agent takes new VMs again. */
export function runAgentResume(
  name: string,
  opts: { config: string },
): Promise<void> {
  return agentAction(name, 'resume', opts.config, 'takes new VMs again');
}

async function agentAction(
  name: string,
  action: 'forget' | 'resume',
  configPath: string,
  outcome: string,
): Promise<void> {
  const config = await loadConfig(configPath, 'client');
  await adminRequest(
    config,
    'POST',
    `/api/v1/agents/${encodeURIComponent(name)}/${action}`,
  );
  process.stderr.write(`agent ${name} ${outcome}\n`);
}
