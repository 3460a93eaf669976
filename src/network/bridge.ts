import { chmod, unlink } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import type { Logger } from '../lib/logger.js';

export interface Bridge {
  readonly path: string;
  /** Stops listening, cuts open connections, removes the socket. */
  close(): Promise<void>;
}

/**
 * Listens on the unix socket `path` (mode 0600) in the agent's own
 * namespace and pipes each connection to `host:port`. This is how a VM
 * with no route out still reaches GitLab: its relay connects here, and
 * only this process talks to the outside. A failure on either side
 * closes both.
 */
export async function startTcpBridge(opts: {
  path: string;
  host: string;
  port: number;
  log: Logger;
}): Promise<Bridge> {
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect({ host: opts.host, port: opts.port });
    track(open, inbound, outbound);
    inbound.pipe(outbound).pipe(inbound);
    const fail = (error: Error) => {
      opts.log.debug({ err: error.message }, 'bridge connection failed');
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', fail);
    outbound.on('error', fail);
  });

  await listen(server, opts.path);
  await chmod(opts.path, 0o600);
  let closing: Promise<void> | undefined;
  return {
    path: opts.path,
    close: () => (closing ??= closeBridge(server, open, opts.path)),
  };
}

function track(open: Set<Socket>, ...sockets: Socket[]): void {
  for (const socket of sockets) {
    open.add(socket);
    socket.on('close', () => open.delete(socket));
  }
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

async function closeBridge(
  server: Server,
  open: Set<Socket>,
  path: string,
): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const socket of open) socket.destroy();
  await closed;
  await unlink(path).catch(() => undefined);
}
