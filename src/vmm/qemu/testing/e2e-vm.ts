import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import { guestMetadata } from '../../../guest/guest-metadata.js';
import type { ImageArtifacts } from '../../../image/image-types.js';
import { metadataService, prepareVmNetwork } from '../../../network/index.js';
import type { VmNetworkLease } from '../../../network/index.js';
import type { VmDriver, VmExit, VmHandle } from '../../driver.js';
import { mmdsSocketPath } from '../vm-paths.js';

/** The guest reaches the test's fake GitLab here, inside its namespace. */
export const GITLAB_LISTEN = { ip: '10.0.0.1', port: 8080 };

export interface E2eVm {
  id: string;
  workDir: string;
  consolePath: string;
  handle: VmHandle;
  bootStartedAt: number;
  network: VmNetworkLease;
  /** Resolves with ms since boot() when `text` appears on the console. */
  consoleShows(text: string, timeoutMs: number): Promise<number>;
  console(): Promise<string>;
  /** Waits for the end, then removes the network. */
  end(): Promise<VmExit>;
  /** For test teardown: kills the VM if still up, removes the network. */
  dispose(): Promise<void>;
}

/** Boots a test-image VM with its own network namespace and metadata. */
export async function bootE2eVm(opts: {
  driver: VmDriver;
  image: ImageArtifacts;
  baseDir: string;
  gitlabPort: number;
  runnerToken: string;
  deadlineMs: number;
  log: Logger;
}): Promise<E2eVm> {
  const id = `q${randomBytes(4).toString('hex')}`;
  const workDir = join(opts.baseDir, id);
  const consolePath = join(workDir, 'console.log');
  const gitlab = {
    name: 'gitlab',
    listenIp: GITLAB_LISTEN.ip,
    port: GITLAB_LISTEN.port,
    target: { host: '127.0.0.1', port: opts.gitlabPort },
  };
  const network = await prepareVmNetwork({
    vmId: id,
    workDir,
    services: [metadataService(mmdsSocketPath(workDir)), gitlab],
    log: opts.log,
  });

  const bootStartedAt = Date.now();
  const handle = await opts.driver
    .boot({
      id,
      arch: opts.image.arch,
      vcpus: 1,
      memoryMiB: 1024,
      kernelPath: opts.image.kernelPath,
      initrdPath: opts.image.initrdPath,
      rootImagePath: opts.image.rootfsPath,
      bootArgs: opts.image.bootArgs,
      network,
      metadata: guestMetadata({
        vmId: id,
        gitlabUrl: `http://${GITLAB_LISTEN.ip}:${GITLAB_LISTEN.port}`,
        runnerToken: opts.runnerToken,
        waitTimeoutSeconds: 60,
        jobTimeoutSeconds: 300,
        hosts: [`${GITLAB_LISTEN.ip} gitlab.e2e`],
      }),
      workDir,
      consolePath,
      deadlineAt: bootStartedAt + opts.deadlineMs,
    })
    .catch(async (error: unknown) => {
      await network.destroy();
      throw error;
    });

  const read = () => readFile(consolePath, 'utf8').catch(() => '');
  return {
    id,
    workDir,
    consolePath,
    handle,
    bootStartedAt,
    network,
    console: read,
    consoleShows: async (text, timeoutMs) => {
      const giveUp = Date.now() + timeoutMs;
      while (Date.now() < giveUp) {
        if ((await read()).includes(text)) return Date.now() - bootStartedAt;
        await new Promise((r) => setTimeout(r, 100));
      }
      const tail = (await read()).split('\n').slice(-15).join('\n');
      throw new Error(`console never showed ${JSON.stringify(text)}:\n${tail}`);
    },
    end: async () => {
      const exit = await handle.exited;
      await network.destroy();
      return exit;
    },
    dispose: async () => {
      await handle.stop('stopped', 0);
      await network.destroy();
    },
  };
}
