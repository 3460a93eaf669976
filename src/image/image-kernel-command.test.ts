import assert from 'node:assert/strict';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { run } from '../lib/process.js';

// `firelab image kernel --dry-run` as an operator runs it (the command is
// src/cli/image.ts): it prints the plan and touches nothing. The build
// itself is not run in tests: it takes long and needs the source package.
const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
let dir: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fl-kernel-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const firelab = (args: string[]) =>
  run(process.execPath, ['--import', tsx, main, ...args], {
    timeoutMs: 60_000,
    okCodes: [0, 1, 2],
  });

test('image kernel --dry-run prints the steps and changes nothing', async () => {
  const out = join(dir, 'out');
  const work = join(dir, 'work');
  const { code, stdout, stderr } = await firelab([
    ...['image', 'kernel', '--dry-run', '--arch', 'x86_64'],
    ...['--out-dir', out, '--work-dir', work, '--jobs', '2', '--no-install'],
  ]);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.equal(
    lines[0],
    `steps to build ${out}/vmlinux (dry run, nothing done):`,
  );
  const src = join(work, 'linux-source-6.1');
  assert.ok(lines.includes(`  cd ${src} && make ARCH=x86_64 -j2 vmlinux`));
  assert.ok(
    lines.some((l) => l.includes('merge_config.sh -m .config')),
    stdout,
  );
  assert.ok(!stdout.includes('apt-get'), '--no-install');
  for (const path of [out, work]) {
    await assert.rejects(access(path), `${path} was not created`);
  }
});

test('image kernel refuses a bad --jobs with one line', async () => {
  const { code, stderr } = await firelab([
    ...['image', 'kernel', '--dry-run', '--jobs', '0'],
  ]);
  assert.notEqual(code, 0);
  assert.match(stderr, /--jobs <n>.*at least 1/);
});
