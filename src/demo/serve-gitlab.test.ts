import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../config/load.js';
import { silentLogger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import { serveDemoGitlab } from './serve-gitlab.js';

test('serve-gitlab: a config firelab up accepts, and the printed curl starts a pipeline', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'fl-serve-'));
  const served = await serveDemoGitlab({
    stateDir: dir,
    imageCache: join(dir, 'images'),
    listen: '127.0.0.1:18710',
    log: silentLogger(),
  });
  t.after(async () => {
    await served.close();
    await rm(dir, { recursive: true, force: true });
  });

  const config = await loadConfig(served.configPath, 'up');
  assert.equal(config.gitlab.url, served.sim.url);
  assert.deepEqual(config.gitlab.projects, [served.projectId]);
  assert.equal(config.server.listen, '127.0.0.1:18710');
  assert.equal((await stat(served.configPath)).mode & 0o777, 0o600);
  const hooks = await fetch(
    `${served.sim.url}/api/v4/projects/${served.projectId}/hooks`,
    { headers: { 'PRIVATE-TOKEN': served.token } },
  );
  const [hook] = (await hooks.json()) as { url: string; job_events: boolean }[];
  assert.equal(hook?.url, 'http://127.0.0.1:18710/webhooks/gitlab');
  assert.equal(hook?.job_events, true);

  // The instructions' own command, as a user would paste it.
  const curl = served.instructions.find((line) => line.includes('/commits'));
  const { stdout } = await run('sh', ['-c', curl!.trim()]);
  assert.match(stdout, /"title":"try firelab"/);
  const [pipeline] = served.sim.admin.pipelines(served.projectId);
  assert.deepEqual(
    served.sim.admin.jobs({ pipelineId: pipeline!.id }).map((j) => j.name),
    ['hello'],
  );
});
