import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How a fake Firecracker process behaves, read from
 * `$FAKE_FIRECRACKER_DIR/<id>.json` (or `default.json` there):
 * - `normal`: the guest writes console lines, reads its metadata over
 *   MMDS V2 if asked, then reboots after `guestRunMs` (process exit 0);
 * - `die-early`: exits 1 before the API socket exists (boot failure);
 * - `fail-start`: InstanceStart is refused with 400 (e.g. a bad kernel);
 * - `hang`: the guest never ends and ignores Ctrl+Alt+Del (deadlines);
 * - `runner`: the guest reads `firelab/gitlab_url` and
 *   `firelab/runner_token` from MMDS as the real guest init does, runs one
 *   job with them over the runner job protocol, then reboots.
 */
export interface FakeBehaviour {
  mode: 'normal' | 'die-early' | 'fail-start' | 'hang' | 'runner';
  /** Lines the guest prints after boot. */
  consoleLines: string[];
  /**
   * A JSON pointer into the metadata the guest reads with MMDS V2, e.g.
   * `/firelab/vm_id`; prints `firelab-guest: vm <value> metadata ok`.
   */
  readMetadataKey?: string;
  /** Time from InstanceStart to the guest's reboot (normal mode). */
  guestRunMs: number;
  /** Ends the guest with a kernel panic (which also exits 0). */
  panic: boolean;
  /** What the guest does on Ctrl+Alt+Del. */
  ctrlAltDel: 'reboot' | 'ignore';
  arch: 'x86_64' | 'aarch64';
  /** Delay before the API socket appears. */
  socketDelayMs: number;
}

export const DEFAULT_BEHAVIOUR: FakeBehaviour = {
  mode: 'normal',
  consoleLines: ['Linux version 6.1.0-fake', 'firelab-guest: init started'],
  guestRunMs: 300,
  panic: false,
  ctrlAltDel: 'reboot',
  arch: 'x86_64',
  socketDelayMs: 20,
};

export const BEHAVIOUR_DIR_ENV = 'FAKE_FIRECRACKER_DIR';

/** Where the fake records the API calls of VM `id`, one JSON per line. */
export function callsFile(dir: string, id: string): string {
  return join(dir, `${id}.calls.jsonl`);
}

export function behaviourFile(dir: string, id: string): string {
  return join(dir, `${id}.json`);
}

/** The behaviour for VM `id`; defaults when no file says otherwise. */
export function loadBehaviour(
  dir: string | undefined,
  id: string,
): FakeBehaviour {
  if (!dir) return DEFAULT_BEHAVIOUR;
  for (const name of [`${id}.json`, 'default.json']) {
    const text = readOptional(join(dir, name));
    if (text !== undefined) {
      return { ...DEFAULT_BEHAVIOUR, ...(JSON.parse(text) as object) };
    }
  }
  return DEFAULT_BEHAVIOUR;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
