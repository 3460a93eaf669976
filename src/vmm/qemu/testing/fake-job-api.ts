import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the fake saw, for the test's assertions. */
export interface FakeJobApi {
  port: number;
  /** Runner tokens of POST /jobs/request, in order. */
  requestTokens: string[];
  /** Job states PUT by the runner, in order. */
  states: string[];
  trace(): string;
  /** The final PUT (success or failed) of the job. */
  finished: Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * A tiny GitLab runner job API on 127.0.0.1 for the QEMU end-to-end test:
 * to `runnerToken` it answers 204 once (no job yet), then hands out one
 * job (`script`, GIT_STRATEGY=none), then 204 again; any other token only
 * ever gets 204. It stores the trace by Content-Range like GitLab does.
 */
export async function startFakeJobApi(opts: {
  runnerToken: string;
  jobId: number;
  jobToken: string;
  script: string[];
}): Promise<FakeJobApi> {
  const state = { asked: 0, trace: Buffer.alloc(0) };
  const requestTokens: string[] = [];
  const states: string[] = [];
  let finish: (body: Record<string, unknown>) => void = () => undefined;
  const finished = new Promise<Record<string, unknown>>((r) => (finish = r));

  const server = createServer((req, res) => {
    void body(req).then((raw) => {
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'POST' && path === '/api/v4/jobs/request') {
        const token = String(JSON.parse(raw.toString()).token);
        requestTokens.push(token);
        if (token !== opts.runnerToken || state.asked++ !== 1) {
          return reply(res, 204, '', { 'X-GitLab-Last-Update': 'u1' });
        }
        return json(res, 201, jobPayload(opts));
      }
      if (req.headers['job-token'] !== opts.jobToken) return reply(res, 403);
      if (req.method === 'PUT' && path === `/api/v4/jobs/${opts.jobId}`) {
        const update = JSON.parse(raw.toString()) as Record<string, unknown>;
        states.push(String(update.state));
        if (update.state !== 'running') finish(update);
        return reply(res, 200, '200', { 'Job-Status': 'running' });
      }
      if (
        req.method === 'PATCH' &&
        path === `/api/v4/jobs/${opts.jobId}/trace`
      ) {
        return appendTrace(req, res, raw, state);
      }
      reply(res, 404);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    requestTokens,
    states,
    trace: () => state.trace.toString(),
    finished,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function appendTrace(
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
  state: { trace: Buffer },
): void {
  const start = Number(String(req.headers['content-range']).split('-')[0]);
  if (!(start <= state.trace.length)) {
    return reply(res, 416, '', { Range: `0-${state.trace.length}` });
  }
  state.trace = Buffer.concat([state.trace.subarray(0, start), raw]);
  reply(res, 202, '', {
    Range: `0-${state.trace.length}`,
    'Job-Status': 'running',
    'X-GitLab-Trace-Update-Interval': '1',
  });
}

function jobPayload(opts: {
  jobId: number;
  jobToken: string;
  script: string[];
}) {
  const id = opts.jobId;
  return {
    id,
    token: opts.jobToken,
    allow_git_fetch: false,
    job_info: { id, name: 'e2e', stage: 'test', project_full_path: 'e2e/vm' },
    git_info: { repo_url: 'http://unused/e2e/vm.git', ref: 'main', sha: '0' },
    runner_info: { timeout: 600 },
    variables: [
      {
        key: 'CI_JOB_TOKEN',
        value: opts.jobToken,
        public: false,
        masked: true,
      },
      { key: 'GIT_STRATEGY', value: 'none', public: true },
    ],
    steps: [
      {
        name: 'script',
        script: opts.script,
        timeout: 600,
        when: 'on_success',
        allow_failure: false,
      },
    ],
    features: { trace_sections: true },
  };
}

function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((r) => req.on('end', () => r(Buffer.concat(chunks))));
}

function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
}

function reply(
  res: ServerResponse,
  status: number,
  text = '',
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers });
  res.end(text);
}
