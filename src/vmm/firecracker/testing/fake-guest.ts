import { respond, TOKEN_PATH } from '../../mmds/respond.js';
import type { Json } from '../../mmds/store.js';
import { createTokenIssuer } from '../../mmds/token.js';
import type { FakeBehaviour } from './fake-behaviour.js';
import type { FakeState } from './fake-state.js';

/** How the simulated guest reaches the outside world. */
export interface GuestIo {
  console(line: string): void;
  /** The process ends with this code (a guest reboot exits 0). */
  exit(code: number): void;
}

/**
 * A pretend guest started by InstanceStart. It prints its console lines,
 * reads one metadata key the way the real guest init does (MMDS V2: PUT
 * for a session token, then GET with it, IMDS text format), and reboots
 * after `guestRunMs`. It can only reach MMDS if `/mmds/config` named an
 * interface, as in Firecracker. Returns a Ctrl+Alt+Del handler.
 */
export function startGuest(
  state: FakeState,
  behaviour: FakeBehaviour,
  io: GuestIo,
): { ctrlAltDel(): void; stop(): void } {
  const timers: NodeJS.Timeout[] = [];
  const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
  const reboot = (line: string) => {
    io.console(line);
    timers.forEach(clearTimeout);
    later(20, () => io.exit(0));
  };

  later(10, () => {
    behaviour.consoleLines.forEach((line) => io.console(line));
    if (behaviour.readMetadataKey) {
      io.console(readMetadata(state, behaviour.readMetadataKey));
    }
  });
  if (behaviour.mode === 'normal') {
    later(behaviour.guestRunMs, () =>
      behaviour.panic
        ? reboot('Kernel panic - not syncing: Attempted to kill init!')
        : reboot('reboot: Restarting system'),
    );
  }
  return {
    stop: () => timers.forEach(clearTimeout),
    ctrlAltDel: () => {
      if (behaviour.ctrlAltDel === 'ignore' || behaviour.mode === 'hang') {
        return;
      }
      reboot('reboot: Restarting system (Ctrl+Alt+Del)');
    },
  };
}

function readMetadata(state: FakeState, pointer: string): string {
  if (!state.mmdsConfig || state.mmdsConfig.version !== 'V2') {
    return 'firelab-guest: error: no MMDS V2 on this interface';
  }
  const tokens = createTokenIssuer();
  const doc = state.mmds as Json;
  const tokenAnswer = respond(
    {
      method: 'PUT',
      url: TOKEN_PATH,
      headers: { 'x-metadata-token-ttl-seconds': '60' },
    },
    doc,
    tokens,
  );
  const answer = respond(
    {
      method: 'GET',
      url: pointer,
      headers: { 'x-metadata-token': tokenAnswer.body },
    },
    doc,
    tokens,
  );
  if (answer.status !== 200) {
    return `firelab-guest: error: metadata answered ${answer.status}`;
  }
  return `firelab-guest: vm ${answer.body} metadata ok`;
}
