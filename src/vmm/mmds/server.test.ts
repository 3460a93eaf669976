import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, test } from 'node:test';
import { createLogger } from '../../lib/logger.js';
import { startMmdsServer } from './server.js';
import type { MmdsServer } from './server.js';

const SECRET = 'glrt-super-secret-runner-token';
const DATA = {
  latest: { 'meta-data': { 'instance-id': 'vm-7', runner: { token: SECRET } } },
  count: 3,
  flag: true,
  nothing: null,
  list: ['x', 'y'],
};

interface Reply {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

let dir: string;
let socketPath: string;
let server: MmdsServer;
let now = Date.now();
const logs = new PassThrough();
let logText = '';
logs.on('data', (chunk: Buffer) => (logText += chunk.toString()));

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mmds-test-'));
  socketPath = join(dir, 'mmds.sock');
  const log = createLogger({ level: 'debug', destination: logs });
  server = await startMmdsServer({
    socketPath,
    data: DATA,
    log,
    now: () => now,
  });
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

function call(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body: text,
          headers: res.headers,
        }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

function raw(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString()));
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
    socket.end(text);
  });
}

async function token(ttl = '60', name = 'X-metadata-token-ttl-seconds') {
  const reply = await call('PUT', '/latest/api/token', { [name]: ttl });
  assert.equal(reply.status, 200, reply.body);
  return reply.body;
}

test('the V2 flow: PUT a token, then GET with it', async () => {
  const reply = await call('PUT', '/latest/api/token', {
    'X-metadata-token-ttl-seconds': '21600',
  });
  assert.equal(reply.status, 200);
  assert.match(String(reply.headers['content-type']), /^text\/plain/);

  const got = await call('GET', '/latest/meta-data/runner/token', {
    'X-metadata-token': reply.body,
  });
  assert.equal(got.status, 200);
  assert.equal(got.body, SECRET);
});

test('the aws-named headers work as well', async () => {
  const value = await token('1', 'X-aws-ec2-metadata-token-ttl-seconds');
  const got = await call('GET', '/latest/meta-data/instance-id', {
    'X-aws-ec2-metadata-token': value,
  });
  assert.equal(got.body, 'vm-7');
});

test('a token request through a proxy is refused', async () => {
  const reply = await call('PUT', '/latest/api/token', {
    'X-metadata-token-ttl-seconds': '60',
    'X-Forwarded-For': '10.0.0.2',
  });
  assert.equal(reply.status, 400);
});

test('a TTL outside 1..21600 or missing is a 400', async () => {
  for (const ttl of ['0', '21601', '-1', 'abc', '1.5', '', '99999999999']) {
    const reply = await call('PUT', '/latest/api/token', {
      'X-metadata-token-ttl-seconds': ttl,
    });
    assert.equal(reply.status, 400, `ttl ${JSON.stringify(ttl)}`);
  }
  const missing = await call('PUT', '/latest/api/token');
  assert.equal(missing.status, 400);
  assert.match(missing.body, /time to live value not found/);
});

test('GET without a valid, unexpired token is a 401', async () => {
  const none = await call('GET', '/latest/meta-data/instance-id');
  const bogus = await call('GET', '/', { 'X-metadata-token': 'bogus' });
  assert.equal(none.status, 401);
  assert.equal(bogus.status, 401);

  const value = await token('2');
  now += 2_000;
  const expired = await call('GET', '/', { 'X-metadata-token': value });
  assert.equal(expired.status, 401);
  assert.equal(expired.body, 'MMDS token not valid.');
});

test('IMDS text: strings raw, objects as keys, other types 501', async () => {
  const headers = { 'X-metadata-token': await token() };
  const root = await call('GET', '/', headers);
  const dirSlash = await call('GET', '/latest//meta-data/', headers);

  assert.equal(root.body, 'count\nflag\nlatest/\nlist\nnothing');
  assert.equal(dirSlash.body, 'instance-id\nrunner/');
  for (const path of ['/count', '/flag', '/nothing', '/list']) {
    assert.equal((await call('GET', path, headers)).status, 501, path);
  }
  assert.equal((await call('GET', '/list/1', headers)).body, 'y');
});

test('Accept: application/json returns the JSON subtree', async () => {
  const headers = {
    'X-metadata-token': await token(),
    Accept: 'application/json',
  };
  const meta = await call('GET', '/latest/meta-data', headers);

  assert.equal(meta.status, 200);
  assert.match(String(meta.headers['content-type']), /^application\/json/);
  assert.deepEqual(JSON.parse(meta.body), DATA.latest['meta-data']);
  assert.equal((await call('GET', '/count', headers)).body, '3');
  assert.equal((await call('GET', '/nothing', headers)).body, 'null');
});

test('unknown paths are 404, for GET and for PUT', async () => {
  const headers = { 'X-metadata-token': await token() };
  const get = await call('GET', '/latest/nope', headers);
  const put = await call('PUT', '/latest/api/other', {
    'X-metadata-token-ttl-seconds': '60',
  });

  assert.equal(get.status, 404);
  assert.equal(get.body, 'Resource not found: /latest/nope.');
  assert.equal(put.status, 404);
});

test('methods other than GET and PUT are 405', async () => {
  for (const method of ['POST', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']) {
    const reply = await call(method, '/');
    assert.equal(reply.status, 405, method);
    assert.equal(reply.headers['allow'], 'GET, PUT');
  }
});

test('a bad request target is 400, an oversized body 413', async () => {
  const star = await raw(
    'GET * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  );
  const big = await call(
    'PUT',
    '/latest/api/token',
    {
      'X-metadata-token-ttl-seconds': '60',
    },
    'x'.repeat(10_000),
  );

  assert.match(star, /^HTTP\/1\.1 400/);
  assert.equal(big.status, 413);
});

test('an absolute-form request target is served', async () => {
  const value = await token();
  const reply = await raw(
    'GET http://169.254.169.254/latest/meta-data/instance-id HTTP/1.1\r\n' +
      `Host: 169.254.169.254\r\nX-metadata-token: ${value}\r\n` +
      'Connection: close\r\n\r\n',
  );
  assert.match(reply, /^HTTP\/1\.1 200/);
  assert.match(reply, /\r\n\r\nvm-7$/);
});

test('setData replaces and patchData merges the served document', async () => {
  const headers = { 'X-metadata-token': await token() };
  server.patchData({ latest: { 'meta-data': { runner: null } }, extra: 'e' });

  assert.equal(
    (await call('GET', '/latest/meta-data', headers)).body,
    'instance-id',
  );
  assert.equal((await call('GET', '/extra', headers)).body, 'e');
  assert.throws(() => server.setData({ huge: 'x'.repeat(60_000) }), /limit/);
  assert.equal((await call('GET', '/extra', headers)).body, 'e');

  server.setData({ only: 'this' });
  assert.equal((await call('GET', '/', headers)).body, 'only');
  server.setData(DATA);
});

test('the socket is private; data and tokens stay out of logs', async () => {
  const value = await token();
  await call('GET', '/latest/meta-data/runner/token', {
    'X-metadata-token': value,
  });

  assert.equal((await stat(socketPath)).mode & 0o777, 0o600);
  assert.match(logText, /mmds request/);
  assert.ok(!logText.includes(SECRET), 'secret in log');
  assert.ok(!logText.includes(value), 'token in log');
});

test('close removes the socket; a stale socket is replaced', async () => {
  const path = join(dir, 'second.sock');
  const log = createLogger({ level: 'silent' });
  const first = await startMmdsServer({ socketPath: path, data: {}, log });
  const second = await startMmdsServer({ socketPath: path, data: {}, log });
  await first.close();
  await second.close();
  await second.close();

  await assert.rejects(stat(path), { code: 'ENOENT' });
  await writeFile(path, 'not a socket');
  await assert.rejects(
    startMmdsServer({ socketPath: path, data: {}, log }),
    /not a socket/,
  );
});
