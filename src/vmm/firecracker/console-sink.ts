import { createWriteStream } from 'node:fs';
import type { WriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** A guest can print a lot; this much console per VM is plenty. */
export const DEFAULT_CONSOLE_CAP = 16 * 1024 * 1024;

/**
 * Copies Firecracker's stdout (the guest's serial console, reference §8)
 * into the console file, up to `capBytes`: a guest flooding its console
 * must not fill the host's disk. Past the cap it notes the truncation once
 * and drops the rest while still draining the pipe, so Firecracker never
 * blocks on it. `closed` resolves once everything is written.
 */
export class ConsoleSink {
  readonly closed: Promise<void>;
  #file: WriteStream;
  #left: number;

  constructor(source: Readable, path: string, capBytes = DEFAULT_CONSOLE_CAP) {
    this.#file = createWriteStream(path, { flags: 'a', mode: 0o640 });
    this.#left = capBytes;
    this.closed = new Promise((resolve) => {
      this.#file.once('close', () => resolve());
      this.#file.once('error', () => resolve());
    });
    source.on('data', (chunk: Buffer) => this.#write(chunk));
    source.once('end', () => this.#file.end());
  }

  #write(chunk: Buffer): void {
    if (this.#left <= 0) return;
    const part = chunk.subarray(0, this.#left);
    this.#left -= chunk.length;
    this.#file.write(part);
    if (this.#left <= 0) {
      this.#file.write('\n[firelab: console truncated at its size cap]\n');
    }
  }
}
