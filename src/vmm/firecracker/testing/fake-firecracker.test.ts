import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  after,
  afterEach,
  before,
  beforeEach,
  describe,
  test,
} from 'node:test';
import { FirecrackerClient } from '../api-client.js';
import { FirecrackerApiError } from '../api-error.js';
import { DEFAULT_BEHAVIOUR } from './fake-behaviour.js';
import type { FakeBehaviour } from './fake-behaviour.js';
import { startFakeFirecracker } from './fake-firecracker.js';
import type { FakeFirecracker } from './fake-firecracker.js';

// The fake is only worth something if it refuses what Firecracker
// refuses; these tests also prove the client keeps status and fault text.
let dir: string;
let kernel: string;
let disk: string;
let fake: FakeFirecracker;
let client: FirecrackerClient;
let stdout: string[];
let exits: number[];
let n = 0;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fl-fakefc-'));
  kernel = join(dir, 'vmlinux');
  disk = join(dir, 'rootfs.ext4');
  await writeFile(kernel, 'kernel');
  await writeFile(disk, 'disk');
});
after(() => rm(dir, { recursive: true, force: true }));
afterEach(() => fake?.close());

async function startFake(behaviour: Partial<FakeBehaviour> = {}) {
  await fake?.close();
  stdout = [];
  exits = [];
  const socketPath = join(dir, `api${n++}.sock`);
  fake = await startFakeFirecracker({
    socketPath,
    id: 'vm1',
    behaviour: { ...DEFAULT_BEHAVIOUR, guestRunMs: 60_000, ...behaviour },
    stdout: (line) => stdout.push(line),
    exit: (code) => exits.push(code),
  });
  client = new FirecrackerClient(socketPath);
  return socketPath;
}

async function refused(promise: Promise<unknown>, status: number, re: RegExp) {
  const error = await promise.then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof FirecrackerApiError, String(error));
  assert.equal(error.status, status);
  assert.match(error.faultMessage, re);
}

async function configure() {
  await client.putBootSource({ kernel_image_path: kernel });
  await client.putDrive({
    drive_id: 'rootfs',
    is_root_device: true,
    path_on_host: disk,
  });
  await client.putNetworkInterface({ iface_id: 'eth0', host_dev_name: 'tap0' });
}

describe('fake Firecracker: schemas', () => {
  beforeEach(() => startFake().then(() => undefined));

  test('refuses unknown fields, wrong types and bad enums', async () => {
    const bad = [
      { kernel_image_path: kernel, extra: 1 },
      { kernel_image_path: 7 },
      {},
    ];
    for (const body of bad) {
      await refused(
        client.send({ method: 'PUT', path: '/boot-source', body }),
        400,
        /deserializing the json body/,
      );
    }
    await refused(
      client.putMachineConfig({
        vcpu_count: 1,
        mem_size_mib: 128,
        huge_pages: '2m' as '2M',
      }),
      400,
      /unknown variant/,
    );
  });

  test('accepts nulls for optional fields and a caseless log level', async () => {
    await client.send({
      method: 'PUT',
      path: '/boot-source',
      body: { kernel_image_path: kernel, boot_args: null },
    });
    await client.send({
      method: 'PUT',
      path: '/logger',
      body: { level: 'warn', log_path: join(dir, 'fc.log') },
    });
  });

  test('checks path ids and their match with the body', async () => {
    const body = {
      drive_id: 'rootfs',
      is_root_device: true,
      path_on_host: disk,
    };
    await refused(
      client.send({ method: 'PUT', path: '/drives/other', body }),
      400,
      /does not match/,
    );
    await refused(
      client.send({ method: 'PUT', path: '/drives/a-b', body }),
      400,
      /alphanumeric/,
    );
  });

  test('unknown routes are 400 with fault_message, not 404', async () => {
    await refused(
      client.send({ method: 'PUT', path: '/nope', body: {} }),
      400,
      /Invalid request method and\/or path: PUT \/nope/,
    );
  });

  test('machine-config limits and required fields', async () => {
    await refused(
      client.putMachineConfig({ vcpu_count: 33, mem_size_mib: 128 }),
      400,
      /vCPU/,
    );
    await refused(
      client.putMachineConfig({ vcpu_count: 3, mem_size_mib: 128, smt: true }),
      400,
      /even/,
    );
    await refused(
      client.send({
        method: 'PUT',
        path: '/machine-config',
        body: { vcpu_count: 2 },
      }),
      400,
      /missing field `mem_size_mib`/,
    );
    await client.patchMachineConfig({ vcpu_count: 2 });
  });

  test('files are opened at PUT time', async () => {
    await refused(
      client.putBootSource({ kernel_image_path: join(dir, 'missing') }),
      400,
      /ENOENT/,
    );
  });
});

describe('fake Firecracker: phases and MMDS', () => {
  beforeEach(() => startFake().then(() => undefined));

  test('mmds/config needs the interface first, and a link-local address', async () => {
    const config = { network_interfaces: ['eth0'], version: 'V2' as const };
    await refused(client.putMmdsConfig(config), 400, /does not correspond/);
    await configure();
    await refused(
      client.putMmdsConfig({ ...config, ipv4_address: '10.0.0.1' }),
      400,
      /link-local/,
    );
    await client.putMmdsConfig(config);
  });

  test('post-boot actions refused before boot, pre-boot ones after', async () => {
    await refused(client.action('FlushMetrics'), 400, /before starting/);
    await refused(client.setVmState('Paused'), 400, /before starting/);
    await configure();
    await client.action('InstanceStart');
    await refused(client.action('InstanceStart'), 400, /after starting/);
    await refused(
      client.putBootSource({ kernel_image_path: kernel }),
      400,
      /after starting/,
    );
    await client.action('FlushMetrics');
    assert.equal((await client.describeInstance()).state, 'Running');
  });

  test('metrics can be configured only once', async () => {
    await client.putMetrics({ metrics_path: join(dir, 'm.json') });
    await refused(
      client.putMetrics({ metrics_path: join(dir, 'm.json') }),
      400,
      /Reinitialization/,
    );
  });

  test('the MMDS store limit answers 413', async () => {
    await refused(
      client.putMmds({ big: 'x'.repeat(51_300) }),
      400,
      /larger than the limit/,
    );
    await client.putMmds({ a: 'x'.repeat(30_000) });
    await refused(client.patchMmds({ b: 'y'.repeat(30_000) }), 413, /fit/);
  });

  test('GET /mmds answers {} before boot; PATCH merges', async () => {
    assert.deepEqual(await client.mmds(), {});
    await client.putMmds({ a: { b: 1, c: 2 } });
    await client.patchMmds({ a: { c: null } });
    assert.deepEqual(await client.mmds(), { a: { b: 1 } });
  });

  test('/vm/config has kebab-case keys and nulls', async () => {
    const config = await client.vmConfig();
    assert.equal(config['boot-source'], null);
    assert.deepEqual(config.drives, []);
    assert.ok('machine-config' in config);
  });

  test('SendCtrlAltDel is refused on aarch64', async () => {
    await startFake({ arch: 'aarch64' });
    await configure();
    await client.action('InstanceStart');
    await refused(client.action('SendCtrlAltDel'), 400, /aarch64/);
  });
});

describe('fake Firecracker: transport and guest', () => {
  test('a body without Content-Length counts as empty', async () => {
    const socketPath = await startFake();
    const answer = await new Promise<{ status: number; body: string }>(
      (resolve) => {
        const req = request(
          { socketPath, method: 'PUT', path: '/boot-source' },
          (res) => {
            let body = '';
            res.on('data', (c: Buffer) => (body += c.toString()));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.write(JSON.stringify({ kernel_image_path: kernel }));
        req.end();
      },
    );
    assert.equal(answer.status, 400);
    assert.match(answer.body, /"fault_message":"Empty PUT request."/);
  });

  test('logs bodies except /mmds; the guest reads MMDS V2 and reboots', async () => {
    await startFake({ readMetadataKey: '/firelab/vm_id', guestRunMs: 100 });
    const log = join(dir, 'guest.log');
    await client.putLogger({ log_path: log, level: 'Info' });
    await configure();
    await client.putMmdsConfig({ network_interfaces: ['eth0'], version: 'V2' });
    await client.putMmds({
      firelab: { vm_id: 'vm1', runner_token: 'SECRET-1' },
    });
    await client.action('InstanceStart');
    await new Promise((r) => setTimeout(r, 250));

    const text = await readFile(log, 'utf8');
    assert.match(text, /Put request on "\/boot-source" with body/);
    assert.match(text, /Put request on "\/mmds"\./);
    assert.doesNotMatch(text, /SECRET-1/);
    assert.ok(
      stdout.includes('firelab-guest: vm vm1 metadata ok'),
      stdout.join('\n'),
    );
    assert.deepEqual(exits, [0]);
  });
});
