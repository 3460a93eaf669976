import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, test } from 'node:test';
import { silentLogger } from '../lib/logger.js';
import { GitlabApiError, GitlabClient } from './client.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const handlers: Handler[] = [];
const seen: { method: string; url: string; token: string }[] = [];

const server = createServer((req, res) => {
  seen.push({
    method: req.method!,
    url: req.url!,
    token: String(req.headers['private-token']),
  });
  const next = handlers.shift();
  if (next) next(req, res);
  else res.writeHead(500).end('no handler');
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());

const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const client = new GitlabClient({
  url,
  token: 'glpat-secret',
  log: silentLogger(),
  retry: { attempts: 3, baseMs: 1, maxMs: 5 },
});

function json(status: number, body: unknown, headers = {}): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
}

function reset(): Handler {
  return (req) => req.socket.destroy();
}

test('reads retry 5xx and resets, then succeed', async () => {
  seen.length = 0;
  handlers.push(json(502, { message: 'bad gateway' }), reset());
  handlers.push(json(200, { id: 7, status: 'pending', tag_list: ['firelab'] }));
  const job = await client.getJob(3, 7);
  assert.equal(job.id, 7);
  assert.equal(seen.length, 3);
  assert.ok(seen.every((r) => r.token === 'glpat-secret'));
  assert.equal(seen[0]!.url, '/api/v4/projects/3/jobs/7');
});

test('runner creation retries a 429 but not a 500 or a reset', async () => {
  seen.length = 0;
  handlers.push(json(429, { message: 'slow down' }, { 'retry-after': '0' }));
  handlers.push(json(201, { id: 9, token: 'glrt-x', token_expires_at: null }));
  const runner = await client.createRunner({
    projectId: 3,
    description: 'firelab vm a',
    tags: ['firelab'],
  });
  assert.equal(runner.id, 9);
  assert.equal(seen.length, 2);

  handlers.push(json(500, { message: 'boom' }));
  await assert.rejects(
    client.createRunner({ projectId: 3, description: 'd', tags: ['firelab'] }),
    (error: unknown) =>
      error instanceof GitlabApiError &&
      error.status === 500 &&
      /POST \/user\/runners/.test(error.message),
  );
  handlers.push(reset());
  await assert.rejects(
    client.createRunner({ projectId: 3, description: 'd', tags: ['firelab'] }),
    /POST \/user\/runners/,
  );
  assert.equal(seen.length, 4);
});

test('errors name the route and never the token', async () => {
  handlers.push(json(401, { message: '401 Unauthorized' }));
  await assert.rejects(client.getJob(1, 2), (error: Error) => {
    assert.match(error.message, /GET \/projects\/1\/jobs\/2: HTTP 401/);
    assert.doesNotMatch(error.message, /glpat-secret/);
    return true;
  });
});

test('a runner already deleted counts as deleted', async () => {
  handlers.push(json(404, { message: '404 Runner Not Found' }));
  await client.deleteRunner(5);
  handlers.push(json(403, { message: 'forbidden' }));
  await assert.rejects(client.deleteRunner(5), /HTTP 403/);
});

test('follows X-Next-Page when listing pending jobs', async () => {
  seen.length = 0;
  handlers.push(json(200, [{ id: 3 }], { 'x-next-page': '2' }));
  handlers.push(json(200, [{ id: 1 }], { 'x-next-page': '' }));
  const jobs = await client.listPendingJobs(4);
  assert.deepEqual(
    jobs.map((j) => j.id),
    [3, 1],
  );
  assert.match(seen[1]!.url, /scope\[\]=pending.*page=2/);
});

test('an HTML page where JSON belongs is a clear error', async () => {
  handlers.push((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>sign in</html>');
  });
  await assert.rejects(
    client.listPendingJobs(1),
    /expected JSON, got text\/html/,
  );
});
