import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runnerMatchesJob } from './tag-matching.js';
import type { MatchJob, MatchRunner } from './tag-matching.js';

const runner = (over: Partial<MatchRunner>): MatchRunner => ({
  tags: [],
  runUntagged: true,
  accessLevel: 'not_protected',
  runnerType: 'project_type',
  projectId: 1,
  groupId: null,
  ...over,
});

const job = (over: Partial<MatchJob>): MatchJob => ({
  tags: [],
  projectId: 1,
  namespaceId: 7,
  protectedRef: true,
  ...over,
});

// Rows follow GitLab's "How the runner uses tags" examples (§7).
const table: [string, Partial<MatchRunner>, Partial<MatchJob>, boolean][] = [
  [
    'tagged runner, same tags',
    { tags: ['a', 'b'] },
    { tags: ['a', 'b'] },
    true,
  ],
  [
    'job tags subset of runner tags',
    { tags: ['a', 'b'] },
    { tags: ['a'] },
    true,
  ],
  [
    'job has a tag the runner lacks',
    { tags: ['a'] },
    { tags: ['a', 'b'] },
    false,
  ],
  ['untagged job, run_untagged', { tags: ['a'] }, {}, true],
  [
    'untagged job, no run_untagged',
    { tags: ['a'], runUntagged: false },
    {},
    false,
  ],
  ['untagged runner, tagged job', {}, { tags: ['a'] }, false],
  [
    'tags compared exactly',
    { tags: ['Firelab'] },
    { tags: ['firelab'] },
    false,
  ],
  ['other project', { tags: ['a'] }, { tags: ['a'], projectId: 2 }, false],
  [
    'group runner, project in group',
    { runnerType: 'group_type', groupId: 7, projectId: null },
    {},
    true,
  ],
  [
    'group runner, other group',
    { runnerType: 'group_type', groupId: 8, projectId: null },
    {},
    false,
  ],
  [
    'instance runner, any project',
    { runnerType: 'instance_type', projectId: null },
    { projectId: 99 },
    true,
  ],
  ['ref_protected, protected ref', { accessLevel: 'ref_protected' }, {}, true],
  [
    'ref_protected, unprotected ref',
    { accessLevel: 'ref_protected' },
    { protectedRef: false },
    false,
  ],
];

for (const [name, r, j, expected] of table) {
  test(`tag matching: ${name}`, () => {
    assert.equal(runnerMatchesJob(runner(r), job(j)), expected);
  });
}
