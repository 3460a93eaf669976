import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DemandRecord } from '../store/index.js';
import { outcomeOf } from './outcomes.js';
import { byGroup, byJobName, byProject, Subjects } from './subjects.js';
import {
  DAY,
  demand,
  MIN,
  project,
  records,
  T0,
  vm,
} from './testing/records.js';
import { totalUsage, usageBy } from './usage.js';

describe('outcomes', () => {
  const cases: [Partial<DemandRecord>, string][] = [
    [{ status: 'done', gitlabStatus: 'success' }, 'success'],
    [{ status: 'done', gitlabStatus: 'failed' }, 'failed'],
    [{ status: 'done', gitlabStatus: 'canceled' }, 'canceled'],
    [{ status: 'canceled', gitlabStatus: 'canceled' }, 'canceled'],
    [{ status: 'failed', reason: 'unusable tag' }, 'unserved'],
    [{ status: 'expired' }, 'expired'],
    [{ status: 'lost' }, 'lost'],
    [{ status: 'queued' }, 'open'],
    [{ status: 'placed' }, 'open'],
    [{ status: 'served' }, 'open'],
  ];
  for (const [fields, outcome] of cases)
    test(`${fields.status}/${fields.gitlabStatus ?? '-'} is ${outcome}`, () =>
      assert.equal(outcomeOf(demand(fields)), outcome));
});

describe('usage in a window', () => {
  const total = (over: Parameters<typeof records>[0]) => {
    const r = records(over);
    return totalUsage(r, new Subjects(r), DAY);
  };

  test('an empty window is all zeros', () => {
    const row = total({});
    assert.equal(row.jobs, 0);
    assert.equal(row.vcpuMinutes, 0);
    assert.equal(row.outcomes.success, 0);
  });

  const spans: [string, Parameters<typeof vm>[0], number][] = [
    ['inside', {}, 10],
    [
      'across the start: only the part inside',
      { createdAt: T0 - 5 * MIN, endedAt: T0 + 5 * MIN },
      5,
    ],
    [
      'across the end: only the part inside',
      { createdAt: DAY.to - 3 * MIN, endedAt: DAY.to + 7 * MIN },
      3,
    ],
    [
      'still running: up to now',
      { createdAt: DAY.to - 30 * MIN, endedAt: null, state: 'busy' },
      30,
    ],
    [
      'ended before the window',
      { createdAt: T0 - 20 * MIN, endedAt: T0 - 10 * MIN },
      0,
    ],
  ];
  for (const [name, fields, vmMinutes] of spans)
    test(`a VM ${name}`, () => {
      const row = total({ vms: [vm(fields)] });
      assert.equal(row.vmMinutes, vmMinutes);
      assert.equal(row.vcpuMinutes, vmMinutes * 2);
      assert.equal(row.gibMinutes, vmMinutes * 2);
    });

  test('job minutes are the part a job ran', () => {
    const row = total({ vms: [vm({ jobStartedAt: T0 + 61 * MIN })] });
    assert.equal(row.vmMinutes, 10);
    assert.equal(row.jobMinutes, 9);
  });

  test('jobs count where they were recorded, minutes where VMs ran', () => {
    const early = demand({ jobId: 1, createdAt: T0 - 20 * MIN });
    const row = total({
      demands: [early],
      vms: [vm({ createdAt: T0 - 5 * MIN, endedAt: T0 + 5 * MIN })],
    });
    assert.equal(row.jobs, 0);
    assert.equal(row.vmMinutes, 5);
  });

  test('a job retried after its VM was lost counts both jobs', () => {
    const row = total({
      demands: [
        demand({ jobId: 1, status: 'lost', gitlabStatus: 'canceled' }),
        demand({ jobId: 2, retryOf: 1, createdAt: T0 + 2 * 60 * MIN }),
      ],
      vms: [
        vm({ demandJobId: 1, endedAt: T0 + 66 * MIN, exitKind: 'crashed' }),
        vm({ demandJobId: 2, createdAt: T0 + 120 * MIN }),
      ],
    });
    assert.equal(row.jobs, 2);
    assert.equal(row.outcomes.lost, 1);
    assert.equal(row.outcomes.success, 1);
    assert.equal(row.outcomes.retried, 1);
    assert.equal(row.vmMinutes, 16);
  });

  test('grouped by group, project and job name, with names', () => {
    const r = records({
      projects: [
        project(),
        project({ id: 11, path: 'acme/web' }),
        project({ id: 12, path: 'alice/toy', groupId: null, groupPath: null }),
      ],
      demands: [
        demand({ jobId: 1 }),
        demand({ jobId: 2, projectId: 11, jobName: 'test' }),
        demand({ jobId: 3, projectId: 11, jobName: 'build', groupId: null }),
        demand({ jobId: 4, projectId: 12, groupId: null }),
        demand({ jobId: 5, projectId: 13, groupId: 200 }),
      ],
      vms: [vm({ demandJobId: 1, vcpus: 4 }), vm({ demandJobId: 2 })],
    });
    const subjects = new Subjects(r);
    const groups = usageBy(r, subjects, DAY, byGroup(subjects));
    assert.deepEqual(
      groups.map((g) => [g.name, g.jobs, g.vcpuMinutes]),
      [
        ['acme', 3, 60],
        ['(no group)', 1, 0],
        ['group 200', 1, 0],
      ],
      'a demand without a group takes its project’s',
    );
    const projects = usageBy(r, subjects, DAY, byProject(subjects));
    assert.deepEqual(
      projects.map((p) => [p.name, p.jobs]),
      [
        ['acme/app', 1],
        ['acme/web', 2],
        ['alice/toy', 1],
        ['project 13', 1],
      ],
    );
    const jobs = usageBy(r, subjects, DAY, byJobName(subjects));
    assert.deepEqual(
      jobs.map((j) => [j.project, j.name, j.jobs]),
      [
        ['acme/app', 'build', 1],
        ['acme/web', 'test', 1],
        ['acme/web', 'build', 1],
        ['alice/toy', 'build', 1],
        ['project 13', 'build', 1],
      ],
    );
  });

  test('a VM whose job is unknown is named by its job id', () => {
    const r = records({ vms: [vm({ demandJobId: 9 })] });
    const subjects = new Subjects(r);
    const [row] = usageBy(r, subjects, DAY, byJobName(subjects));
    assert.equal(row?.name, 'job 9');
  });
});
