import {
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
} from 'prom-client';
import {
  DEMAND_STATUSES,
  LIVE_VM_STATES,
  OPEN_DEMAND_STATUSES,
} from '../store/records.js';
import type {
  AgentRecord,
  DemandStatus,
  Store,
  VmRecord,
} from '../store/index.js';

const FINAL_STATUSES = DEMAND_STATUSES.filter(
  (status) => !OPEN_DEMAND_STATUSES.includes(status),
);

/**
 * Prometheus metrics of one server, for `GET /metrics`. Two kinds:
 * - the state of the whole installation (queue, VMs, agents, capacity),
 *   read from the database at each scrape, so every server reports the
 *   same values (use `max` across servers, not `sum`);
 * - what happened through this server since it started (VM starts, job
 *   waits, VM exits, job outcomes), counted as the store records it, so
 *   each event is counted by the one server that made the change (use
 *   `sum` across servers).
 * Plus the Node.js process's own (memory, event loop, CPU).
 */
export interface ServerMetrics {
  registry: Registry;
  /** `store`, with the changes it makes counted. */
  observe(store: Store): Store;
}

export function createMetrics(store: Store): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'firelab_' });
  const registers = [registry];

  new Gauge({
    name: 'firelab_jobs',
    help: 'Jobs firelab serves that are not finished, by status (queued: waiting for room; placed: a VM is being made; served: running in its VM).',
    labelNames: ['status'],
    registers,
    async collect() {
      const open = await store.demands.listDemands({
        statuses: OPEN_DEMAND_STATUSES,
      });
      for (const status of OPEN_DEMAND_STATUSES)
        this.set({ status }, open.filter((d) => d.status === status).length);
    },
  });
  new Gauge({
    name: 'firelab_queue_oldest_seconds',
    help: 'How long the longest-waiting queued job has waited (0: none waits).',
    registers,
    async collect() {
      const queued = await store.demands.listDemands({ statuses: ['queued'] });
      const oldest = Math.min(Date.now(), ...queued.map((d) => d.createdAt));
      this.set((Date.now() - oldest) / 1000);
    },
  });
  new Gauge({
    name: 'firelab_vms',
    help: 'Live VMs by state.',
    labelNames: ['state'],
    registers,
    async collect() {
      const live = await store.vms.listLiveVms();
      for (const state of LIVE_VM_STATES)
        this.set({ state }, live.filter((vm) => vm.state === state).length);
    },
  });
  agentGauges(store, registers);

  const vmStart = new Histogram({
    name: 'firelab_vm_start_seconds',
    help: 'From a VM being placed (its runner not yet created) to its hypervisor running.',
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  });
  const jobWait = new Histogram({
    name: 'firelab_job_wait_seconds',
    help: 'From a job being created in GitLab (or first seen) to a VM taking it.',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900, 3600],
    registers,
  });
  const vmExits = new Counter({
    name: 'firelab_vm_exits_total',
    help: 'VMs ended, by how they ended (guest-exit, stopped, crashed, boot-failed, ...).',
    labelNames: ['kind'],
    registers,
  });
  const jobsEnded = new Counter({
    name: 'firelab_jobs_ended_total',
    help: 'Jobs firelab stopped tracking, by final status (done, canceled, expired, failed, lost).',
    labelNames: ['status'],
    registers,
  });

  return {
    registry,
    observe(inner) {
      const { demands, vms } = inner;
      return {
        ...inner,
        demands: {
          ...demands,
          async transitionDemand(jobId, from, to, now, fields) {
            const moved = await demands.transitionDemand(
              jobId,
              from,
              to,
              now,
              fields,
            );
            if (moved && isFinal(to)) jobsEnded.inc({ status: to });
            if (moved && to === 'served') {
              const demand = await demands.getDemand(jobId);
              const since = demand?.jobCreatedAt ?? demand?.createdAt;
              if (since) jobWait.observe(Math.max(0, now - since) / 1000);
            }
            return moved;
          },
        },
        vms: {
          ...vms,
          async updateVm(id, changes, from) {
            const changed = await vms.updateVm(id, changes, from);
            if (changed && changes.state === 'ended')
              vmExits.inc({ kind: changes.exitKind ?? 'unknown' });
            if (changed && changes.state === 'idle' && changes.bootedAt) {
              const vm = await vms.getVm(id);
              if (vm)
                vmStart.observe(
                  Math.max(0, changes.bootedAt - vm.createdAt) / 1000,
                );
            }
            return changed;
          },
        },
      };
    },
  };
}

function isFinal(status: DemandStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** Each agent's state, capacity and what its live VMs reserve. */
function agentGauges(store: Store, registers: Registry[]): void {
  const perAgent = (
    name: string,
    help: string,
    value: (agent: AgentRecord, live: VmRecord[]) => number,
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['agent'],
      registers,
      async collect() {
        const agents = await store.agents.listAgents();
        const live = await store.vms.listLiveVms();
        this.reset();
        for (const agent of agents) {
          const mine = live.filter((vm) => vm.agentId === agent.id);
          this.set({ agent: agent.id }, value(agent, mine));
        }
      },
    });
  const MiB = 2 ** 20;
  const sum = (vms: VmRecord[], of: (vm: VmRecord) => number) =>
    vms.reduce((total, vm) => total + of(vm), 0);
  perAgent(
    'firelab_agent_up',
    'Whether an agent is connected (1) or not (0).',
    (agent) => (agent.state === 'online' ? 1 : 0),
  );
  perAgent(
    'firelab_agent_draining',
    'Whether an agent is drained (1: takes no new VMs).',
    (agent) => (agent.draining ? 1 : 0),
  );
  perAgent('firelab_agent_vcpus', 'vCPUs an agent offers.', (a) => a.vcpus);
  perAgent(
    'firelab_agent_memory_bytes',
    'Memory an agent offers.',
    (agent) => agent.memoryMiB * MiB,
  );
  perAgent(
    'firelab_agent_reserved_vcpus',
    'vCPUs reserved by the live VMs of an agent.',
    (_, live) => sum(live, (vm) => vm.vcpus),
  );
  perAgent(
    'firelab_agent_reserved_memory_bytes',
    'Memory reserved by the live VMs of an agent.',
    (_, live) => sum(live, (vm) => vm.memoryMiB) * MiB,
  );
}
