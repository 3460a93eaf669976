import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GitlabClient } from '../gitlab/client.js';
import { silentLogger } from '../lib/logger.js';
import { checkGitlab } from './check-gitlab.js';
import { startHarness } from './testing/harness.js';

test('a refused token or an unknown project stops startup; a GitLab that is down does not', async () => {
  const h = await startHarness();
  try {
    const log = silentLogger();
    await checkGitlab(h.gitlab, [h.project.id], log);
    const client = (token: string) =>
      new GitlabClient({
        url: h.sim.url,
        token,
        log,
        retry: { attempts: 1, baseMs: 1, maxMs: 1 },
      });
    await assert.rejects(
      checkGitlab(client('glpat-wrong'), [h.project.id], log),
      /gitlab\.token: GitLab refuses it \(.*401/,
    );
    await assert.rejects(
      checkGitlab(h.gitlab, [h.project.id, 987654], log),
      /gitlab\.projects: project 987654 cannot be read/,
    );
    h.sim.admin.faults.failRequests({
      method: 'GET',
      path: /^\/api\/v4\/projects\/\d+$/,
      action: 'status',
      status: 503,
      count: 'all',
    });
    await checkGitlab(client('glpat-wrong'), [h.project.id], log);
  } finally {
    await h.close();
  }
});
