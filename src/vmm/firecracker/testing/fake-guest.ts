import { runOneJob } from '../../../gitlab-sim/runner-client.js';
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
  if (behaviour.mode === 'runner') {
    later(
      20,
      () =>
        void runJob(state, io).then(() => reboot('reboot: Restarting system')),
    );
  }
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

/**
 * What the real guest init does with its metadata, in miniature: this
 * fake runs in the VM's network namespace, so the GitLab URL it reads is
 * reachable exactly as it would be from a real guest.
 */
async function runJob(state: FakeState, io: GuestIo): Promise<void> {
  const url = metadataValue(state, '/firelab/gitlab_url');
  const token = metadataValue(state, '/firelab/runner_token');
  const wait = Number(metadataValue(state, '/firelab/wait_timeout') ?? 60);
  if (!url || !token) {
    io.console('firelab-guest: error: metadata has no runner settings');
    return;
  }
  io.console(readMetadata(state, '/firelab/vm_id'));
  try {
    const jobId = await runOneJob({
      gitlabUrl: url,
      runnerToken: token,
      waitMs: wait * 1000,
    });
    io.console(`firelab-guest: runner exited 0 (job ${jobId ?? 'none'})`);
  } catch (error) {
    io.console(`firelab-guest: runner failed: ${(error as Error).message}`);
  }
}

function metadataValue(state: FakeState, pointer: string): string | undefined {
  const line = readMetadata(state, pointer, (value) => value);
  return line.startsWith('firelab-guest: error') ? undefined : line;
}

function readMetadata(
  state: FakeState,
  pointer: string,
  format = (value: string) => `firelab-guest: vm ${value} metadata ok`,
): string {
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
  return format(answer.body);
}
