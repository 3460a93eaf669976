import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { dispatch } from './fake-dispatch.js';
import type { FakeBehaviour } from './fake-behaviour.js';
import { hostPath } from './fake-files.js';
import { startGuest } from './fake-guest.js';
import type { FakeEffects } from './fake-routes.js';
import { initialState } from './fake-state.js';
import type { FakeReply, FakeState } from './fake-state.js';

/** One request the fake saw, with the status it answered. */
export interface RecordedCall {
  method: string;
  path: string;
  body?: unknown;
  status: number;
}

export interface FakeFirecrackerOptions {
  socketPath: string;
  id: string;
  behaviour: FakeBehaviour;
  /** Paths in requests are rooted here (a jail), if set. */
  root?: string;
  /** `--http-api-max-payload-size` (default 51200). */
  payloadLimit?: number;
  /** Firecracker's stdout: the console and early logs go here. */
  stdout(line: string): void;
  /** Ends the process (the guest rebooted). */
  exit(code: number): void;
  onCall?(call: RecordedCall): void;
}

export interface FakeFirecracker {
  state: FakeState;
  calls: RecordedCall[];
  close(): Promise<void>;
}

/** micro-http serves at most this many connections (§1.3). */
const MAX_CONNECTIONS = 10;

/**
 * A strict stand-in for one Firecracker v1.16.1 process's API server on
 * a unix socket, for tests on machines without KVM. It enforces what
 * reference/firecracker.md §1.4 and §10 list: schemas without unknown
 * fields, the boot phases, path ids, the Content-Length rule, the payload
 * limit (`{"error": ...}`, not `fault_message`), the MMDS store limit
 * (413), `Deprecation: true`, at most 10 connections. It logs request
 * bodies like Firecracker does (all but `/mmds`), writes the guest's
 * console to `/serial`'s file or stdout, and on InstanceStart runs the
 * simulated guest of `fake-guest.ts`. Resolves once listening.
 */
export async function startFakeFirecracker(
  opts: FakeFirecrackerOptions,
): Promise<FakeFirecracker> {
  const arch = opts.behaviour.arch;
  const state = initialState({ id: opts.id, arch, root: opts.root });
  const calls: RecordedCall[] = [];
  const out = outputs(state, opts);
  let guest: ReturnType<typeof startGuest> | undefined;
  const fx: FakeEffects = {
    start: () => {
      if (opts.behaviour.mode === 'fail-start') return 'Cannot load kernel';
      out.metrics();
      guest = startGuest(state, opts.behaviour, {
        console: out.console,
        exit: opts.exit,
      });
      return undefined;
    },
    ctrlAltDel: () => guest?.ctrlAltDel(),
    flushMetrics: () => out.metrics(),
  };

  const server = createServer((req, res) => {
    void readRequest(req, opts.payloadLimit ?? 51_200).then((request) => {
      const reply =
        'status' in request
          ? request
          : dispatch(state, req.method ?? '', request.path, request.body, fx);
      const call = record(req, request, reply);
      calls.push(call);
      opts.onCall?.(call);
      out.log(describe(call));
      send(res, reply);
    });
  });
  server.maxConnections = MAX_CONNECTIONS;
  await listen(server, opts.socketPath);
  out.log(`Running Firecracker v1.16.1`);
  return {
    state,
    calls,
    close: () => {
      guest?.stop();
      return close(server);
    },
  };
}

type ParsedRequest = { path: string; body: string | undefined } | FakeReply;

/** Reads a body only by Content-Length, as micro-http does (§1.3). */
function readRequest(
  req: IncomingMessage,
  limit: number,
): Promise<ParsedRequest> {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const length = req.headers['content-length'];
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => {
    req.on('end', () => {
      if (length !== undefined && Number(length) > limit) {
        const error = `Request payload with size ${length} is larger than the limit of ${limit} allowed by server.`;
        return resolve({ status: 400, body: { error } });
      }
      const text = Buffer.concat(chunks).toString();
      const body = length === undefined || text === '' ? undefined : text;
      resolve({ path, body });
    });
  });
}

function record(
  req: IncomingMessage,
  request: ParsedRequest,
  reply: FakeReply,
): RecordedCall {
  const path = 'path' in request ? request.path : (req.url ?? '/');
  const raw = 'path' in request ? request.body : undefined;
  let body: unknown = raw;
  try {
    body = raw === undefined ? undefined : JSON.parse(raw);
  } catch {
    // Keep the raw text: the test may want to see what was refused.
  }
  return { method: req.method ?? '', path, body, status: reply.status };
}

/** Firecracker's Info line for a request; `/mmds` bodies are left out. */
function describe(call: RecordedCall): string {
  const method = call.method.charAt(0) + call.method.slice(1).toLowerCase();
  const head = `The API server received a ${method} request on "${call.path}"`;
  if (call.path === '/mmds' || call.body === undefined) return `${head}.`;
  return `${head} with body ${JSON.stringify(JSON.stringify(call.body))}.`;
}

function send(res: ServerResponse, reply: FakeReply): void {
  res.setHeader('Server', 'Firecracker API');
  if (reply.deprecated) res.setHeader('Deprecation', 'true');
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.setHeader('Content-Type', 'application/json');
  res.writeHead(reply.status).end(JSON.stringify(reply.body));
}

function outputs(state: FakeState, opts: FakeFirecrackerOptions) {
  const append = (path: string, line: string) =>
    appendFileSync(hostPath(state, path), `${line}\n`);
  return {
    log(message: string): void {
      const line = `${new Date().toISOString()} [${state.id}:fc_api:INFO] ${message}`;
      const path = state.logger?.log_path;
      if (path) append(path, line);
      else opts.stdout(line);
    },
    console(line: string): void {
      const path = state.serial?.serial_out_path;
      if (path) append(path, line);
      else opts.stdout(line);
    },
    metrics(): void {
      const path = state.metrics?.metrics_path;
      const line = { utc_timestamp_ms: Date.now(), vmm: { panic_count: 0 } };
      if (path) append(path, JSON.stringify(line));
    },
  };
}

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
