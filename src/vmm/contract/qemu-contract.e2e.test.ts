import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { guestMetadata } from '../../guest/guest-metadata.js';
import { buildImage } from '../../image/build-image.js';
import type { ImageArtifacts } from '../../image/image-types.js';
import { metadataService, prepareVmNetwork } from '../../network/index.js';
import { missingPrerequisite, onPath } from '../../network/testing.js';
import { createQemuDriver } from '../qemu/create-qemu-driver.js';
import { GITLAB_LISTEN } from '../qemu/testing/e2e-vm.js';
import { startFakeJobApi } from '../qemu/testing/fake-job-api.js';
import type { FakeJobApi } from '../qemu/testing/fake-job-api.js';
import { mmdsSocketPath } from '../qemu/vm-paths.js';
import { driverContract } from './driver-contract.js';
import type { ContractPurpose, ContractVm } from './driver-contract.js';

// The same contract the Firecracker driver passes against its fake, run
// against the real QEMU driver with the real test image and guest init
// (TCG here), each VM in its own namespace with a GitLab stand-in that
// never hands out a job.
const CACHE_DIR = '/var/cache/firelab-test/images';
const SECRET = 'glrt-contract-secret-token-31';
const log = silentLogger();
let image: ImageArtifacts;
let api: FakeJobApi;
let baseDir: string;

after(async () => {
  await api?.close();
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

async function skipReason(): Promise<string | undefined> {
  const network = await missingPrerequisite();
  if (network) return network;
  if (!(await onPath('qemu-system-x86_64'))) return 'QEMU is not installed';
  if (process.arch !== 'x64') return 'the test image is built for x86_64';
  try {
    image = await buildImage({
      profile: 'test',
      arch: 'x86_64',
      cacheDir: CACHE_DIR,
      log,
    });
  } catch (error) {
    return `test image unavailable: ${(error as Error).message}`;
  }
  api = await startFakeJobApi({
    runnerToken: 'glrt-no-such-runner',
    jobId: 1,
    jobToken: 'unused',
    script: [],
  });
  baseDir = await mkdtemp(join(tmpdir(), 'fl-qemu-contract-'));
  return undefined;
}

async function makeSpec(purpose: ContractPurpose): Promise<ContractVm> {
  const id = `c${randomBytes(4).toString('hex')}`;
  const workDir = join(baseDir, id);
  const gitlab = {
    name: 'gitlab',
    listenIp: GITLAB_LISTEN.ip,
    port: GITLAB_LISTEN.port,
    target: { host: '127.0.0.1', port: api.port },
  };
  const network = await prepareVmNetwork({
    vmId: id,
    workDir,
    services: [metadataService(mmdsSocketPath(workDir)), gitlab],
    log,
  });
  const spec = {
    id,
    arch: image.arch,
    vcpus: 1,
    memoryMiB: 1024,
    kernelPath:
      purpose === 'cannot-boot' ? join(workDir, 'no-kernel') : image.kernelPath,
    initrdPath: image.initrdPath,
    rootImagePath: image.rootfsPath,
    bootArgs: image.bootArgs,
    network,
    metadata: guestMetadata({
      vmId: id,
      gitlabUrl: `http://${GITLAB_LISTEN.ip}:${GITLAB_LISTEN.port}`,
      runnerToken: SECRET,
      // 'runs' gives up waiting for a job at once and powers off.
      waitTimeoutSeconds: purpose === 'runs' ? 1 : 600,
      jobTimeoutSeconds: 900,
    }),
    workDir,
    consolePath: join(workDir, 'console.log'),
    deadlineAt: Date.now() + 300_000,
  };
  return { spec, release: () => network.destroy() };
}

driverContract(
  'qemu',
  () => createQemuDriver({ log, probeImage: image }),
  makeSpec,
  {
    skipReason,
    bootLine: /firelab-guest: init started/,
    metadataLine: (spec) => `firelab-guest: vm ${spec.id} metadata ok`,
    secret: SECRET,
    keptFiles: [],
    consoleTimeoutMs: 120_000,
    deadlineMs: 5_000,
  },
);
