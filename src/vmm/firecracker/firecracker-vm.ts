import type { ChildProcess } from 'node:child_process';
import type { CleanupStack } from '../../lib/cleanup.js';
import type { Logger } from '../../lib/logger.js';
import type { VmExit, VmHandle, VmSpec } from '../driver.js';
import { fileTail, OutputTail } from '../qemu/output-tail.js';
import type { FirecrackerClient } from './api-client.js';
import { classifyExit } from './classify-exit.js';
import { ConsoleSink } from './console-sink.js';

/** How long `stop` waits for the guest to react to Ctrl+Alt+Del. */
export const DEFAULT_GRACE_MS = 3_000;
/** setTimeout cannot wait longer than this at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One Firecracker process as a `VmHandle`. It owns the cleanup stack of
 * everything made for the VM (disk copy, jail, cgroup, socket) and runs
 * it once the process and its output are gone, before `exited` resolves,
 * whatever ended the process. The deadline is armed by `markStarted`.
 */
export class FirecrackerVm implements VmHandle {
  readonly id: string;
  readonly exited: Promise<VmExit>;
  #spec: VmSpec;
  #child: ChildProcess;
  #client: FirecrackerClient;
  #cleanup: CleanupStack;
  #log: Logger;
  #console: ConsoleSink | undefined;
  #stderr = new OutputTail(10);
  #started = false;
  #ended = false;
  #requested: 'stopped' | 'deadline' | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: {
    spec: VmSpec;
    child: ChildProcess;
    client: FirecrackerClient;
    cleanup: CleanupStack;
    log: Logger;
    consoleCapBytes?: number;
  }) {
    this.id = opts.spec.id;
    this.#spec = opts.spec;
    this.#child = opts.child;
    this.#client = opts.client;
    this.#cleanup = opts.cleanup;
    this.#log = opts.log;
    const { stdout, stderr } = opts.child;
    if (stdout) {
      const path = opts.spec.consolePath;
      this.#console = new ConsoleSink(stdout, path, opts.consoleCapBytes);
    }
    stderr?.on('data', (chunk: Buffer) => this.#stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      opts.child.once('close', (code, signal) => {
        void this.#finish(code, signal).then(resolve);
      });
      opts.child.once('error', () => {
        if (opts.child.pid === undefined) {
          void this.#finish(-1, null).then(resolve);
        }
      });
    });
    // 'close' waits for the pipes; 'exit' tells us the process is gone.
    opts.child.once('exit', () => (this.#ended = true));
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  hasExited(): boolean {
    return this.#ended;
  }

  /** InstanceStart succeeded: the VM runs and its deadline counts. */
  markStarted(): void {
    this.#started = true;
    this.#armDeadline();
  }

  /** MMDS data can change after boot (PATCH /mmds, reference §4). */
  patchMetadata(patch: Record<string, unknown>): Promise<void> {
    return this.#client.patchMmds(patch);
  }

  stop(reason: 'stopped' | 'deadline', graceMs = DEFAULT_GRACE_MS) {
    if (!this.#ended) {
      this.#requested ??= reason;
      void this.#shutdown(graceMs);
    }
    return this.exited;
  }

  /** Ends the process at once: SIGTERM is not handled gracefully (§9). */
  kill(): void {
    if (!this.#ended) this.#child.kill('SIGKILL');
  }

  /** Firecracker's last stderr and console lines, for boot errors. */
  async tails(): Promise<string> {
    const stderr = this.#stderr.text();
    const console = await fileTail(this.#spec.consolePath, 5);
    return [stderr && `stderr: ${stderr}`, console && `console: ${console}`]
      .filter(Boolean)
      .join('\n');
  }

  /** Arms in steps: deadlines may lie further ahead than a timer reaches. */
  #armDeadline(): void {
    const left = this.#spec.deadlineAt - Date.now();
    if (left <= 0) {
      this.#requested ??= 'deadline';
      this.#log.warn('deadline passed, killing VM');
      this.kill();
      return;
    }
    const wait = Math.min(left, MAX_TIMER_MS);
    this.#timer = setTimeout(() => this.#armDeadline(), wait);
  }

  /**
   * Ctrl+Alt+Del on x86_64 (the guest reboots, Firecracker exits); arm64
   * has no such action (400, reference §9), so it is killed at once.
   */
  async #shutdown(graceMs: number): Promise<void> {
    const canAsk = this.#started && this.#spec.arch === 'x86_64';
    if (canAsk && graceMs > 0) {
      const asked = await this.#client.action('SendCtrlAltDel').then(
        () => true,
        () => false,
      );
      const ended = this.exited.then(() => true);
      const wait = sleep(graceMs).then(() => false);
      if (asked && (await Promise.race([ended, wait]))) return;
    }
    this.kill();
  }

  async #finish(code: number | null, signal: string | null): Promise<VmExit> {
    this.#ended = true;
    clearTimeout(this.#timer);
    await this.#console?.closed;
    const consoleTail = await fileTail(this.#spec.consolePath, 40);
    const { kind, detail } = classifyExit({
      started: this.#started,
      requested: this.#requested,
      code,
      signal,
      guestPanicked: consoleTail.includes('Kernel panic'),
    });

    await this.#cleanup.run(this.#log);
    const exit = { kind, code, detail, endedAt: Date.now() };
    this.#log.info({ kind, code, detail }, 'VM ended');
    return exit;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
