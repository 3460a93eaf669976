import { randomBytes } from 'node:crypto';
import { access, constants, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { silentLogger } from '../../lib/logger.js';
import { guestMetadata } from '../../guest/guest-metadata.js';
import { buildImage } from '../../image/build-image.js';
import type { ImageArtifacts } from '../../image/image-types.js';
import { prepareVmNetwork } from '../../network/index.js';
import { missingPrerequisite } from '../../network/testing.js';
import { driverContract } from '../contract/driver-contract.js';
import type {
  ContractPurpose,
  ContractVm,
} from '../contract/driver-contract.js';
import { probeAcceleration } from '../qemu/probe-acceleration.js';
import { createFirecrackerDriver } from './create-firecracker-driver.js';

// The contract against a real Firecracker, only where one can run:
// FIRECRACKER_BIN set (JAILER_BIN too for jailer mode), root for the
// namespaces, and KVM proven by booting the image kernel (QEMU's probe).
// Firecracker needs an uncompressed vmlinux (x86_64) built with
// kernelConfigFragment(); FIRECRACKER_KERNEL points at it.
const CACHE_DIR = '/var/cache/firelab-test/images';
const SECRET = 'glrt-real-fc-secret-token-77';
const env = {
  firecracker: process.env.FIRECRACKER_BIN,
  jailer: process.env.JAILER_BIN,
  kernel: process.env.FIRECRACKER_KERNEL,
};
const log = silentLogger();
let image: ImageArtifacts;
let baseDir: string;

after(async () => {
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

async function skipReason(): Promise<string | undefined> {
  if (!env.firecracker) return 'FIRECRACKER_BIN is not set';
  if (!env.kernel)
    return 'FIRECRACKER_KERNEL (a vmlinux for Firecracker) is not set';
  const usable = await access(env.firecracker, constants.X_OK).then(
    () => true,
    () => false,
  );
  if (!usable) return `FIRECRACKER_BIN ${env.firecracker} is not executable`;
  const network = await missingPrerequisite();
  if (network) return network;
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
  const kvm = await probeAcceleration({
    requested: 'auto',
    probeImage: image,
    log,
  });
  if (kvm.accel !== 'kvm') return `KVM does not work here: ${kvm.reason}`;
  baseDir = await mkdtemp(join(tmpdir(), 'fl-real-fc-'));
  return undefined;
}

async function makeSpec(purpose: ContractPurpose): Promise<ContractVm> {
  const id = `r${randomBytes(4).toString('hex')}`;
  const workDir = join(baseDir, id);
  // MMDS is served inside Firecracker: the network needs no relay.
  const network = await prepareVmNetwork({
    vmId: id,
    workDir,
    services: [],
    log,
  });
  const spec = {
    id,
    arch: image.arch,
    vcpus: 1,
    memoryMiB: 512,
    kernelPath: purpose === 'cannot-boot' ? join(workDir, 'none') : env.kernel!,
    initrdPath: image.initrdPath,
    rootImagePath: image.rootfsPath,
    bootArgs: image.bootArgs,
    network,
    metadata: guestMetadata({
      vmId: id,
      gitlabUrl: 'http://10.0.0.1:8080',
      runnerToken: SECRET,
      waitTimeoutSeconds: purpose === 'runs' ? 1 : 600,
      jobTimeoutSeconds: 900,
    }),
    workDir,
    consolePath: join(workDir, 'console.log'),
    deadlineAt: Date.now() + 300_000,
  };
  return { spec, release: () => network.destroy() };
}

for (const jailer of [false, true]) {
  driverContract(
    `firecracker (real${jailer ? ', jailed' : ''})`,
    async () =>
      createFirecrackerDriver({
        log,
        firecrackerBin: env.firecracker!,
        jailerBin: env.jailer,
        jailer,
      }),
    makeSpec,
    {
      skipReason: async () =>
        jailer && !env.jailer ? 'JAILER_BIN is not set' : skipReason(),
      bootLine: /firelab-guest: init started/,
      metadataLine: (spec) => `firelab-guest: vm ${spec.id} metadata ok`,
      secret: SECRET,
      keptFiles: ['firecracker.log', 'firecracker-metrics.json'],
      consoleTimeoutMs: 30_000,
      deadlineMs: 3_000,
    },
  );
}
