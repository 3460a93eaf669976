import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';

export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

/**
 * A minimal QEMU Machine Protocol client over a unix socket: one JSON
 * message per line, commands matched to answers by `id`, events passed
 * to `onEvent`. `connectQmp` resolves after capabilities negotiation.
 * Commands still waiting when the socket closes reject.
 */
export class QmpClient {
  #socket: Socket;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  private constructor(socket: Socket, onEvent: (e: QmpEvent) => void) {
    this.#socket = socket;
    const lines = createInterface({ input: socket });
    // readline re-emits its input's errors (a reset when QEMU quits or a
    // child dies); the stream's own end is what callers act on.
    lines.on('error', () => undefined);
    lines.on('line', (line) => this.#receive(line, onEvent));
    socket.on('close', () => this.#fail(new Error('QMP connection closed')));
    socket.on('error', () => undefined);
  }

  static async connect(
    path: string,
    onEvent: (e: QmpEvent) => void = () => undefined,
  ): Promise<QmpClient> {
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect(path, () => resolve(s));
      s.once('error', reject);
    });
    const client = new QmpClient(socket, onEvent);
    await client.execute('qmp_capabilities');
    return client;
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.#closed) return Promise.reject(new Error('QMP connection closed'));
    const id = this.#nextId++;
    const message = { execute: command, id, ...(args && { arguments: args }) };
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.write(`${JSON.stringify(message)}\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #receive(line: string, onEvent: (e: QmpEvent) => void): void {
    let message: Record<string, unknown>;
    try {
      message = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if (typeof message.event === 'string') {
      onEvent(message as unknown as QmpEvent);
      return;
    }
    const pending = this.#pending.get(message.id as number);
    if (!pending) return; // the greeting, or an answer nobody waits for
    this.#pending.delete(message.id as number);
    if ('error' in message) {
      const error = message.error as { desc?: string };
      pending.reject(new Error(`QMP: ${error.desc ?? 'error'}`));
    } else {
      pending.resolve(message.return);
    }
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
  }
}
