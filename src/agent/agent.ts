import { copyFile, mkdir, open, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageArtifacts } from '../image/image-types.js';
import { CleanupStack } from '../lib/cleanup.js';
import { errorMessage, withContext } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import {
  cleanupStaleNetworks,
  DEFAULT_SUBNET,
  metadataService,
  prepareVmNetwork,
} from '../network/index.js';
import { parseSubnet } from '../network/subnet.js';
import { CONSOLE_TAIL_BYTES } from '../server/agents/agent-link.js';
import type {
  AgentEvents,
  AgentInfo,
  AgentLink,
  StartVmRequest,
} from '../server/agents/agent-link.js';
import type { VmDriver, VmExit, VmHandle, VmSpec } from '../vmm/driver.js';
import { guestMetadata } from '../guest/guest-metadata.js';
import { guestEndpoint } from './guest-endpoint.js';
import type { NatEgress } from './vm-egress.js';

export interface AgentOptions {
  id: string;
  info: Omit<AgentInfo, 'hypervisor' | 'acceleration'>;
  driver: VmDriver;
  /** Images by architecture; a VM boots the one of its architecture. */
  images: Partial<Record<string, ImageArtifacts>>;
  /** Per-VM working folders live here; wiped at start. */
  stateDir: string;
  /** Serial console logs are kept here after their VM is gone. */
  logDir: string;
  /** VMs also reach the internet (egress `nat`); unset: GitLab only. */
  egress?: NatEgress;
  log: Logger;
}

/**
 * Runs VMs on one host for the server. Each VM gets a working folder, an
 * isolated network whose only exits are its metadata and GitLab (and,
 * with egress `nat`, the internet through the host's uplink), and a
 * driver-booted guest; when the VM ends, everything but its console log
 * is removed and the server is told how it ended. At start, leftovers of
 * a previous run (namespaces, relays, working folders) are removed.
 */
export class Agent implements AgentLink {
  readonly id: string;
  readonly info: AgentInfo;
  #options: AgentOptions;
  #events: AgentEvents | undefined;
  #vms = new Map<string, VmHandle>();
  #booting = new Set<string>();
  #stopRequested = new Set<string>();
  #log: Logger;

  constructor(options: AgentOptions) {
    this.id = options.id;
    this.#options = options;
    this.#log = options.log.child({ agentId: options.id });
    this.info = {
      ...options.info,
      hypervisor: options.driver.name,
      acceleration: options.driver.acceleration,
    };
  }

  /**
   * Removes what an earlier run left behind, then connects (`attach`
   * gives the server this agent and returns where to report). Cleaning
   * comes first so it can never remove a VM the server already asked for.
   * A VM's working folder is made before anything else of it and removed
   * after everything else, so the folders name every VM that can have
   * left something: its network namespace (and the hypervisor and relays
   * inside, which are killed), disks, and the driver's own leftovers.
   */
  async start(attach: (agent: AgentLink) => AgentEvents): Promise<void> {
    const vmsDir = join(this.#options.stateDir, 'vms');
    const vmIds = await readdir(vmsDir).catch(() => []);
    await mkdir(this.#options.logDir, { recursive: true });
    // A crashed VM's console is the first thing an operator will want.
    for (const vmId of vmIds) {
      await copyFile(
        join(vmsDir, vmId, 'console.log'),
        join(this.#options.logDir, `${vmId}.console.log`),
      ).catch(() => undefined);
    }
    const removed = [
      ...(vmIds.length > 0
        ? await cleanupStaleNetworks(this.#log, { vmIds })
        : []),
      ...((await this.#options.driver.cleanupStale?.()) ?? []),
    ];
    await rm(vmsDir, { recursive: true, force: true });
    if (vmIds.length > 0 || removed.length > 0)
      this.#log.warn({ vms: vmIds, removed }, 'removed leftovers of VMs');
    await this.#options.egress?.prepareHost(this.#log);
    this.#log.info(this.info, 'agent ready');
    this.#events = attach(this);
  }

  async startVm(request: StartVmRequest): Promise<void> {
    const log = this.#log.child({ vmId: request.vmId });
    const started = Date.now();
    this.#booting.add(request.vmId);
    log.info(
      { vcpus: request.vcpus, memoryMiB: request.memoryMiB },
      'starting VM',
    );
    void this.#boot(request, log).then(
      ({ ended }) => {
        log.info({ ms: Date.now() - started }, 'VM running');
        void this.#events?.vmBooted(request.vmId, Date.now());
        void ended.then((exit) => this.#ended(request.vmId, exit));
      },
      (error: unknown) => {
        log.warn({ err: errorMessage(error) }, 'VM failed to boot');
        this.#ended(request.vmId, {
          kind: 'boot-failed',
          code: null,
          detail: errorMessage(error),
          endedAt: Date.now(),
        });
      },
    );
  }

  async stopVm(vmId: string): Promise<void> {
    const handle = this.#vms.get(vmId);
    // A stop can overtake a boot in progress: remember it for the moment
    // the driver hands the VM over.
    if (handle) await handle.stop('stopped');
    else if (this.#booting.has(vmId)) this.#stopRequested.add(vmId);
    else {
      // Not here (it ended, or never reached this agent): saying so lets
      // a server that still waits for it settle.
      void this.#events?.vmExited(vmId, {
        kind: 'stopped',
        code: null,
        detail: 'not running on this agent',
        endedAt: Date.now(),
        consolePath: null,
      });
    }
  }

  /** Stops every VM, booting ones as soon as they run (forced shutdown). */
  async stopAll(): Promise<void> {
    for (const vmId of this.#booting) this.#stopRequested.add(vmId);
    await Promise.allSettled(
      [...this.#vms.values()].map((vm) => vm.stop('stopped')),
    );
  }

  async jobTaken(vmId: string): Promise<void> {
    await this.#vms
      .get(vmId)
      ?.patchMetadata({ firelab: { runner_token: null } });
  }

  async readConsole(vmId: string): Promise<string | null> {
    if (!/^[a-z0-9-]{1,64}$/.test(vmId)) return null;
    // A running VM's console is in its folder; an ended one's was kept.
    for (const path of [
      join(this.#options.stateDir, 'vms', vmId, 'console.log'),
      join(this.#options.logDir, `${vmId}.console.log`),
    ]) {
      const text = await readTail(path, CONSOLE_TAIL_BYTES);
      if (text !== null) return text;
    }
    return null;
  }

  runningVmIds(): string[] {
    return [...this.#booting, ...this.#vms.keys()];
  }

  /** VMs booting or running: the agent is idle only at 0. */
  get running(): number {
    return this.#vms.size + this.#booting.size;
  }

  /** Boots a VM; `ended` settles after the VM is gone and cleaned up. */
  async #boot(
    request: StartVmRequest,
    log: Logger,
  ): Promise<{ ended: Promise<VmExit> }> {
    const image = this.#options.images[request.arch];
    if (!image) throw new Error(`this agent has no ${request.arch} image`);
    const workDir = join(this.#options.stateDir, 'vms', request.vmId);
    const cleanup = new CleanupStack();
    try {
      await mkdir(workDir, { recursive: true, mode: 0o700 });
      cleanup.push('work dir', () =>
        rm(workDir, { recursive: true, force: true }),
      );
      const spec = await this.#prepare(request, image, workDir, cleanup, log);
      const handle = await this.#options.driver.boot(spec);
      this.#booting.delete(request.vmId);
      this.#vms.set(request.vmId, handle);
      if (this.#stopRequested.delete(request.vmId)) void handle.stop('stopped');
      const ended = handle.exited.then(async (exit) => {
        await this.#release(request.vmId, spec, cleanup, log);
        return exit;
      });
      return { ended };
    } catch (error) {
      await cleanup.run(log);
      throw withContext(`booting VM ${request.vmId} on ${this.id}`, error);
    }
  }

  async #prepare(
    request: StartVmRequest,
    image: ImageArtifacts,
    workDir: string,
    cleanup: CleanupStack,
    log: Logger,
  ): Promise<VmSpec> {
    const subnet = parseSubnet(DEFAULT_SUBNET);
    const gitlab = guestEndpoint(request.gitlabUrl, subnet.gatewayIp);
    const egress = this.#options.egress;
    const network = await prepareVmNetwork({
      vmId: request.vmId,
      workDir,
      subnet: DEFAULT_SUBNET,
      egress: egress?.forVm(request.vmId, cleanup),
      log,
      services: [
        metadataService(join(workDir, 'mmds.sock')),
        {
          name: 'gitlab',
          listenIp: subnet.gatewayIp,
          port: gitlab.listenPort,
          target: gitlab.target,
        },
      ],
    });
    cleanup.push('network', () => network.destroy());
    if (egress)
      cleanup.push('egress audit', () => egress.reportAudit(network, log));
    return {
      id: request.vmId,
      arch: request.arch,
      vcpus: request.vcpus,
      memoryMiB: request.memoryMiB,
      kernelPath: image.kernelPath,
      initrdPath: image.initrdPath,
      rootImagePath: image.rootfsPath,
      bootArgs: image.bootArgs,
      network,
      metadata: guestMetadata({
        vmId: request.vmId,
        gitlabUrl: gitlab.guestUrl,
        runnerToken: request.runnerToken,
        waitTimeoutSeconds: request.waitTimeoutSeconds,
        // The guest bounds the whole run-single: waiting plus the job.
        jobTimeoutSeconds:
          request.waitTimeoutSeconds + request.jobTimeoutSeconds,
        hosts: gitlab.hosts ? [gitlab.hosts.trimEnd()] : [],
        nameservers: egress?.nameservers ?? [],
      }),
      workDir,
      consolePath: join(workDir, 'console.log'),
      deadlineAt: request.deadlineAt,
    };
  }

  async #release(
    vmId: string,
    spec: VmSpec,
    cleanup: CleanupStack,
    log: Logger,
  ) {
    const kept = join(this.#options.logDir, `${vmId}.console.log`);
    await copyFile(spec.consolePath, kept).catch(() => undefined);
    await cleanup.run(log);
  }

  #ended(vmId: string, exit: VmExit): void {
    const consolePath = join(this.#options.logDir, `${vmId}.console.log`);
    void this.#events?.vmExited(vmId, { ...exit, consolePath });
    // Counted as running until the server has been told, so a shutdown
    // that waits for `running` to reach 0 never misses this report.
    this.#vms.delete(vmId);
    this.#booting.delete(vmId);
    this.#stopRequested.delete(vmId);
  }
}

/** The last `bytes` of a file as text, or null if it cannot be read. */
async function readTail(path: string, bytes: number): Promise<string | null> {
  const file = await open(path).catch(() => null);
  if (!file) return null;
  try {
    const { size } = await file.stat();
    const length = Math.min(size, bytes);
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return buffer.toString('utf8');
  } finally {
    await file.close();
  }
}
