import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { VmDriver, VmExit, VmSpec } from '../driver.js';

/** What a VM of the contract is for; `makeSpec` shapes the guest so. */
export type ContractPurpose =
  /** Boots, prints, reads its metadata, then ends by itself soon. */
  | 'runs'
  /** Boots and stays up until stopped (for stop and deadline tests). */
  | 'stays-up'
  /** Cannot boot (e.g. a missing kernel or a hypervisor that dies). */
  | 'cannot-boot';

/** A spec plus whatever the test made for it (network, files). */
export interface ContractVm {
  spec: VmSpec;
  /** Frees what `makeSpec` made; called after the VM ended. */
  release(): Promise<void>;
}

export interface ContractOptions {
  /** Why the suite cannot run here, or undefined; asked once, first. */
  skipReason?(): Promise<string | undefined>;
  /** A console line that proves the guest kernel booted. */
  bootLine: RegExp;
  /** The line the guest prints once it has read its metadata. */
  metadataLine(spec: VmSpec): string;
  /** A secret `makeSpec` puts in the metadata; it must never leak. */
  secret: string;
  /** Files besides the console a driver may keep in workDir. */
  keptFiles: string[];
  /** Upper bound for boot-to-line waits (TCG is slow). */
  consoleTimeoutMs: number;
  /** The deadline the deadline test gives its VM. */
  deadlineMs: number;
  /**
   * What the driver made outside `workDir` for this VM that still exists
   * (e.g. a jail folder or cgroup); asked after every end, must be empty.
   */
  leftovers?(spec: VmSpec): Promise<string[]>;
}

/**
 * Registers, with node:test, the behaviour every `VmDriver` must show, so
 * the agent cannot tell drivers apart: boot with console output; the
 * guest reads its metadata; `stop()` ends a VM as `stopped` (idempotent);
 * a deadline ends it as `deadline`; a VM that cannot boot makes `boot()`
 * reject leaving only allowed files; after any end, `workDir` holds only
 * the console and `keptFiles`, no file there holds the secret, and
 * `leftovers` finds nothing of the VM elsewhere.
 */
export function driverContract(
  name: string,
  makeDriver: () => Promise<VmDriver>,
  makeSpec: (purpose: ContractPurpose) => Promise<ContractVm>,
  options: ContractOptions,
): void {
  describe(`VmDriver contract: ${name}`, () => {
    let skip: string | undefined;
    let driver: VmDriver;
    const pending: ContractVm[] = [];
    before(async () => {
      skip = await options.skipReason?.();
      if (!skip) driver = await makeDriver();
    });
    after(async () => {
      for (const vm of pending) await vm.release().catch(() => undefined);
    });

    const boot = async (purpose: ContractPurpose, deadlineMs?: number) => {
      const vm = await makeSpec(purpose);
      pending.push(vm);
      if (deadlineMs) vm.spec.deadlineAt = Date.now() + deadlineMs;
      return { vm, handle: await driver.boot(vm.spec) };
    };
    const waitFor = (spec: VmSpec, line: RegExp | string) =>
      consoleShows(spec.consolePath, line, options.consoleTimeoutMs);
    // The driver's files are judged after the test's own are released.
    const checkWorkDir = async (vm: ContractVm) => {
      await vm.release();
      await workDirClean(vm.spec, options);
      const left = (await options.leftovers?.(vm.spec)) ?? [];
      assert.deepEqual(left, [], 'nothing left outside workDir');
    };

    test('boots and the console shows output', async (t) => {
      if (skip) return t.skip(skip);
      const { vm, handle } = await boot('runs');
      await waitFor(vm.spec, options.bootLine);
      assert.ok(handle.pid === undefined || handle.pid > 0);
      await handle.stop('stopped', 0);
    });

    test('the guest reads its metadata', async (t) => {
      if (skip) return t.skip(skip);
      const { vm, handle } = await boot('runs');
      await waitFor(vm.spec, options.metadataLine(vm.spec));
      await handle.stop('stopped', 0);
    });

    test('a guest that ends by itself leaves workDir clean', async (t) => {
      if (skip) return t.skip(skip);
      const { vm, handle } = await boot('runs');
      const exit = await within(handle.exited, options.consoleTimeoutMs);
      assert.equal(exit.kind, 'guest-exit', exit.detail);
      await checkWorkDir(vm);
    });

    test('stop() ends it with kind stopped', async (t) => {
      if (skip) return t.skip(skip);
      const { vm, handle } = await boot('stays-up');
      await waitFor(vm.spec, options.bootLine);
      const exit = await handle.stop('stopped', 1_000);
      assert.equal(exit.kind, 'stopped', exit.detail);
      assert.equal(await handle.stop('stopped'), exit, 'stop is idempotent');
      assert.equal(await handle.exited, exit);
      await checkWorkDir(vm);
    });

    test('a deadline ends it with kind deadline', async (t) => {
      if (skip) return t.skip(skip);
      const started = Date.now();
      const { vm, handle } = await boot('stays-up', options.deadlineMs);
      const limit = options.deadlineMs + options.consoleTimeoutMs;
      const exit = await within(handle.exited, limit);
      assert.equal(exit.kind, 'deadline', exit.detail);
      assert.ok(Date.now() - started >= options.deadlineMs - 50);
      await checkWorkDir(vm);
    });

    test('a VM that cannot boot rejects and leaves nothing behind', async (t) => {
      if (skip) return t.skip(skip);
      const vm = await makeSpec('cannot-boot');
      pending.push(vm);
      await assert.rejects(driver.boot(vm.spec), (error: Error) => {
        assert.match(error.message, new RegExp(`VM ${vm.spec.id}`));
        assert.ok(!error.message.includes(options.secret));
        return true;
      });
      await checkWorkDir(vm);
      assert.deepEqual(await pidsMentioning(vm.spec.workDir), []);
    });
  });
}

/** Resolves when the console file shows `line`, else rejects in time. */
export async function consoleShows(
  path: string,
  line: RegExp | string,
  timeoutMs: number,
): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (Date.now() < giveUp) {
    const text = await readFile(path, 'utf8').catch(() => '');
    if (typeof line === 'string' ? text.includes(line) : line.test(text)) {
      return;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`console never showed ${String(line)} in ${timeoutMs} ms`);
}

async function workDirClean(
  spec: VmSpec,
  options: ContractOptions,
): Promise<void> {
  const allowed = [basename(spec.consolePath), ...options.keptFiles];
  const entries = await readdir(spec.workDir).catch(() => []);
  const extra = entries.filter((entry) => !allowed.includes(entry));
  assert.deepEqual(extra, [], 'workDir holds only console and logs');
  for (const entry of entries) {
    const text = await readFile(`${spec.workDir}/${entry}`, 'utf8');
    assert.ok(!text.includes(options.secret), `${entry} leaks the secret`);
  }
}

async function pidsMentioning(text: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(
      () => '',
    );
    if (cmdline.split('\0').join(' ').includes(text)) pids.push(Number(entry));
  }
  return pids;
}

function within(exited: Promise<VmExit>, ms: number): Promise<VmExit> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no end in ${ms} ms`)), ms);
  });
  return Promise.race([exited, timeout]).finally(() => clearTimeout(timer));
}
