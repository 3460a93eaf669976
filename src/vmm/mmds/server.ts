import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { chmod, lstat, unlink } from 'node:fs/promises';
import type { Logger } from '../../lib/logger.js';
import { respond } from './respond.js';
import type { MmdsResponse } from './respond.js';
import { checkedDocument, DEFAULT_SIZE_LIMIT, mergePatch } from './store.js';
import type { Json } from './store.js';
import { createTokenIssuer } from './token.js';
import type { TokenIssuer } from './token.js';

export interface MmdsServerOptions {
  /** Where to listen; a stale socket left there is replaced. */
  socketPath: string;
  data: Record<string, unknown>;
  log: Logger;
  /** Largest document, in bytes of JSON (default 51200, as Firecracker). */
  sizeLimit?: number;
  /** Clock for token expiry; tests move it. */
  now?: () => number;
}

export interface MmdsServer {
  close(): Promise<void>;
  /** Replaces the document (Firecracker's PUT /mmds). */
  setData(data: Record<string, unknown>): void;
  /** Merges into the document per RFC 7396 (Firecracker's PATCH /mmds). */
  patchData(patch: Record<string, unknown>): void;
}

/** Guests have no reason to send a body; anything bigger is refused. */
const MAX_BODY_BYTES = 4096;

/**
 * Serves a VM's metadata with Firecracker's MMDS V2 protocol over HTTP on
 * a unix socket (mode 0600), for hypervisors without a built-in metadata
 * service; the network module relays 169.254.169.254:80 in the VM's
 * namespace to this socket. Resolves once listening. `setData` and
 * `patchData` throw if the result is not a JSON object within the size
 * limit, leaving the served document unchanged. Neither the document nor
 * tokens are ever logged. `close` stops accepting, drops open connections
 * and removes the socket file; it is idempotent.
 */
export async function startMmdsServer(
  opts: MmdsServerOptions,
): Promise<MmdsServer> {
  const limit = opts.sizeLimit ?? DEFAULT_SIZE_LIMIT;
  let doc: Json = checkedDocument(opts.data, limit);
  const tokens = createTokenIssuer(opts.now);
  const log = opts.log.child({ component: 'mmds' });

  const server = createServer({ maxHeaderSize: 8192 }, (req, res) => {
    handle(req, res, () => doc, tokens, log);
  });
  await removeStaleSocket(opts.socketPath);
  await listen(server, opts.socketPath);
  await chmod(opts.socketPath, 0o600);
  log.debug({ socketPath: opts.socketPath }, 'metadata server listening');

  let closing: Promise<void> | undefined;
  return {
    close: () => (closing ??= closeServer(server, opts.socketPath)),
    setData(data) {
      doc = checkedDocument(data, limit);
    },
    patchData(patch) {
      doc = checkedDocument(mergePatch(doc, patch as Json), limit);
    },
  };
}

function handle(
  req: IncomingMessage,
  res: ServerResponse,
  doc: () => Json,
  tokens: TokenIssuer,
  log: Logger,
): void {
  let size = 0;
  let refused = Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES;

  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    refused ||= size > MAX_BODY_BYTES;
  });
  req.on('end', () => {
    const request = {
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
    };
    const answer: MmdsResponse = refused
      ? { status: 413, body: 'Payload too large.', contentType: 'text/plain' }
      : respond(request, doc(), tokens);
    res.statusCode = answer.status;
    res.setHeader('content-type', answer.contentType);
    if (answer.allow) res.setHeader('allow', answer.allow);
    res.end(answer.body);
    log.debug({ method: req.method, status: answer.status }, 'mmds request');
  });
}

async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined) return;
  if (!stat.isSocket()) {
    throw new Error(`refusing to replace ${path}: it is not a socket`);
  }
  await unlink(path);
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

async function closeServer(server: Server, path: string): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
  await unlink(path).catch(() => undefined);
}
