import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { errorMessage } from '../../lib/errors.js';
import { createLogger, silentLogger } from '../../lib/logger.js';
import { buildImage } from '../../image/build-image.js';
import type { ImageArtifacts } from '../../image/image-types.js';
import { missingPrerequisite, onPath } from '../../network/testing.js';
import type { VmDriver } from '../driver.js';
import { createQemuDriver } from './create-qemu-driver.js';
import { bootE2eVm } from './testing/e2e-vm.js';
import { startFakeJobApi } from './testing/fake-job-api.js';
import type { FakeJobApi } from './testing/fake-job-api.js';

// Real VMs under QEMU (TCG here): builds or reuses the test image, gives
// each VM its own namespace, and plays GitLab on 127.0.0.1.
const CACHE_DIR = '/var/cache/firelab-test/images';
const RUNNER_TOKEN = 'glrt-e2e-runner-token-1';
// Measurements go to stdout, which the test runner shows as `#` lines.
const note = (line: string) => process.stdout.write(`# ${line}\n`);
const log = process.env.FL_E2E_LOG
  ? createLogger({ level: 'debug' })
  : silentLogger();

let skip: string | false = false;
let image: ImageArtifacts;
let driver: VmDriver;
let api: FakeJobApi;
let baseDir: string;

before(async () => {
  skip = (await prerequisite()) ?? false;
  if (skip) return;
  try {
    const started = Date.now();
    image = await buildImage({
      profile: 'test',
      arch: 'x86_64',
      cacheDir: CACHE_DIR,
      log,
    });
    note(`image ${image.id} ready in ${Date.now() - started} ms`);
  } catch (error) {
    skip = `test image unavailable: ${errorMessage(error)}`;
    return;
  }
  driver = await createQemuDriver({ log, probeImage: image });
  note(`acceleration: ${driver.acceleration}`);
  api = await startFakeJobApi({
    runnerToken: RUNNER_TOKEN,
    jobId: 4242,
    jobToken: 'job-token-4242',
    script: ['echo hello-from-vm', 'id -un'],
  });
  baseDir = await mkdtemp(join(tmpdir(), 'fl-qemu-e2e-'));
});

after(async () => {
  await api?.close();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

async function prerequisite(): Promise<string | undefined> {
  const network = await missingPrerequisite();
  if (network) return network;
  if (!(await onPath('qemu-system-x86_64'))) return 'QEMU is not installed';
  if (process.arch !== 'x64') return 'the test image is built for x86_64';
  return undefined;
}

function boot(runnerToken: string, deadlineMs: number) {
  return bootE2eVm({
    driver,
    image,
    baseDir,
    gitlabPort: api.port,
    runnerToken,
    deadlineMs,
    log,
  });
}

test('a VM runs one job through the guest init and powers off', async (t) => {
  if (skip) return t.skip(skip);
  const vm = await boot(RUNNER_TOKEN, 240_000);
  t.after(() => vm.dispose());

  const initMs = await vm.consoleShows('firelab-guest: init started', 120_000);
  const metadataMs = await vm.consoleShows(
    `firelab-guest: vm ${vm.id} metadata ok`,
    120_000,
  );
  const exit = await vm.end();
  const totalMs = Date.now() - vm.bootStartedAt;
  const final = await api.finished;
  const consoleText = await vm.console();
  const timings =
    `boot to init ${initMs} ms, to metadata ${metadataMs} ms, ` +
    `job end to end ${totalMs} ms`;
  note(`timings: ${timings}`);
  t.diagnostic(timings);

  assert.equal(exit.kind, 'guest-exit', exit.detail);
  assert.match(consoleText, /firelab-guest: init started/);
  assert.match(consoleText, /firelab-guest: runner exited 0/);
  assert.doesNotMatch(consoleText, new RegExp(RUNNER_TOKEN));
  assert.ok(api.requestTokens.length >= 2, 'asked for a job twice');
  assert.ok(api.requestTokens.every((token) => token === RUNNER_TOKEN));
  assert.deepEqual(api.states, ['running', 'success']);
  assert.match(api.trace(), /hello-from-vm/);
  assert.match(api.trace(), /\ngitlab-runner\n/, 'job ran as the job user');
  assert.equal(final.exit_code, 0);
  assert.deepEqual(await readdir(vm.workDir), ['console.log']);
});

test('a VM stopped on request ends as stopped', async (t) => {
  if (skip) return t.skip(skip);
  const vm = await boot('glrt-e2e-idle-token', 240_000);
  t.after(() => vm.dispose());
  await vm.consoleShows('metadata ok', 120_000);

  const exit = await vm.handle.stop('stopped', 1_000);
  assert.equal(exit.kind, 'stopped', exit.detail);
  assert.equal(await vm.handle.stop('stopped'), exit, 'stop is idempotent');
  await vm.end();
  assert.deepEqual(await readdir(vm.workDir), ['console.log']);
});

test('a VM past its deadline is killed', async (t) => {
  if (skip) return t.skip(skip);
  const vm = await boot('glrt-e2e-idle-token', 3_000);
  t.after(() => vm.dispose());

  const exit = await vm.end();
  assert.equal(exit.kind, 'deadline', exit.detail);
  assert.ok(Date.now() - vm.bootStartedAt < 15_000, 'killed promptly');
  assert.deepEqual(await readdir(vm.workDir), ['console.log']);
});
