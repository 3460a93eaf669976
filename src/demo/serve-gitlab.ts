import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseConfig } from '../config/load.js';
import type { GitlabSim } from '../gitlab-sim/index.js';
import type { Logger } from '../lib/logger.js';
import { startDemoGitlab } from './demo-gitlab.js';
import { demoConfig, seed } from './run-demo.js';

export interface ServedGitlab {
  sim: GitlabSim;
  projectId: number;
  token: string;
  /** A `firelab up` configuration for this stand-in. */
  configPath: string;
  /** What to tell the user: how to run firelab and a pipeline. */
  instructions: string[];
  close(): Promise<void>;
}

/**
 * `firelab demo --serve-gitlab`: the demo's GitLab stand-in with an empty
 * project, kept running for someone trying `firelab up` by hand. Writes a
 * `firelab up` configuration for it (its server on `listen`, where the
 * project's Job Hook points) and says how to start a pipeline with
 * GitLab's commits API.
 */
export async function serveDemoGitlab(options: {
  stateDir: string;
  imageCache: string;
  listen: string;
  log: Logger;
}): Promise<ServedGitlab> {
  const gitlabDir = join(options.stateDir, 'gitlab');
  await rm(gitlabDir, { recursive: true, force: true });
  await mkdir(options.stateDir, { recursive: true });
  const sim = await startDemoGitlab(gitlabDir, options.log);
  const setup = await seed(sim);
  const config = demoConfig(sim.url, setup, options, options.listen);
  // Validated as `firelab up` will read it, so a bad --listen fails here.
  parseConfig(config, 'up', {}, 'demo config');
  const configPath = join(options.stateDir, 'firelab.yaml');
  await writeFile(configPath, stringify(config), { mode: 0o600 });
  sim.admin.addHook(setup.project, {
    url: `http://${options.listen}/webhooks/gitlab`,
    token: setup.webhookSecret,
    jobEvents: true,
  });

  const api = `${sim.url}/api/v4/projects/${setup.project.id}`;
  const ci = 'hello: { tags: [firelab], script: [uname -a] }';
  const commit = JSON.stringify({
    branch: setup.project.defaultBranch,
    commit_message: 'try firelab',
    actions: [{ action: 'create', file_path: '.gitlab-ci.yml', content: ci }],
  });
  const auth = `-H 'PRIVATE-TOKEN: ${setup.token}'`;
  return {
    sim,
    projectId: setup.project.id,
    token: setup.token,
    configPath,
    instructions: [
      `GitLab stand-in at ${sim.url}, project ${setup.project.pathWithNamespace} (id ${setup.project.id}), token ${setup.token}`,
      `1. in another shell: firelab up --config ${configPath}`,
      `2. run a pipeline (later commits: "action": "update"):`,
      `   curl -sS ${auth} -H 'Content-Type: application/json' -d '${commit}' ${api}/repository/commits`,
      `3. its jobs: curl -sS ${auth} ${api}/jobs; a job's log: firelab logs JOB --config ${configPath}`,
      'Ctrl-C stops the stand-in.',
    ],
    close: () => sim.close(),
  };
}
