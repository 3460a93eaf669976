import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { createRunner, requestJob, startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
beforeEach(async () => {
  fx = await startSim();
});
afterEach(() => fx.close());

const post = (path: string, body: object) =>
  fx.api(path, { method: 'POST', body: JSON.stringify(body) });

test('401 without or with a wrong PRIVATE-TOKEN', async () => {
  const none = await fetch(`${fx.sim.url}/api/v4/projects/${fx.project.id}`);
  assert.equal(none.status, 401);
  assert.deepEqual(await none.json(), { message: '401 Unauthorized' });
  const wrong = await fx.api('/runners', {
    headers: { 'PRIVATE-TOKEN': 'glpat-wrong' },
  });
  assert.equal(wrong.status, 401);
});

test('POST /user/runners: 201 with glrt-t3_ token, tag rules, form bodies', async () => {
  const created = await post('/user/runners', {
    runner_type: 'project_type',
    project_id: fx.project.id,
    tag_list: ['b', 'a'],
    run_untagged: false,
    locked: true,
  });
  assert.equal(created.status, 201);
  const body = (await created.json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['id', 'token', 'token_expires_at']);
  assert.match(String(body['token']), /^glrt-t3_/);
  assert.equal(body['token_expires_at'], null);

  const untaggedNoTags = await post('/user/runners', {
    runner_type: 'project_type',
    project_id: fx.project.id,
    run_untagged: false,
  });
  assert.equal(untaggedNoTags.status, 400);
  assert.match(
    ((await untaggedNoTags.json()) as { message: string }).message,
    /^400 Bad request - Tags list can not be empty/,
  );

  const missing = await post('/user/runners', {});
  assert.deepEqual(await missing.json(), { error: 'runner_type is missing' });

  const form = await fetch(`${fx.sim.url}/api/v4/user/runners`, {
    method: 'POST',
    headers: {
      'PRIVATE-TOKEN': fx.token,
      'Content-Type': 'application/x-www-form-urlencoded',
    },
    body: `runner_type=project_type&project_id=${fx.project.id}&tag_list=x,%20y&run_untagged=false`,
  });
  assert.equal(form.status, 201);
  const { id } = (await form.json()) as { id: number };
  const details = (await (await fx.api(`/runners/${id}`)).json()) as Record<
    string,
    unknown
  >;
  assert.deepEqual(details['tag_list'], ['x', 'y']);
  assert.equal(details['run_untagged'], false);
  assert.equal(details['runner_type'], 'project_type');
  assert.equal(details['status'], 'never_contacted');
});

test('runner list filters, PUT pause, DELETE by id and by token', async () => {
  const a = await createRunner(fx, {
    tag_list: ['firelab'],
    run_untagged: false,
  });
  const b = await createRunner(fx, {
    tag_list: ['other'],
    run_untagged: false,
  });
  const listed = (await (
    await fx.api('/runners?tag_list=firelab&type=project_type')
  ).json()) as { id: number }[];
  assert.deepEqual(
    listed.map((r) => r.id),
    [a.id],
  );

  const paused = await fx.api(`/runners/${b.id}`, {
    method: 'PUT',
    body: JSON.stringify({ paused: true }),
  });
  assert.equal(((await paused.json()) as { paused: boolean }).paused, true);
  const onlyPaused = (await (await fx.api('/runners?paused=true')).json()) as {
    id: number;
  }[];
  assert.deepEqual(
    onlyPaused.map((r) => r.id),
    [b.id],
  );

  assert.equal(
    (await fx.api(`/runners/${a.id}`, { method: 'DELETE' })).status,
    204,
  );
  assert.equal(
    (await fx.api(`/runners/${a.id}`, { method: 'DELETE' })).status,
    404,
  );
  assert.equal((await requestJob(fx.sim, a.token)).status, 403);

  const noUser = (token: string) =>
    fetch(`${fx.sim.url}/api/v4/runners?token=${encodeURIComponent(token)}`, {
      method: 'DELETE',
    });
  assert.equal((await noUser('glrt-unknown')).status, 403);
  assert.equal((await noUser(b.token)).status, 204);
  assert.equal(fx.sim.admin.runners().length, 0);
});

test('project jobs: scope filter, id DESC, pagination without totals, 400 on bad scope', async () => {
  const ci = Array.from(
    { length: 3 },
    (_, i) => `j${i}: { tags: [z, a], script: x }`,
  ).join('\n');
  await fx.sim.admin.pushFiles(fx.project, { '.gitlab-ci.yml': ci }, 'ci');
  const page1 = await fx.api(
    `/projects/${fx.project.id}/jobs?scope[]=pending&scope[]=running&per_page=2`,
  );
  const jobs = (await page1.json()) as {
    id: number;
    status: string;
    tag_list: string[];
  }[];
  assert.equal(jobs.length, 2);
  assert.ok(jobs[0]!.id > jobs[1]!.id);
  assert.equal(page1.headers.get('x-next-page'), '2');
  assert.equal(page1.headers.get('x-total'), null);
  assert.deepEqual(jobs[0]!.tag_list, ['a', 'z']);

  const page2 = await fx.api(
    `/projects/${fx.project.id}/jobs?scope[]=pending&per_page=2&page=2`,
  );
  assert.equal(((await page2.json()) as unknown[]).length, 1);
  assert.equal(page2.headers.get('x-next-page'), '');

  const success = await fx.api(`/projects/${fx.project.id}/jobs?scope=success`);
  assert.deepEqual(await success.json(), []);
  const bad = await fx.api(`/projects/${fx.project.id}/jobs?scope[]=bogus`);
  assert.equal(bad.status, 400);
  assert.deepEqual(await bad.json(), {
    message: 'Scope contains invalid value(s)',
  });
});

test('job entity shape, cancel, retry, pipeline endpoints and runner jobs', async () => {
  const { pipeline } = await fx.sim.admin.pushFiles(
    fx.project,
    { '.gitlab-ci.yml': 'a: { script: x }' },
    'ci',
  );
  const runner = await createRunner(fx);
  const taken = (await (await requestJob(fx.sim, runner.token)).json()) as {
    id: number;
  };
  const shown = (await (
    await fx.api(`/projects/${fx.project.id}/jobs/${taken.id}`)
  ).json()) as Record<string, unknown>;
  for (const key of [
    'id',
    'status',
    'stage',
    'name',
    'ref',
    'created_at',
    'started_at',
    'queued_duration',
    'pipeline',
    'runner',
    'tag_list',
    'web_url',
  ]) {
    assert.ok(key in shown, key);
  }
  assert.equal(shown['status'], 'running');
  assert.equal((shown['runner'] as { id: number }).id, runner.id);
  assert.equal('failure_reason' in shown, false);

  const ofRunner = (await (
    await fx.api(`/runners/${runner.id}/jobs?status=running`)
  ).json()) as { id: number; project: { id: number } }[];
  assert.deepEqual(
    ofRunner.map((j) => j.id),
    [taken.id],
  );
  assert.equal(ofRunner[0]!.project.id, fx.project.id);

  const cancel = await fx.api(
    `/projects/${fx.project.id}/jobs/${taken.id}/cancel`,
    { method: 'POST' },
  );
  assert.equal(cancel.status, 201);
  assert.equal(
    ((await cancel.json()) as { status: string }).status,
    'canceled',
  );
  const again = await fx.api(
    `/projects/${fx.project.id}/jobs/${taken.id}/cancel`,
    { method: 'POST' },
  );
  assert.equal(again.status, 403);

  const retry = await fx.api(
    `/projects/${fx.project.id}/jobs/${taken.id}/retry`,
    { method: 'POST' },
  );
  const retried = (await retry.json()) as { id: number; status: string };
  assert.equal(retry.status, 201);
  assert.ok(retried.id > taken.id);
  assert.equal(retried.status, 'pending');

  const p = (await (
    await fx.api(`/projects/${fx.project.id}/pipelines/${pipeline!.id}`)
  ).json()) as Record<string, unknown>;
  assert.equal(p['status'], 'pending');
  const pj = (await (
    await fx.api(`/projects/${fx.project.id}/pipelines/${pipeline!.id}/jobs`)
  ).json()) as { id: number }[];
  assert.deepEqual(
    pj.map((j) => j.id),
    [retried.id],
  );
  assert.equal(
    (await fx.api(`/projects/${fx.project.id}/jobs/999999`)).status,
    404,
  );
});

test('projects by id and path, membership list, hooks CRUD', async () => {
  const byPath = await fx.api(
    `/projects/${encodeURIComponent('firelab/sample')}`,
  );
  assert.equal(((await byPath.json()) as { id: number }).id, fx.project.id);
  const mine = (await (await fx.api('/projects?membership=true')).json()) as {
    path_with_namespace: string;
  }[];
  assert.deepEqual(
    mine.map((p) => p.path_with_namespace),
    ['firelab/sample'],
  );
  const group = (await (
    await fx.api('/groups/firelab/projects')
  ).json()) as unknown[];
  assert.equal(group.length, 1);

  const { user: other, token } = fx.sim.admin.createUser({ username: 'bob' });
  assert.ok(other);
  const hidden = await fx.api(`/projects/${fx.project.id}`, {
    headers: { 'PRIVATE-TOKEN': token },
  });
  assert.deepEqual(await hidden.json(), { message: '404 Project Not Found' });

  const hook = await post(`/projects/${fx.project.id}/hooks`, {
    url: 'http://127.0.0.1:9/h',
    job_events: true,
    token: 't',
  });
  assert.equal(hook.status, 201);
  const { id, job_events } = (await hook.json()) as {
    id: number;
    job_events: boolean;
  };
  assert.equal(job_events, true);
  const hooks = (await (
    await fx.api(`/projects/${fx.project.id}/hooks`)
  ).json()) as Record<string, unknown>[];
  assert.equal(hooks.length, 1);
  assert.equal('token' in hooks[0]!, false);
  assert.equal(
    (
      await fx.api(`/projects/${fx.project.id}/hooks/${id}`, {
        method: 'DELETE',
      })
    ).status,
    204,
  );
});

test('POST /projects/:id/repository/commits: a .gitlab-ci.yml starts its pipeline', async () => {
  const path = `/projects/${fx.project.id}/repository/commits`;
  const ci = `hello: { tags: [firelab], script: [echo hi] }`;
  const created = await post(path, {
    branch: fx.project.defaultBranch,
    commit_message: 'ci\n\nbody',
    actions: [{ action: 'create', file_path: '.gitlab-ci.yml', content: ci }],
  });
  assert.equal(created.status, 201);
  const commit = (await created.json()) as Record<string, string>;
  assert.match(commit['id']!, /^[0-9a-f]{40}$/);
  assert.equal(commit['title'], 'ci');
  const [pipeline] = fx.sim.admin.pipelines(fx.project.id);
  assert.equal(pipeline?.sha, commit['id']);
  assert.deepEqual(
    fx.sim.admin.jobs({ pipelineId: pipeline!.id }).map((j) => j.name),
    ['hello'],
  );

  const bad: [object, RegExp][] = [
    [{ commit_message: 'x', actions: [] }, /^branch is missing$/],
    [
      { branch: 'dev', commit_message: 'x', actions: [{}] },
      /only the default branch/,
    ],
    [
      { branch: fx.project.defaultBranch, commit_message: 'x' },
      /^actions is missing$/,
    ],
    [
      {
        branch: fx.project.defaultBranch,
        commit_message: 'x',
        actions: [{ action: 'move', file_path: 'a' }],
      },
      /^actions\[0\]\[action\] does not have a valid value/,
    ],
  ];
  for (const [body, error] of bad) {
    const response = await post(path, body);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { error: string }).error, error);
  }
  const unknown = await post('/projects/999/repository/commits', {});
  assert.equal(unknown.status, 404);
});
