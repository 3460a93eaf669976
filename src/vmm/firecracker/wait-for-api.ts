import { access } from 'node:fs/promises';
import type { FirecrackerClient } from './api-client.js';

const POLL_MS = 10;

/**
 * Resolves once Firecracker's API answers `GET /` on its socket (the Go
 * SDK's readiness check, reference §9). Polls every 10 ms; rejects as
 * soon as `hasExited()` says the process is gone, or when `timeoutMs`
 * passes, saying which.
 */
export async function waitForApi(opts: {
  socketPath: string;
  client: FirecrackerClient;
  timeoutMs: number;
  hasExited(): boolean;
}): Promise<void> {
  const giveUpAt = Date.now() + opts.timeoutMs;
  while (Date.now() < giveUpAt) {
    if (opts.hasExited()) {
      throw new Error('Firecracker exited before its API socket answered');
    }
    if (await answers(opts)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`API socket did not answer within ${opts.timeoutMs} ms`);
}

async function answers(opts: {
  socketPath: string;
  client: FirecrackerClient;
}): Promise<boolean> {
  try {
    await access(opts.socketPath);
    await opts.client.describeInstance();
    return true;
  } catch {
    return false;
  }
}
