import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { hashSecret } from '../lib/secrets.js';
import { testDatabases } from '../store/testing/databases.js';
import { startProxy } from './testing/cuttable-proxy.js';
import { FakeAgent } from './testing/fake-agent.js';
import { eventually, startHarness } from './testing/harness.js';
import type { Harness } from './testing/harness.js';
import { connectRemote, startRemote } from './testing/remote-agent.js';

const ONE_JOB = `
build: { tags: [firelab], script: [echo hi] }
`;
const TWO_JOBS = `
a: { tags: [firelab], script: [echo a] }
b: { tags: [firelab], script: [echo b] }
`;

const dir = mkdtempSync(join(tmpdir(), 'firelab-fleet-'));
after(() => rmSync(dir, { recursive: true, force: true }));

async function api<T>(
  h: Harness,
  method: string,
  path: string,
  body?: unknown,
  url = h.server.url,
): Promise<{ status: number; json: T }> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${h.adminToken}`,
      'content-type': 'application/json',
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

async function enrolmentToken(h: Harness): Promise<string> {
  const { json } = await api<{ token: string }>(
    h,
    'POST',
    '/api/v1/enrolment-tokens',
    { ttlSeconds: 60 },
  );
  return json.token;
}

async function allDone(h: Harness, pipelineId: number, jobs: number) {
  await eventually(
    () =>
      h.sim.admin.jobs({ pipelineId }).filter((j) => j.status === 'success')
        .length === jobs,
    'jobs to succeed',
  );
  await eventually(
    async () => (await h.store.vms.listLiveVms()).length === 0,
    'VMs to end',
  );
  await eventually(() => h.sim.admin.runners().length === 0, 'no runners');
  await eventually(
    async () =>
      (await h.store.demands.listDemands()).every((d) => d.status === 'done'),
    'every demand done',
  );
}

/** Every job got exactly one VM that took it. */
async function oneVmPerJob(h: Harness) {
  const vms = await h.store.vms.listVms();
  const taken = vms.map((vm) => vm.tookJobId).filter((id) => id !== null);
  assert.equal(new Set(taken).size, taken.length, 'no job taken twice');
}

describe('remote agents', () => {
  test('enrol once, then connect with a hashed credential; others are refused', async () => {
    const h = await startHarness({ fakeAgent: false });
    const agents: { close(): void }[] = [];
    try {
      const token = await enrolmentToken(h);
      const a = new FakeAgent('host-a');
      const { connection, saved } = await connectRemote(h.server.url, a, {
        enrolmentToken: token,
      });
      agents.push(connection);
      assert.match(saved.credential ?? '', /^flagent-/);
      assert.equal(
        await h.store.agents.getCredentialHash('host-a'),
        hashSecret(saved.credential!),
        'only the hash is stored',
      );

      const pipelineId = await h.push(TWO_JOBS);
      await allDone(h, pipelineId, 2);
      assert.equal(a.started.length, 2);
      const jobId = h.sim.admin.jobs({ pipelineId })[0]!.id;
      const { json: logs } = await api<{ console: string; trace: string }>(
        h,
        'GET',
        `/api/v1/jobs/${jobId}/logs`,
      );
      assert.match(logs.console, /console of fake VM vm-/, 'asked the agent');
      assert.match(logs.trace, /hello from a fake VM/);

      await assert.rejects(
        connectRemote(h.server.url, new FakeAgent('host-b'), {
          enrolmentToken: token,
        }),
        /enrolment token is unknown, already used or expired/,
        'an enrolment token works once',
      );
      await assert.rejects(
        connectRemote(h.server.url, new FakeAgent('host-a'), {
          credential: 'flagent-guess',
        }),
        /refused this agent: wrong credential for agent host-a/,
      );
      const fresh = await enrolmentToken(h);
      await assert.rejects(
        connectRemote(h.server.url, new FakeAgent('host-a'), {
          enrolmentToken: fresh,
        }),
        /agent name host-a is already enrolled.*firelab agent forget host-a/,
        'a second host cannot take over an enrolled name',
      );
      const forgot = await api(h, 'POST', '/api/v1/agents/host-a/forget');
      assert.equal(forgot.status, 200);
      const again = await connectRemote(h.server.url, new FakeAgent('host-a'), {
        enrolmentToken: fresh,
      });
      agents.push(again.connection);
      assert.notEqual(again.saved.credential, saved.credential);
      await assert.rejects(
        connectRemote(h.server.url, new FakeAgent('host-c'), {
          credential: saved.credential!,
        }),
        /refused/,
        "a credential is bound to its agent's name",
      );
      const { json: listed } = await api<{ id: string; state: string }[]>(
        h,
        'GET',
        '/api/v1/agents',
      );
      assert.deepEqual(
        listed.map((x) => [x.id, x.state]),
        [['host-a', 'online']],
      );
    } finally {
      for (const agent of agents) agent.close();
      await h.close();
    }
  });

  test('a bad first frame or a wrong path is turned away', async () => {
    const h = await startHarness({ fakeAgent: false });
    try {
      const { WebSocket } = await import('ws');
      const url = h.server.url.replace('http', 'ws');
      const closed = await new Promise<number>((resolve) => {
        const ws = new WebSocket(`${url}/agent/v1/connect`);
        ws.on('open', () => ws.send('{"type":"hello","protocol":1}'));
        ws.on('close', (code) => resolve(code));
      });
      assert.equal(closed, 4401);
      const wrongPath = await new Promise<string>((resolve) => {
        const ws = new WebSocket(`${url}/elsewhere`);
        ws.on('error', (error) => resolve(error.message));
      });
      assert.match(wrongPath, /404/);
    } finally {
      await h.close();
    }
  });

  test('a network cut mid-job loses nothing: events are sent again after the reconnect', async () => {
    const h = await startHarness({ fakeAgent: false });
    const proxy = await startProxy(h.server.url);
    const a = new FakeAgent('host-a');
    a.bootDelayMs = 300;
    const { connection } = await connectRemote(proxy.url, a, {
      enrolmentToken: await enrolmentToken(h),
    });
    try {
      const pipelineId = await h.push(ONE_JOB);
      await eventually(() => a.started.length === 1, 'a VM start');
      proxy.block();
      // The VM boots and runs its job while the agent is cut off.
      await eventually(
        () => h.sim.admin.jobs({ pipelineId })[0]?.status === 'success',
        'the job to succeed while the agent is cut off',
      );
      await eventually(() => a.running === 0, 'the fake VM to end');
      assert.ok(connection.unacknowledged > 0, 'events wait for the server');
      assert.equal(connection.connected, false);
      proxy.unblock();
      await allDone(h, pipelineId, 1);
      await eventually(() => connection.unacknowledged === 0, 'acks');
      const [vm] = await h.store.vms.listVms();
      assert.equal(vm?.exitKind, 'guest-exit', 'the real exit was delivered');
      assert.equal(a.started.length, 1);
    } finally {
      connection.close();
      await proxy.close();
      await h.close();
    }
  });

  test('an agent that never comes back is given up; its job runs elsewhere', async () => {
    const h = await startHarness({
      fakeAgent: false,
      reconcileIntervalMs: 200,
      settings: { agentLostAfterMs: 1_500 },
    });
    const proxy = await startProxy(h.server.url);
    const doomed = new FakeAgent('host-doomed');
    doomed.bootDelayMs = 60_000; // never boots: its job stays pending
    const { connection } = await connectRemote(proxy.url, doomed, {
      enrolmentToken: await enrolmentToken(h),
    });
    try {
      const pipelineId = await h.push(ONE_JOB);
      await eventually(() => doomed.started.length === 1, 'a VM start');
      connection.close();
      proxy.block();
      doomed.crash();

      const rescuer = new FakeAgent('host-b');
      const second = await connectRemote(h.server.url, rescuer, {
        enrolmentToken: await enrolmentToken(h),
      });
      try {
        await allDone(h, pipelineId, 1);
        assert.equal(rescuer.started.length, 1);
        const vms = await h.store.vms.listVms();
        const lost = vms.find((vm) => vm.agentId === 'host-doomed');
        assert.equal(lost?.exitKind, 'crashed');
        assert.match(lost?.exitDetail ?? '', /not heard from/);
        await oneVmPerJob(h);
      } finally {
        second.connection.close();
      }
    } finally {
      await proxy.close();
      await h.close();
    }
  });

  test('a drained agent takes no new VMs until resumed', async () => {
    const h = await startHarness({ fakeAgent: false });
    const a = new FakeAgent('host-a');
    const b = new FakeAgent('host-b');
    const links = [
      await connectRemote(h.server.url, a, {
        enrolmentToken: await enrolmentToken(h),
      }),
      await connectRemote(h.server.url, b, {
        enrolmentToken: await enrolmentToken(h),
      }),
    ];
    try {
      const drained = await api<{ draining: boolean }>(
        h,
        'POST',
        '/api/v1/agents/host-a/drain',
      );
      assert.deepEqual(drained, {
        status: 200,
        json: { id: 'host-a', draining: true },
      });
      await allDone(h, await h.push(TWO_JOBS), 2);
      assert.equal(a.started.length, 0);
      assert.equal(b.started.length, 2);

      await api(h, 'POST', '/api/v1/agents/host-b/drain');
      const pipelineId = await h.push(ONE_JOB);
      const [queued] = await eventually(async () => {
        const q = await h.store.demands.listDemands({ statuses: ['queued'] });
        return q[0]?.reason ? q : undefined;
      }, 'the job to wait with a reason');
      assert.match(queued!.reason!, /no x86_64 host/);
      await api(h, 'POST', '/api/v1/agents/host-a/resume');
      await allDone(h, pipelineId, 1);
      assert.equal(a.started.length, 1);
      const missing = await api(h, 'POST', '/api/v1/agents/nope/drain');
      assert.equal(missing.status, 404);
    } finally {
      for (const link of links) link.connection.close();
      await h.close();
    }
  });

  test('TLS with a certificate the agent is told to trust', async (t) => {
    const pki = join(dir, 'pki');
    try {
      execFileSync('mkdir', ['-p', pki]);
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=firelab-test',
          '-addext',
          'subjectAltName=IP:127.0.0.1',
          '-keyout',
          join(pki, 'key.pem'),
          '-out',
          join(pki, 'cert.pem'),
        ],
        { stdio: 'ignore' },
      );
    } catch {
      t.skip('openssl is not installed');
      return;
    }
    const cert = readFileSync(join(pki, 'cert.pem'), 'utf8');
    const key = readFileSync(join(pki, 'key.pem'), 'utf8');
    // The stand-in cannot post hooks to a self-signed server: the
    // reconciler finds the job instead.
    const h = await startHarness({
      fakeAgent: false,
      tls: { cert, key },
      hooks: false,
      reconcileIntervalMs: 200,
    });
    try {
      assert.match(h.server.url, /^https:/);
      const token = await enrolmentTokenOverTls(h, cert);
      const a = new FakeAgent('host-tls');
      const untrusting = startRemote(h.server.url, new FakeAgent('host-x'), {
        enrolmentToken: token,
      });
      await assert.rejects(
        untrusting.ready,
        /cannot connect to wss:.*self-signed certificate/,
        'an unknown certificate stops a first start',
      );
      assert.equal(untrusting.connection.connected, false);
      const { connection } = await connectRemote(h.server.url, a, {
        enrolmentToken: token,
        ca: cert,
      });
      try {
        await allDone(h, await h.push(ONE_JOB), 1);
        assert.equal(a.started.length, 1);
      } finally {
        connection.close();
      }
    } finally {
      await h.close();
    }
  });
});

/** The admin API over HTTPS, trusting only the test certificate. */
async function enrolmentTokenOverTls(h: Harness, ca: string): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(
      `${h.server.url}/api/v1/enrolment-tokens`,
      {
        method: 'POST',
        ca,
        headers: { authorization: `Bearer ${h.adminToken}` },
      },
      (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () =>
          resolve((JSON.parse(body) as { token: string }).token),
        );
      },
    );
    req.on('error', reject);
    req.end('{}');
  });
}

for (const backend of testDatabases()) {
  describe(
    `two servers on one ${backend.name} database`,
    { skip: backend.skip },
    () => {
      const database = async () => {
        const config = await backend.config();
        return config.kind === 'embedded'
          ? { kind: 'embedded' as const, path: join(dir, `${Date.now()}.db`) }
          : config;
      };

      test('hooks reach one server, the agent is on the other: jobs run, cancels arrive', async () => {
        const h = await startHarness({
          fakeAgent: false,
          database: await database(),
        });
        const second = await h.addServer();
        const a = new FakeAgent('host-a');
        a.bootDelayMs = 200;
        const { connection } = await connectRemote(second.url, a, {
          enrolmentToken: await enrolmentToken(h),
        });
        try {
          // Webhooks go to the first server only (the harness's hook).
          await allDone(h, await h.push(TWO_JOBS), 2);
          assert.equal(a.started.length, 2);
          await oneVmPerJob(h);

          a.bootDelayMs = 60_000;
          const pipelineId = await h.push(ONE_JOB);
          await eventually(() => a.started.length === 3, 'a third VM');
          const job = h.sim.admin.jobs({ pipelineId })[0]!;
          h.sim.admin.cancelJob(job.id);
          await eventually(
            () => a.stopped.length === 1,
            'the stop to reach the agent',
          );
          await eventually(
            async () => (await h.store.vms.listLiveVms()).length === 0,
            'the VM to end',
          );
          await eventually(
            () => h.sim.admin.runners().length === 0,
            'no runners',
          );
        } finally {
          connection.close();
          await h.close();
        }
      });

      test('background work runs under one lease, which moves when its holder leaves', async () => {
        const h = await startHarness({
          fakeAgent: false,
          database: await database(),
        });
        const second = await h.addServer();
        try {
          assert.equal(await h.server.reconciler.runOnce(), true);
          // A runner left by a VM that ended (its deletion was lost).
          await h.store.vms.insertVm(
            {
              id: 'vm-gone',
              demandJobId: 1,
              projectId: h.project.id,
              agentId: 'nowhere',
              arch: 'x86_64',
              vcpus: 1,
              memoryMiB: 512,
            },
            Date.now(),
          );
          await h.store.vms.updateVm('vm-gone', { state: 'ended' });
          const orphan = await h.gitlab.createRunner({
            projectId: h.project.id,
            description: 'firelab vm vm-gone job 1',
            tags: ['firelab'],
            maximumTimeout: 600,
          });
          assert.equal(await second.reconciler.runOnce(), false, 'lease held');
          assert.equal(h.sim.admin.runners().length, 1, 'nothing collected');
          await h.server.close();
          assert.equal(await second.reconciler.runOnce(), true, 'lease moved');
          assert.equal(
            h.sim.admin.runners().some((r) => r.id === orphan.id),
            false,
            'the new holder collected the orphaned runner',
          );
        } finally {
          await h.close();
        }
      });
    },
  );
}
