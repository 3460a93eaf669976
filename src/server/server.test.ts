import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import { describe, test } from 'node:test';
import { FakeAgent } from './testing/fake-agent.js';
import { eventually, pushCi, startHarness } from './testing/harness.js';
import type { Harness } from './testing/harness.js';

const THREE_JOBS = `
stages: [test]
a: { stage: test, tags: [firelab], script: [echo a] }
b: { stage: test, tags: [firelab-1cpu-256mb], script: [echo b] }
c: { stage: test, tags: [firelab], script: [echo c] }
other: { stage: test, tags: [docker], script: [echo not ours] }
`;

async function pipelineDone(h: Harness, pipelineId: number, ours = 3) {
  await eventually(
    () =>
      h.sim.admin.jobs({ pipelineId }).filter((j) => j.status === 'success')
        .length === ours,
    'firelab jobs to succeed',
  );
  await eventually(
    async () => (await h.store.vms.listLiveVms()).length === 0,
    'VMs to end',
  );
  await eventually(
    () => h.sim.admin.runners().length === 0,
    'runners to be deleted',
  );
}

describe('server with the GitLab stand-in and a fake agent', () => {
  test('runs each firelab job in its own VM and cleans up', async () => {
    const h = await startHarness();
    try {
      const pipelineId = await h.push(THREE_JOBS);
      await pipelineDone(h, pipelineId);

      assert.equal(h.agent.started.length, 3);
      const demands = await h.store.demands.listDemands();
      assert.deepEqual(
        demands.map((d) => d.status),
        ['done', 'done', 'done'],
      );
      const other = h.sim.admin
        .jobs({ pipelineId })
        .find((j) => j.name === 'other');
      assert.equal(
        other?.status,
        'pending',
        'a job without a firelab tag is left alone',
      );
      const b = demands.find((d) => d.jobName === 'b');
      assert.equal(b?.memoryMiB, 256);
      const vms = await h.store.vms.listVms();
      // A token is withdrawn when the running hook reports the runner's
      // job; a fake VM may finish before that hook is handled.
      const ids = new Set(vms.map((vm) => vm.id));
      assert.ok(h.agent.tokensWithdrawn.length > 0, 'tokens are withdrawn');
      assert.ok(h.agent.tokensWithdrawn.every((id) => ids.has(id)));
      assert.ok(
        vms.every(
          (vm) => vm.exitKind === 'guest-exit' && vm.tookJobId !== null,
        ),
      );
    } finally {
      await h.close();
    }
  });

  test('the same webhook delivered twice starts one VM', async () => {
    const h = await startHarness();
    try {
      h.sim.admin.faults.duplicateHooks(1000, 3);
      const pipelineId = await h.push(THREE_JOBS);
      await pipelineDone(h, pipelineId);
      assert.equal(h.agent.started.length, 3);
      assert.equal((await h.store.demands.listDemands()).length, 3);
    } finally {
      await h.close();
    }
  });

  test('without any webhook the reconciler finds the jobs', async () => {
    const h = await startHarness({ hooks: false, reconcileIntervalMs: 100 });
    try {
      const pipelineId = await h.push(THREE_JOBS);
      await pipelineDone(h, pipelineId);
      assert.equal(h.agent.started.length, 3);
    } finally {
      await h.close();
    }
  });

  test('a job cancelled before its VM booted stops the VM and deletes its runner', async () => {
    const h = await startHarness();
    try {
      h.agent.bootDelayMs = 60_000;
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      const vm = await eventually(async () => {
        const [first] = await h.store.vms.listVms({ states: ['booting'] });
        return first;
      }, 'a booting VM');
      assert.equal(h.sim.admin.runners().length, 1);

      const job = h.sim.admin.jobs({ pipelineId })[0]!;
      h.sim.admin.cancelJob(job.id);
      await eventually(
        () => h.agent.stopped.includes(vm.id),
        'the VM to be stopped',
      );
      await eventually(
        () => h.sim.admin.runners().length === 0,
        'the runner to be deleted',
      );
      const demand = await h.store.demands.getDemand(job.id);
      assert.equal(demand?.status, 'canceled');
    } finally {
      await h.close();
    }
  });

  test('a VM that fails to boot is retried; the job still runs once', async () => {
    const h = await startHarness();
    try {
      h.agent.failBoots = 1;
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      await pipelineDone(h, pipelineId, 1);
      assert.equal(h.agent.started.length, 2);
      const [demand] = await h.store.demands.listDemands();
      assert.equal(demand?.attempts, 2);
      assert.equal(demand?.status, 'done');
    } finally {
      await h.close();
    }
  });

  test('GitLab failing to create a runner leaves no duplicate and retries', async () => {
    const h = await startHarness({ reconcileIntervalMs: 100 });
    try {
      h.sim.admin.faults.failRequests({
        action: 'status',
        status: 500,
        count: 1,
        method: 'POST',
        path: '/api/v4/user/runners',
      });
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      await pipelineDone(h, pipelineId, 1);
      assert.equal(h.agent.started.length, 1);
    } finally {
      await h.close();
    }
  });

  test('an agent that restarts: lost VMs end, runners go, jobs run again', async () => {
    const h = await startHarness();
    const fresh = new FakeAgent('fake');
    try {
      h.agent.bootDelayMs = 60_000;
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      const lost = await eventually(async () => {
        const [first] = await h.store.vms.listVms({ states: ['booting'] });
        return first;
      }, 'a booting VM');

      h.agent.crash();
      fresh.connect(h.server.attachAgent(fresh));
      await pipelineDone(h, pipelineId, 1);

      const ended = await h.store.vms.getVm(lost.id);
      assert.equal(ended?.exitKind, 'crashed');
      assert.match(ended?.exitDetail ?? '', /agent fake came back without it/);
      assert.equal(
        fresh.started.length,
        1,
        'the job ran on the restarted agent',
      );
      const [demand] = await h.store.demands.listDemands();
      assert.equal(demand?.status, 'done');
      assert.equal(demand?.attempts, 2);
    } finally {
      await h.close();
      while (fresh.running > 0) await new Promise((r) => setTimeout(r, 20));
    }
  });

  test('a VM lost mid-job: its job is canceled and retried once', async () => {
    const h = await startHarness();
    // Each replacement is the same agent restarted (same id).
    const second = new FakeAgent();
    const third = new FakeAgent();
    try {
      h.agent.jobMs = 60_000;
      const pipelineId = await h.push(
        'build: { tags: [firelab], script: [echo hi] }',
      );
      const first = h.sim.admin.jobs({ pipelineId })[0]!;
      await eventually(
        () => h.sim.admin.job(first.id)?.status === 'running',
        'the job to run',
      );
      await eventually(
        async () => (await h.store.vms.listVms())[0]?.state === 'busy',
        'the VM to be busy',
      );
      second.jobMs = 60_000;
      h.agent.crash();
      second.connect(h.server.attachAgent(second));

      const retry = await eventually(
        () => h.sim.admin.jobs({ pipelineId }).find((j) => j.id !== first.id),
        'a retry of the lost job',
      );
      assert.equal(h.sim.admin.job(first.id)?.status, 'canceled');
      assert.equal(retry.name, 'build');
      await eventually(
        () => h.sim.admin.job(retry.id)?.status === 'running',
        'the retry to run on the restarted agent',
      );
      await eventually(
        async () =>
          (await h.store.vms.listVms()).some(
            (vm) => vm.tookJobId === retry.id && vm.state === 'busy',
          ),
        'the second VM to be busy',
      );
      // The retry is lost too: canceled, not retried again.
      second.crash();
      third.connect(h.server.attachAgent(third));
      await eventually(
        () => h.sim.admin.job(retry.id)?.status === 'canceled',
        'the retry to be canceled',
      );
      await eventually(
        async () =>
          (await h.store.demands.getDemand(retry.id))?.status === 'lost',
        'the retry to be recorded as lost',
      );
      const lost = await h.store.demands.getDemand(first.id);
      assert.equal(lost?.status, 'lost');
      assert.match(lost?.reason ?? '', /retried as job \d+/);
      const again = await h.store.demands.getDemand(retry.id);
      assert.equal(again?.retryOf, first.id);
      assert.match(again?.reason ?? '', /not retried again/);
      assert.equal(h.sim.admin.jobs({ pipelineId }).length, 2);
      assert.equal(third.started.length, 0);
      await eventually(() => h.sim.admin.runners().length === 0, 'no runners');
    } finally {
      await h.close();
      third.stopAll();
    }
  });

  test('a group cap holds the projects of one group to their share', async () => {
    const h = await startHarness({
      siblings: 1,
      settings: {
        placement: { cpuOvercommit: 1, maxPerProject: 10, maxPerGroup: 1 },
      },
    });
    try {
      h.agent.jobMs = 300;
      const ci = 'one: { tags: [firelab], script: [echo 1] }';
      const first = await h.push(ci);
      const second = await pushCi(h.sim, h.siblings[0]!, ci);
      const waiting = await eventually(async () => {
        const queued = await h.store.demands.listDemands({
          statuses: ['queued'],
        });
        return queued.find((d) => d.reason?.includes('group'));
      }, 'a job waiting for its group');
      assert.match(waiting.reason!, /group \d+ .*at its limit of 1/);
      for (const pipelineId of [first, second]) {
        await eventually(
          () => h.sim.admin.jobs({ pipelineId })[0]?.status === 'success',
          'both jobs to succeed',
        );
      }
      const vms = await h.store.vms.listVms();
      assert.equal(vms.length, 2);
      assert.ok(vms.every((vm) => vm.groupId !== null));
      const [a, b] = vms.sort((x, y) => x.createdAt - y.createdAt);
      assert.ok(b!.createdAt >= a!.endedAt!, 'never two at once');
    } finally {
      await h.close();
    }
  });

  test('a runner that takes another job of its tags swaps, and is renamed for it', async () => {
    const h = await startHarness();
    try {
      h.agent.bootDelayMs = 1_500;
      const first = await h.push(`a: { tags: [firelab], script: [echo a] }`);
      const [a] = h.sim.admin.jobs({ pipelineId: first });
      await eventually(
        async () => (await h.store.vms.findVmsForJob(a!.id)).length === 1,
        "job a's VM",
      );
      // Job b's VM boots first; GitLab hands its runner the oldest job, a.
      h.agent.bootDelayMs = 0;
      const second = await h.push(`b: { tags: [firelab], script: [echo b] }`);
      const [b] = h.sim.admin.jobs({ pipelineId: second });
      await pipelineDone(h, first, 1);
      await pipelineDone(h, second, 1);

      const vms = await h.store.vms.listVms();
      assert.equal(vms.length, 2, 'one VM per job');
      const took = new Map(vms.map((vm) => [vm.tookJobId, vm.id]));
      assert.deepEqual([...took.keys()].sort(), [a!.id, b!.id].sort());
      // Each runner's description names its VM and the job it ran.
      for (const runner of h.sim.admin.runnersCreated()) {
        const job = h.sim.admin.jobs().find((j) => j.runnerId === runner.id)!;
        assert.equal(
          runner.description,
          `firelab vm ${took.get(job.id)} job ${job.id}`,
        );
      }
    } finally {
      await h.close();
    }
  });

  test('jobs with unusable firelab tags are reported, not run', async () => {
    const h = await startHarness();
    try {
      await h.push(`one: { tags: [firelab-99cpu-1gb], script: [echo 1] }`);
      const demand = await eventually(async () => {
        const [first] = await h.store.demands.listDemands();
        return first;
      }, 'a demand');
      assert.equal(demand.status, 'failed');
      assert.match(demand.reason ?? '', /99 vCPUs is outside/);
      assert.equal(h.agent.started.length, 0);
    } finally {
      await h.close();
    }
  });

  test('a job too large for every host waits with its reason', async () => {
    const h = await startHarness();
    try {
      h.agent.bootDelayMs = 60_000;
      await h.push(`big: { tags: [firelab-8cpu-16gb], script: [echo 1] }`);
      await h.push(`huge: { tags: [firelab-8cpu-15gb], script: [echo 1] }`);
      const waiting = await eventually(async () => {
        const queued = await h.store.demands.listDemands({
          statuses: ['queued'],
        });
        return queued.find((d) => d.reason);
      }, 'a queued demand with a reason');
      assert.match(waiting.reason ?? '', /waiting for 15360 MiB/);
    } finally {
      await h.close();
    }
  });
});

describe('webhook endpoint', () => {
  test('rejects a wrong token, a malformed body and ignores other events', async () => {
    const h = await startHarness();
    try {
      const url = `${h.server.url}/webhooks/gitlab`;
      const send = (headers: Record<string, string>, body: string) =>
        fetch(url, { method: 'POST', headers, body });
      const job = {
        'content-type': 'application/json',
        'x-gitlab-event': 'Job Hook',
      };

      const wrong = await send({ ...job, 'x-gitlab-token': 'nope' }, '{}');
      assert.equal(wrong.status, 401);
      const missing = await send(job, '{}');
      assert.equal(missing.status, 401);

      const auth = { ...job, 'x-gitlab-token': h.webhookSecret };
      const notJson = await send(auth, '{"object_kind":');
      assert.equal(notJson.status, 400);
      assert.match(
        ((await notJson.json()) as { error: string }).error,
        /not valid JSON/,
      );
      const bad = await send(
        auth,
        JSON.stringify({ object_kind: 'build', build_id: -1 }),
      );
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /build_id/);

      // A chunked body has no Content-Length; the limit still holds.
      assert.equal(await chunkedStatus(url, auth, 40 * 64 * 1024), 413);

      const foreign = await send(
        auth,
        JSON.stringify({
          object_kind: 'build',
          build_id: 7,
          build_name: 'x',
          build_stage: 'test',
          build_status: 'pending',
          pipeline_id: 1,
          project_id: 999_999,
        }),
      );
      assert.equal(foreign.status, 202);
      assert.match(JSON.stringify(await foreign.json()), /not served/);

      const push = await send({ ...auth, 'x-gitlab-event': 'Push Hook' }, '{}');
      assert.equal(push.status, 202);
      assert.equal((await h.store.demands.listDemands()).length, 0);
    } finally {
      await h.close();
    }
  });

  test('the API needs the admin token and shows jobs', async () => {
    const h = await startHarness();
    try {
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      await pipelineDone(h, pipelineId, 1);
      const denied = await fetch(`${h.server.url}/api/v1/jobs`);
      assert.equal(denied.status, 401);
      const jobs = await fetch(`${h.server.url}/api/v1/jobs`, {
        headers: { authorization: `Bearer ${h.adminToken}` },
      });
      const body = (await jobs.json()) as { status: string }[];
      const lower = await fetch(`${h.server.url}/api/v1/jobs`, {
        headers: { authorization: `bearer ${h.adminToken}` },
      });
      assert.equal(lower.status, 200, 'the scheme name is case-insensitive');
      const auth = { authorization: `Bearer ${h.adminToken}` };
      const bad = await fetch(`${h.server.url}/api/v1/jobs/abc`, {
        headers: auth,
      });
      assert.equal(bad.status, 400);
      const nowhere = await fetch(`${h.server.url}/nowhere`);
      assert.equal(nowhere.status, 404);
      assert.match(
        ((await nowhere.json()) as { error: string }).error,
        /no route GET \/nowhere/,
      );
      assert.deepEqual(
        body.map((j) => j.status),
        ['done'],
      );
    } finally {
      await h.close();
    }
  });
});

describe('metrics', () => {
  test('GET /metrics: its own token, the queue now and what happened', async () => {
    const metricsToken = randomBytes(16).toString('hex');
    const h = await startHarness({ metricsToken });
    try {
      const pipelineId = await h.push(
        `one: { tags: [firelab], script: [echo 1] }`,
      );
      await pipelineDone(h, pipelineId, 1);
      const url = `${h.server.url}/metrics`;
      const bearer = (token: string) => ({
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal((await fetch(url)).status, 401);
      // The metrics token reads metrics and nothing else.
      assert.equal((await fetch(url, bearer(h.adminToken))).status, 401);
      const api = await fetch(
        `${h.server.url}/api/v1/jobs`,
        bearer(metricsToken),
      );
      assert.equal(api.status, 401);

      const response = await fetch(url, bearer(metricsToken));
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain/);
      const text = await response.text();
      const value = (name: string) =>
        Number(text.match(new RegExp(`^${name} (\\S+)$`, 'm'))?.[1]);
      assert.equal(value('firelab_jobs\\{status="queued"\\}'), 0);
      assert.equal(value('firelab_vm_start_seconds_count'), 1);
      assert.equal(value('firelab_job_wait_seconds_count'), 1);
      assert.equal(value('firelab_jobs_ended_total\\{status="done"\\}'), 1);
      await eventually(
        async () =>
          /^firelab_vm_exits_total\{kind="guest-exit"\} 1$/m.test(
            await (await fetch(url, bearer(metricsToken))).text(),
          ),
        'the VM exit counted',
      );
    } finally {
      await h.close();
    }
  });
});

/** POSTs `bytes` zero bytes with chunked encoding; resolves the status. */
function chunkedStatus(
  url: string,
  headers: Record<string, string>,
  bytes: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(64 * 1024);
    const write = (left: number): void => {
      if (left <= 0) return void req.end();
      req.write(chunk, () => write(left - chunk.length));
    };
    write(bytes);
  });
}
