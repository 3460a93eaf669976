import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { allocateCost, MONTH_MS } from './cost.js';
import type { HostCosts } from './cost.js';
import { fleetOf } from './fleet.js';
import { hostLoads } from './host-load.js';
import { Subjects } from './subjects.js';
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

// 30.4375 × 24 h: one day of a host costing this per month costs 100.
const MONTHLY = (MONTH_MS / DAY_MS) * 100;
const costs: HostCosts = {
  currency: 'EUR',
  defaultMonthly: MONTHLY,
  monthlyByAgent: {},
};

function report(over: Parameters<typeof records>[0], hostCosts = costs) {
  const r = records(over);
  const loads = hostLoads(r, DAY);
  return {
    fleet: fleetOf(loads),
    cost: allocateCost(loads, hostCosts, new Subjects(r)),
  };
}

describe('fleet utilisation and cost allocation', () => {
  test('no agents: no capacity, no cost', () => {
    const { fleet, cost } = report({ vms: [vm()] });
    assert.equal(fleet.vcpuPercent, null);
    assert.equal(fleet.capacityVcpuHours, 0);
    assert.equal(cost.total, 0);
    assert.equal(cost.idlePercent, null);
    assert.deepEqual(cost.byProject, []);
  });

  test('an idle host costs its share of the month, all idle', () => {
    const { fleet, cost } = report({ agents: [agent()] });
    assert.equal(fleet.capacityVcpuHours, 8 * 24);
    assert.equal(fleet.vcpuPercent, 0);
    assert.deepEqual(
      [cost.total, cost.idle, cost.idlePercent],
      [100, 100, 100],
    );
  });

  test('a VM holding half the vCPUs and a quarter of the memory for the whole day', () => {
    const { fleet, cost } = report({
      agents: [agent()],
      projects: [project()],
      demands: [demand()],
      vms: [
        vm({
          vcpus: 4,
          memoryMiB: 4096,
          createdAt: T0 - MIN,
          endedAt: null,
          state: 'busy',
        }),
      ],
    });
    assert.equal(fleet.vcpuPercent, 50);
    assert.equal(fleet.memoryPercent, 25);
    assert.equal(cost.byProject[0]?.name, 'acme/app');
    assert.equal(cost.byProject[0]?.amount, 37.5);
    assert.equal(cost.byGroup[0]?.name, 'acme');
    assert.equal(cost.idle, 62.5);
  });

  test('an agent added mid-window offers and costs only from then', () => {
    const { fleet, cost } = report({
      agents: [agent({ firstSeenAt: T0 + 18 * 60 * MIN })],
    });
    assert.equal(fleet.agents[0]?.hours, 6);
    assert.equal(fleet.capacityVcpuHours, 48);
    assert.equal(cost.total, 25);
  });

  test('an agent first seen after the window offers nothing', () => {
    const { fleet, cost } = report({
      agents: [agent({ firstSeenAt: DAY.to + 1 })],
    });
    assert.equal(fleet.vcpuPercent, null);
    assert.equal(cost.total, 0);
  });

  test('an agent with zero capacity costs money and holds nothing', () => {
    const { fleet, cost } = report({
      agents: [agent({ vcpus: 0, memoryMiB: 0 })],
      vms: [vm()],
    });
    assert.equal(fleet.vcpuPercent, null);
    assert.deepEqual([cost.total, cost.idle], [100, 100]);
  });

  test('per-agent costs replace the default', () => {
    const { cost } = report(
      { agents: [agent({ id: 'a' }), agent({ id: 'b' })] },
      { ...costs, monthlyByAgent: { b: MONTHLY * 3 } },
    );
    assert.equal(cost.total, 400);
    assert.deepEqual(
      cost.byAgent.map((a) => [a.id, a.amount]),
      [
        ['a', 100],
        ['b', 300],
      ],
    );
  });

  test('over-committed vCPUs split the host in proportion, none idle', () => {
    const whole = {
      createdAt: T0 - MIN,
      endedAt: null,
      state: 'busy' as const,
    };
    const { fleet, cost } = report({
      agents: [agent({ vcpus: 2, memoryMiB: 4096 })],
      demands: [demand({ jobId: 1 }), demand({ jobId: 2, projectId: 11 })],
      vms: [
        vm({ demandJobId: 1, vcpus: 2, memoryMiB: 2048, ...whole }),
        vm({
          demandJobId: 2,
          projectId: 11,
          vcpus: 2,
          memoryMiB: 2048,
          ...whole,
        }),
      ],
    });
    assert.equal(fleet.vcpuPercent, 200);
    assert.equal(cost.idle, 0);
    assert.deepEqual(
      cost.byProject.map((p) => p.amount),
      [50, 50],
    );
  });

  test('VMs on an agent no longer known count in usage, not in cost', () => {
    const { cost } = report({
      agents: [agent({ id: 'a' })],
      vms: [vm({ agentId: 'gone' })],
    });
    assert.deepEqual(cost.byProject, []);
    assert.equal(cost.idle, 100);
  });
});
