import type { VmExitKind } from '../driver.js';
import { commonExit } from '../exit-precedence.js';

/** What is known when a Firecracker process has ended. */
export interface FirecrackerExitFacts {
  /** InstanceStart was answered 204: the vCPUs ran. */
  started: boolean;
  /** Why firelab ended it, if it did. */
  requested: 'stopped' | 'deadline' | undefined;
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: string | null;
  /** The console shows a guest kernel panic. */
  guestPanicked: boolean;
}

/**
 * Firecracker's exit codes (reference/firecracker.md §9, `FcExitCode`).
 * 0 is deliberately absent: it is not a success of anything.
 */
const EXIT_CODES: Record<number, string> = {
  1: 'generic error (boot failure, or a guest triple fault since 1.15)',
  2: 'unexpected error',
  148: 'blocked syscall (seccomp)',
  149: 'SIGBUS (e.g. huge page pool exhausted)',
  150: 'SIGSEGV',
  151: 'SIGXFSZ (a file size limit was exceeded)',
  152: 'bad configuration',
  153: 'command-line parse error',
  154: 'SIGXCPU (CPU time limit exceeded)',
  156: 'SIGHUP (controlling terminal closed)',
  157: 'SIGILL',
};

const SIGNALS: Record<string, string> = {
  SIGABRT: 'Firecracker panicked (SIGABRT)',
  SIGKILL: 'killed by SIGKILL from outside firelab (OOM killer?)',
  SIGTERM: 'killed by SIGTERM from outside firelab',
  SIGINT: 'killed by SIGINT from outside firelab',
};

/**
 * How a VM ended. Pure. A stop firelab asked for wins over whatever the
 * process did meanwhile; a VM whose InstanceStart never succeeded failed
 * to boot. After that, exit code 0 only says the guest rebooted (a reboot
 * or power-off with `reboot=k` on x86, PSCI on arm64): a guest kernel
 * panic with `panic=1` exits 0 too, so a panic on the console makes it a
 * crash, and even `guest-exit` claims nothing about the job's success.
 * Any other code or signal is a crash named in `detail`.
 */
export function classifyExit(facts: FirecrackerExitFacts): {
  kind: VmExitKind;
  detail: string;
} {
  const how = describe(facts);
  const common = commonExit(facts, how);
  if (common) return common;
  if (facts.code === 0) {
    const detail = `guest rebooted or powered off (${how})`;
    return { kind: 'guest-exit', detail };
  }
  return { kind: 'crashed', detail: `Firecracker ended: ${how}` };
}

function describe(facts: FirecrackerExitFacts): string {
  if (facts.signal !== null) {
    return SIGNALS[facts.signal] ?? `killed by ${facts.signal}`;
  }
  if (facts.code === null) return 'no exit status';
  const meaning = EXIT_CODES[facts.code];
  if (facts.code === 0) return 'exit 0';
  return meaning ? `exit ${facts.code}, ${meaning}` : `exit ${facts.code}`;
}
