import type { VmExitKind } from '../driver.js';
import { commonExit } from '../exit-precedence.js';

/** What is known when a QEMU process has ended. */
export interface ExitFacts {
  /** QMP said the guest was running at least once. */
  reachedRunning: boolean;
  /** Why firelab ended it, if it did. */
  requested: 'stopped' | 'deadline' | undefined;
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: string | null;
  /** `reason` of the last QMP SHUTDOWN event, e.g. "guest-shutdown". */
  shutdownReason: string | undefined;
  /** The console shows a guest kernel panic. */
  guestPanicked: boolean;
}

/** Shutdown reasons that mean the guest itself chose to end. */
const GUEST_REASONS = ['guest-shutdown', 'guest-reset'];

/**
 * How a VM ended, from the facts about its QEMU process. Pure. A stop
 * firelab asked for wins over what the process did meanwhile; a VM that
 * never ran failed to boot; under `-no-reboot` a guest that powers off or
 * reboots makes QEMU exit 0, except that `panic=-1` also reboots, so a
 * panic on the console counts as a crash; any other end is a crash.
 */
export function classifyExit(facts: ExitFacts): {
  kind: VmExitKind;
  detail: string;
} {
  const how = describe(facts);
  const common = commonExit({ ...facts, started: facts.reachedRunning }, how);
  if (common) return common;

  const byGuest =
    facts.shutdownReason === undefined ||
    GUEST_REASONS.includes(facts.shutdownReason);
  if (facts.code === 0 && byGuest) {
    return { kind: 'guest-exit', detail: `guest powered off (${how})` };
  }
  return { kind: 'crashed', detail: `hypervisor ended (${how})` };
}

function describe(facts: ExitFacts): string {
  const end =
    facts.signal !== null ? `signal ${facts.signal}` : `exit ${facts.code}`;
  return facts.shutdownReason ? `${end}, ${facts.shutdownReason}` : end;
}
