import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDemo } from '../../src/demo/run-demo.js';
import { cannotBootVms, IMAGE_CACHE } from './lab.js';

const skip = await cannotBootVms();

test(
  'the demo pipeline runs every job in its own VM',
  { skip, timeout: 30 * 60_000 },
  async () => {
    const stateDir = await mkdtemp(join(tmpdir(), 'firelab-demo-'));
    const lines: string[] = [];
    try {
      const started = Date.now();
      const result = await runDemo({
        json: true,
        stateDir,
        imageCache: IMAGE_CACHE,
        out: (line) => lines.push(line),
      });
      console.log(
        `demo pipeline: ${((Date.now() - started) / 1000).toFixed(1)}s`,
      );
      for (const job of result.jobs) {
        const t = job.timings;
        console.log(
          `  ${job.name}: ${job.status} vm=${job.vmId} boot=${t.vmStartMs}ms queued=${t.queuedMs}ms run=${t.runMs}ms`,
        );
      }

      assert.equal(result.ok, true, lines.join('\n'));
      assert.equal(result.runnersLeft, 0);
      assert.equal(result.vmsLeft, 0);
      const vmIds = result.jobs.map((j) => j.vmId);
      assert.equal(new Set(vmIds).size, result.jobs.length, 'one VM per job');
      const broken = result.jobs.find((j) => j.name === 'broken-on-purpose');
      assert.equal(broken?.status, 'failed');
      assert.equal(broken?.exitCode, 3);
      const build = result.jobs.find((j) => j.name === 'build');
      assert.equal(build?.status, 'success');
      const report = JSON.parse(lines.join('\n')) as { jobs: unknown[] };
      assert.equal(report.jobs.length, result.jobs.length);
    } finally {
      await rm(stateDir, { recursive: true, force: true });
    }
  },
);
