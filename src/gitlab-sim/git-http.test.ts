import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { git } from './git-command.js';
import { createRunner, requestJob, startSim } from './test-helpers.js';
import type { SimFixture } from './test-helpers.js';

let fx: SimFixture;
let work: string;
before(async () => {
  fx = await startSim();
  work = await mkdtemp(join(tmpdir(), 'gitlab-sim-clone-'));
});
after(async () => {
  await fx.close();
  await rm(work, { recursive: true, force: true });
});

const env = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

test('a running job clones with its token; no token or a finished job gets 401', async () => {
  const files = {
    '.gitlab-ci.yml': 'a: { script: x }',
    'src/main.c': 'int main(void){return 0;}\n',
    'run.sh': '#!/bin/sh\necho hi\n',
  };
  const { pipeline, sha } = await fx.sim.admin.pushFiles(
    fx.project,
    files,
    'first',
  );
  const payload = (await (
    await requestJob(fx.sim, (await createRunner(fx)).token)
  ).json()) as {
    id: number;
    git_info: { repo_url: string; refspecs: string[] };
  };

  const dest = join(work, 'clone');
  await git(['clone', '-q', payload.git_info.repo_url, dest], { env });
  assert.equal(
    await readFile(join(dest, 'src/main.c'), 'utf8'),
    files['src/main.c'],
  );
  const head = await git(['-C', dest, 'rev-parse', 'HEAD'], { env });
  assert.equal(head.stdout.trim(), sha);
  const mode = await git(['-C', dest, 'ls-files', '-s', 'run.sh'], { env });
  assert.match(mode.stdout, /^100755 /);
  const fetched = await git(
    ['-C', dest, 'fetch', '-q', 'origin', ...payload.git_info.refspecs],
    { env },
  );
  assert.equal(fetched.code, 0);
  assert.ok(pipeline);

  const plain = `${fx.sim.url}/firelab/sample.git`;
  const anonymous = await git(['ls-remote', plain], { env, okCodes: [128] });
  assert.equal(anonymous.code, 128);
  const status = await fetch(`${plain}/info/refs?service=git-upload-pack`);
  assert.equal(status.status, 401);
  assert.match(status.headers.get('www-authenticate') ?? '', /^Basic/);

  const url = new URL(plain);
  url.username = 'alice';
  url.password = fx.token;
  assert.equal((await git(['ls-remote', url.toString()], { env })).code, 0);

  fx.sim.admin.cancelJob(payload.id);
  const after = await git(['ls-remote', payload.git_info.repo_url], {
    env,
    okCodes: [128],
  });
  assert.equal(after.code, 128);
});
