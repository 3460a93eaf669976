// How long a pending job waits until its runner starts in its own VM,
// through the whole of firelab: hook, placement, runner creation, the
// VM's network, the hypervisor, the guest's boot and init. The baseline,
// measured in the same run with the same image and hypervisor, is the
// bare boot: the same network and guest init with nothing of firelab
// around it (network prepared, hypervisor started, init reads its
// metadata and starts the runner). The ratio says how much firelab adds
// to what the VM itself takes; the phases say where firelab's part goes.
// Rounds alternate, baseline then firelab, so load drifts alike on both.
// Needs what the end-to-end tests need (root, QEMU, the test image).
// Run: node --import tsx scripts/bench-start.ts [rounds]
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../src/lib/logger.js';
import { createQemuDriver } from '../src/vmm/qemu/index.js';
import { bootE2eVm } from '../src/vmm/qemu/testing/e2e-vm.js';
import { cannotBootVms, startLab } from '../test/e2e/lab.js';
import type { Lab } from '../test/e2e/lab.js';

const ROUNDS = Number(process.argv[2] ?? 3);
/** The guest init's line once the runner has its config and starts. */
const RUNNER_STARTS = 'firelab-guest: runner starting';
const POLL_MS = 20;
const log = silentLogger();

interface FirelabRound {
  /** ms from the job's creation in GitLab to each step. */
  seen: number;
  placed: number;
  hypervisor: number;
  runner: number;
  jobRunning: number;
}

async function main(): Promise<void> {
  const why = await cannotBootVms();
  if (why) throw new Error(`cannot boot VMs here: ${why}`);
  const lab = await startLab({ reconcileSeconds: 30 });
  const baseDir = await mkdtemp(join(tmpdir(), 'fl-bench-'));
  try {
    const driver = await createQemuDriver({
      log,
      probeImage: lab.firelab.image,
    });
    console.log(`hypervisor: qemu, ${driver.acceleration}; rounds: ${ROUNDS}`);
    const bare: number[] = [];
    const full: FirelabRound[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bare.push(await bareBoot(driver, lab, baseDir));
      full.push(await throughFirelab(lab));
      console.log(
        `round ${round + 1}: bare ${bare.at(-1)} ms, firelab ${full.at(-1)!.runner} ms`,
      );
    }
    report(bare, full);
  } finally {
    await rm(baseDir, { recursive: true, force: true });
    await lab.close();
  }
}

/** ms from preparing the network to the runner starting, nothing else. */
async function bareBoot(
  driver: Awaited<ReturnType<typeof createQemuDriver>>,
  lab: Lab,
  baseDir: string,
): Promise<number> {
  const started = Date.now();
  const vm = await bootE2eVm({
    driver,
    image: lab.firelab.image,
    baseDir,
    // Nothing answers there: the runner's start is where this ends.
    gitlabPort: 9,
    runnerToken: 'glrt-bench',
    deadlineMs: 300_000,
    log,
  });
  try {
    await vm.consoleShows(RUNNER_STARTS, 300_000);
    return Date.now() - started;
  } finally {
    await vm.dispose();
  }
}

/** One single-job pipeline, timed from the job's creation in GitLab. */
async function throughFirelab(lab: Lab): Promise<FirelabRound> {
  const pipelineId = await lab.push(
    `bench: { tags: [firelab], script: [true] }`,
  );
  const job = lab.sim.admin.jobs({ pipelineId })[0]!;
  const created = job.createdAt.getTime();
  const { store } = lab.firelab.server;
  const until = Date.now() + 300_000;
  let runner: number | undefined;
  for (;;) {
    if (Date.now() > until) throw new Error(`job ${job.id} did not run`);
    const [vm] = await store.vms.findVmsForJob(job.id);
    if (vm && runner === undefined) {
      const consolePath = join(lab.dir, 'agent', 'vms', vm.id, 'console.log');
      const text = await readFile(consolePath, 'utf8').catch(() => '');
      if (text.includes(RUNNER_STARTS)) runner = Date.now() - created;
    }
    const now = lab.sim.admin.job(job.id)!;
    if (vm?.bootedAt && runner !== undefined && now.startedAt) {
      const demand = (await store.demands.getDemand(job.id))!;
      await lab.sim.admin.waitForPipeline(pipelineId, 300_000);
      return {
        seen: demand.createdAt - created,
        placed: vm.createdAt - created,
        hypervisor: vm.bootedAt - created,
        runner,
        jobRunning: now.startedAt.getTime() - created,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function report(bare: number[], full: FirelabRound[]): void {
  const at = (key: keyof FirelabRound) => median(full.map((r) => r[key]));
  const rows: [string, number][] = [
    ['job created → firelab has its demand', at('seen')],
    ['→ placed (VM record made)', at('placed')],
    ['→ hypervisor running (runner created, network, QEMU)', at('hypervisor')],
    ['→ runner starting in the guest', at('runner')],
    ['→ job running in GitLab', at('jobRunning')],
  ];
  console.log('\nmedians, ms since the job was created:');
  for (const [what, ms] of rows) console.log(`  ${what.padEnd(56)} ${ms}`);
  const baseline = median(bare);
  const firelab = at('runner');
  console.log(`\nbaseline, bare boot to runner starting: ${baseline} ms`);
  console.log(`firelab, job created to runner starting: ${firelab} ms`);
  console.log(
    `ratio firelab / bare: ${(firelab / baseline).toFixed(2)}x ` +
      `(firelab adds ${firelab - baseline} ms)`,
  );
}

await main();
