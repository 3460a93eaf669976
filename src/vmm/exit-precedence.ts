import type { VmExitKind } from './driver.js';

/** What every driver knows about how its VM process ended. */
export interface CommonExitFacts {
  /** The stop firelab asked for, if any. */
  requested: 'stopped' | 'deadline' | undefined;
  /** Whether the guest ever ran. */
  started: boolean;
  /** A kernel panic was seen on the console. */
  guestPanicked: boolean;
}

/**
 * The part of exit classification every driver shares, in precedence
 * order: a stop firelab asked for wins over whatever the process did
 * meanwhile; a VM that never ran failed to boot; a guest panic is a crash
 * even where the hypervisor exits 0 for it. Returns undefined when the
 * driver's own facts (exit code, signal, shutdown reason) must decide;
 * `how` is the driver's description of the process's end.
 */
export function commonExit(
  facts: CommonExitFacts,
  how: string,
): { kind: VmExitKind; detail: string } | undefined {
  if (facts.requested === 'stopped') {
    return { kind: 'stopped', detail: `stopped on request (${how})` };
  }
  if (facts.requested === 'deadline') {
    return { kind: 'deadline', detail: `deadline passed (${how})` };
  }
  if (!facts.started) {
    return { kind: 'boot-failed', detail: `never started (${how})` };
  }
  if (facts.guestPanicked) {
    return { kind: 'crashed', detail: `guest kernel panic (${how})` };
  }
  return undefined;
}
