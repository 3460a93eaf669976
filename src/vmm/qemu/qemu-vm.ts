import type { ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import type { CleanupStack } from '../../lib/cleanup.js';
import type { Logger } from '../../lib/logger.js';
import type { VmExit, VmHandle, VmSpec } from '../driver.js';
import type { MmdsServer } from '../mmds/index.js';
import { classifyExit } from './classify-exit.js';
import { fileTail, OutputTail } from './output-tail.js';
import { QmpClient } from './qmp-client.js';
import type { QmpEvent } from './qmp-client.js';

/** How long `stop` waits for a graceful end by default. */
export const DEFAULT_GRACE_MS = 3_000;
/** setTimeout cannot wait longer than this at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One running QEMU process as a `VmHandle`. It owns the cleanup stack of
 * everything made for the VM (overlay, metadata server, sockets) and runs
 * it when the process is gone, before `exited` resolves, whatever ended
 * the process.
 */
export class QemuVm implements VmHandle {
  readonly id: string;
  readonly exited: Promise<VmExit>;
  #spec: VmSpec;
  #child: ChildProcess;
  #cleanup: CleanupStack;
  #log: Logger;
  #stderr = new OutputTail(10);
  #mmds: Pick<MmdsServer, 'patchData'>;
  #qmp: QmpClient | undefined;
  #running = false;
  #ended = false;
  #requested: 'stopped' | 'deadline' | undefined;
  #shutdownReason: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: {
    spec: VmSpec;
    child: ChildProcess;
    cleanup: CleanupStack;
    log: Logger;
    mmds: Pick<MmdsServer, 'patchData'>;
  }) {
    this.id = opts.spec.id;
    this.#mmds = opts.mmds;
    this.#spec = opts.spec;
    this.#child = opts.child;
    this.#cleanup = opts.cleanup;
    this.#log = opts.log;
    opts.child.stderr?.on('data', (chunk: Buffer) => this.#stderr.push(chunk));
    opts.child.stdout?.resume();
    this.exited = new Promise((resolve) => {
      opts.child.once('exit', (code, signal) => {
        void this.#finish(code, signal).then(resolve);
      });
      opts.child.once('error', () => {
        if (opts.child.pid === undefined) {
          void this.#finish(-1, null).then(resolve);
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Resolves once QMP reports the guest running; rejects with the last
   * stderr and console lines if QEMU exits first or `timeoutMs` passes.
   */
  async waitRunning(timeoutMs: number, qmpPath: string): Promise<void> {
    const giveUpAt = Date.now() + timeoutMs;
    while (!this.#ended && Date.now() < giveUpAt) {
      if (await this.#queryRunning(qmpPath)) {
        this.#running = true;
        this.#armDeadline();
        return;
      }
      await sleep(50);
    }
    const why = this.#ended
      ? 'QEMU exited'
      : `not running after ${timeoutMs} ms`;
    throw new Error(`${why}\n${await this.#tails()}`);
  }

  async patchMetadata(patch: Record<string, unknown>): Promise<void> {
    this.#mmds.patchData(patch);
  }

  stop(reason: 'stopped' | 'deadline', graceMs = DEFAULT_GRACE_MS) {
    if (!this.#ended) {
      this.#requested ??= reason;
      void this.#shutdown(graceMs);
    }
    return this.exited;
  }

  /** Ends the process at once (failed boots, deadlines). */
  kill(): void {
    if (!this.#ended) this.#child.kill('SIGKILL');
  }

  async #queryRunning(qmpPath: string): Promise<boolean> {
    try {
      this.#qmp ??= await this.#connectQmp(qmpPath);
      const status = (await this.#qmp.execute('query-status')) as {
        status?: string;
      };
      return status.status === 'running';
    } catch {
      return false;
    }
  }

  async #connectQmp(path: string): Promise<QmpClient> {
    await access(path);
    return QmpClient.connect(path, (event) => this.#onEvent(event));
  }

  #onEvent(event: QmpEvent): void {
    if (event.event === 'SHUTDOWN') {
      this.#shutdownReason = String(event.data?.reason ?? 'unknown');
    }
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
    this.#timer = setTimeout(
      () => this.#armDeadline(),
      Math.min(left, MAX_TIMER_MS),
    );
  }

  async #shutdown(graceMs: number): Promise<void> {
    const ended = this.exited.then(() => true);
    const within = (ms: number) => Promise.race([ended, sleep(ms, false)]);

    // microvm has an ACPI power button; guests that listen power off.
    await this.#qmp?.execute('system_powerdown').catch(() => undefined);
    if (await within(graceMs)) return;
    await this.#qmp?.execute('quit').catch(() => undefined);
    if (await within(1_000)) return;
    this.kill();
  }

  async #finish(code: number | null, signal: string | null): Promise<VmExit> {
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#qmp?.close();
    const consoleTail = await fileTail(this.#spec.consolePath, 40);
    const { kind, detail } = classifyExit({
      reachedRunning: this.#running,
      requested: this.#requested,
      code,
      signal,
      shutdownReason: this.#shutdownReason,
      guestPanicked: consoleTail.includes('Kernel panic'),
    });

    await this.#cleanup.run(this.#log);
    const exit = { kind, code, detail, endedAt: Date.now() };
    this.#log.info({ kind, code, detail }, 'VM ended');
    return exit;
  }

  async #tails(): Promise<string> {
    const stderr = this.#stderr.text();
    const console = await fileTail(this.#spec.consolePath, 5);
    return [stderr && `stderr: ${stderr}`, console && `console: ${console}`]
      .filter(Boolean)
      .join('\n');
  }
}

function sleep<T = void>(ms: number, value?: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value as T), ms));
}
