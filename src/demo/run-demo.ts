import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFirelab } from '../cli/compose.js';
import type { Firelab } from '../cli/compose.js';
import { parseConfig } from '../config/load.js';
import type { GitlabSim } from '../gitlab-sim/index.js';
import type { Job } from '../gitlab-sim/types.js';
import { UserError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { startDemoGitlab } from './demo-gitlab.js';
import type { JobReport } from './report.js';
import { phaseOf, reportJob, summaryLines } from './report.js';

const EXAMPLE = fileURLToPath(
  new URL('../../examples/sample-project', import.meta.url),
);
const EXPECTED = `${EXAMPLE}.expect.json`;
const FINISHED = ['success', 'failed', 'canceled', 'skipped'];
const DEMO_FILES = [
  'gitlab',
  'agent',
  'firelab.db',
  'firelab.db-wal',
  'firelab.db-shm',
  'firelab.log',
];

export interface DemoOptions {
  json: boolean;
  stateDir: string;
  imageCache: string;
  /** Where live lines go (default stdout). */
  out?: (line: string) => void;
  /** Aborting stops the pipeline watch; VMs and the stand-in are shut down. */
  signal?: AbortSignal;
}

export interface DemoResult {
  ok: boolean;
  jobs: JobReport[];
  runnersLeft: number;
  vmsLeft: number;
}

/**
 * `firelab demo`: the GitLab stand-in, a firelab server and local agent
 * with embedded defaults, and the sample project's pipeline run to the
 * end, every job in its own VM. Logs go to `<stateDir>/firelab.log`.
 */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const out =
    options.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  // Only what an earlier demo wrote is removed, never the folder itself:
  // --state-dir may name a folder that holds other things.
  for (const entry of DEMO_FILES) {
    await rm(join(options.stateDir, entry), { recursive: true, force: true });
  }
  await mkdir(options.stateDir, { recursive: true });
  const logFile = join(options.stateDir, 'firelab.log');
  const log = createLogger({
    level: 'debug',
    destination: createWriteStream(logFile),
  });
  if (!options.json) out(`firelab demo (log: ${logFile})`);

  const sim = await startDemoGitlab(join(options.stateDir, 'gitlab'), log);
  let firelab: Firelab | undefined;
  try {
    const setup = await seed(sim);
    const progress = options.json ? () => undefined : out;
    progress('building or finding the guest image…');
    const config = demoConfig(sim.url, setup, options, '127.0.0.1:0');
    firelab = await startFirelab(
      parseConfig(config, 'up', {}, 'demo config'),
      log,
    );
    sim.admin.addHook(setup.project, {
      url: `${firelab.server.url}/webhooks/gitlab`,
      token: setup.webhookSecret,
      jobEvents: true,
    });
    progress(
      `server ${firelab.server.url}, ${firelab.agent.info.hypervisor}/${firelab.agent.info.acceleration}, image ${firelab.image.id}`,
    );
    const result = await runPipeline(
      sim,
      firelab,
      setup.project,
      progress,
      options.signal,
    );
    if (options.json) out(JSON.stringify(result, null, 2));
    else
      summaryLines(result.jobs, {
        runners: result.runnersLeft,
        vms: result.vmsLeft,
      }).forEach(out);
    return result;
  } finally {
    await firelab?.close();
    await sim.close();
  }
}

export async function seed(sim: GitlabSim) {
  const { user, token } = sim.admin.createUser({ username: 'demo' });
  const project = await sim.admin.createProject({
    namespace: 'demo',
    name: 'sample-project',
    members: [user],
  });
  return {
    user,
    token,
    project,
    webhookSecret: randomBytes(16).toString('hex'),
  };
}

/**
 * The configuration the demo runs firelab with (before validation), its
 * server listening at `listen`.
 */
export function demoConfig(
  gitlabUrl: string,
  setup: Awaited<ReturnType<typeof seed>>,
  options: Pick<DemoOptions, 'stateDir' | 'imageCache'>,
  listen: string,
) {
  return {
    gitlab: {
      url: gitlabUrl,
      token: setup.token,
      webhookSecret: setup.webhookSecret,
      projects: [setup.project.id],
    },
    server: {
      listen,
      adminToken: randomBytes(16).toString('hex'),
    },
    database: { embedded: join(options.stateDir, 'firelab.db') },
    agent: {
      name: 'demo',
      stateDir: join(options.stateDir, 'agent'),
      memoryMiB: 6144,
    },
    image: { profile: 'test', cacheDir: options.imageCache },
    jobs: {
      defaultVcpus: 1,
      defaultMemoryMiB: 512,
      // Guests are emulated where KVM is missing: let three share a core.
      cpuOvercommit: 4,
      idleTimeoutSeconds: 180,
      bootTimeoutSeconds: 180,
      jobTimeoutSeconds: 600,
      reconcileIntervalSeconds: 3,
    },
  };
}

async function runPipeline(
  sim: GitlabSim,
  firelab: Firelab,
  project: Awaited<ReturnType<typeof seed>>['project'],
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<DemoResult> {
  const started = Date.now();
  const { pipeline } = await sim.admin.pushDirectory(
    project,
    EXAMPLE,
    'Sample project',
  );
  if (!pipeline)
    throw new Error('the sample project did not create a pipeline');
  progress(`pipeline #${pipeline.id} created`);

  const phases = new Map<number, string>();
  const store = firelab.server.store;
  const until = started + 30 * 60 * 1000;
  for (;;) {
    const jobs = sim.admin.jobs({ pipelineId: pipeline.id });
    const vms = await store.vms.listVms();
    for (const job of jobs) {
      const phase = phaseOf(job, await store.demands.getDemand(job.id), vms);
      if (phases.get(job.id) === phase) continue;
      phases.set(job.id, phase);
      const at = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
      progress(`${at}s  #${job.id} ${job.name.padEnd(18)} ${phase}`);
    }
    const status = sim.admin
      .pipelines()
      .find((p) => p.id === pipeline.id)!.status;
    if (FINISHED.includes(status)) break;
    if (Date.now() > until)
      throw new Error('the demo pipeline did not finish in 30 minutes');
    if (signal?.aborted) throw new UserError('demo interrupted');
    await sleep(250);
  }
  // VMs power off and runners are deleted just after their jobs end.
  const cleanUntil = Date.now() + 120_000;
  while (Date.now() < cleanUntil) {
    const live = await store.vms.listLiveVms();
    if (live.length === 0 && sim.admin.runners().length === 0) break;
    await sleep(250);
  }
  return finalReport(sim, firelab, pipeline.id);
}

async function finalReport(
  sim: GitlabSim,
  firelab: Firelab,
  pipelineId: number,
) {
  const expected = JSON.parse(await readFile(EXPECTED, 'utf8')) as Record<
    string,
    string
  >;
  const vms = await firelab.server.store.vms.listVms();
  const jobs = sim.admin
    .jobs({ pipelineId })
    .map((job: Job) => reportJob(job, vms, expected));
  const runnersLeft = sim.admin.runners().length;
  const vmsLeft = (await firelab.server.store.vms.listLiveVms()).length;
  const ok =
    jobs.every((j) => j.asExpected && j.vmId !== null) &&
    runnersLeft === 0 &&
    vmsLeft === 0;
  return { ok, jobs, runnersLeft, vmsLeft };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
