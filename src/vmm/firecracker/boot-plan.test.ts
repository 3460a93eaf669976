import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApiCall } from './api-call.js';
import { bootPlan } from './boot-plan.js';
import type { BootPlanPaths } from './boot-plan.js';
import { sampleSpec } from './testing/sample-spec.js';

const PATHS: BootPlanPaths = {
  kernel: '/vmlinux',
  initrd: '/initrd',
  rootDisk: '/rootfs.ext4',
  logFile: '/firecracker.log',
  metricsFile: '/metrics.json',
};

const at = (plan: ApiCall[], path: string) =>
  plan.findIndex((call) => call.path === path);

describe('bootPlan ordering', () => {
  const plan = bootPlan(sampleSpec(), PATHS);
  const rules: [string, string][] = [
    ['/logger', '/metrics'],
    ['/metrics', '/machine-config'],
    ['/machine-config', '/boot-source'],
    ['/boot-source', '/drives/rootfs'],
    ['/network-interfaces/eth0', '/mmds/config'],
    ['/mmds/config', '/mmds'],
    ['/mmds', '/entropy'],
  ];
  for (const [before, after] of rules) {
    test(`${before} comes before ${after}`, () => {
      assert.ok(at(plan, before) >= 0, `${before} is planned`);
      assert.ok(at(plan, before) < at(plan, after));
    });
  }

  test('logger is first and InstanceStart is last and only once', () => {
    assert.equal(plan[0]?.path, '/logger');
    const starts = plan.filter((c) => c.path === '/actions');
    assert.deepEqual(starts, [
      {
        method: 'PUT',
        path: '/actions',
        body: { action_type: 'InstanceStart' },
      },
    ]);
    assert.equal(plan.at(-1)?.path, '/actions');
  });

  test('every call is a PUT with a body', () => {
    for (const call of plan) {
      assert.equal(call.method, 'PUT');
      assert.ok(call.body !== undefined, call.path);
    }
  });
});

describe('bootPlan contents', () => {
  test('boots the per-VM disk copy, not the golden image', () => {
    const plan = bootPlan(sampleSpec(), PATHS);
    const root = plan[at(plan, '/drives/rootfs')]?.body;
    assert.deepEqual(root, {
      drive_id: 'rootfs',
      is_root_device: true,
      is_read_only: false,
      path_on_host: '/rootfs.ext4',
    });
    assert.doesNotMatch(JSON.stringify(plan), /\/images\/rootfs/);
  });

  test('attaches the tap with its MAC and MMDS V2 on it', () => {
    const plan = bootPlan(sampleSpec(), PATHS);
    assert.deepEqual(plan[at(plan, '/network-interfaces/eth0')]?.body, {
      iface_id: 'eth0',
      host_dev_name: 'tap0',
      guest_mac: '06:00:0a:00:00:02',
    });
    assert.deepEqual(plan[at(plan, '/mmds/config')]?.body, {
      network_interfaces: ['eth0'],
      version: 'V2',
      ipv4_address: '169.254.169.254',
    });
  });

  const optional: [string, BootPlanPaths, object, string, boolean][] = [
    [
      'scratch drive when given',
      { ...PATHS, scratchDisk: '/s' },
      {},
      '/drives/scratch',
      true,
    ],
    ['no scratch drive by default', PATHS, {}, '/drives/scratch', false],
    ['entropy by default', PATHS, {}, '/entropy', true],
    ['no entropy when disabled', PATHS, { entropy: false }, '/entropy', false],
  ];
  for (const [name, paths, options, path, present] of optional) {
    test(name, () => {
      const plan = bootPlan(sampleSpec(), paths, options);
      assert.equal(at(plan, path) >= 0, present);
      assert.equal(plan.at(-1)?.path, '/actions');
    });
  }

  test('no initrd_path without an initrd', () => {
    const { initrd: _initrd, ...paths } = PATHS;
    const plan = bootPlan(sampleSpec(), paths);
    const boot = plan[at(plan, '/boot-source')]?.body as object;
    assert.ok(!('initrd_path' in boot));
  });
});

describe('bootPlan boot args', () => {
  const cases: [
    string,
    Parameters<typeof sampleSpec>[0],
    RegExp[],
    RegExp[],
  ][] = [
    [
      'x86_64',
      {},
      [
        /^console=ttyS0 reboot=k panic=1 /,
        /firelab\.ip=10\.0\.0\.2\/30/,
        /firelab\.gw=10\.0\.0\.1/,
      ],
      [/8250\.nr_uarts=0/, /pci=off/, /root=/, /keep_bootcon/],
    ],
    ['arm64', { arch: 'arm64' }, [/^keep_bootcon console=ttyS0 /], [/i8042/]],
    ['default init', { bootArgs: [] }, [/init=\/sbin\/firelab-init/], []],
    ['image init', { bootArgs: ['init=/x'] }, [/ init=\/x$/], [/firelab-init/]],
  ];
  for (const [name, overrides, present, absent] of cases) {
    test(name, () => {
      const plan = bootPlan(sampleSpec(overrides), PATHS);
      const body = plan[at(plan, '/boot-source')]?.body as {
        boot_args: string;
      };
      for (const re of present) assert.match(body.boot_args, re);
      for (const re of absent) assert.doesNotMatch(body.boot_args, re);
    });
  }

  test('an unsafe argument is refused', () => {
    const spec = sampleSpec({ bootArgs: ['a b'] });
    assert.throws(() => bootPlan(spec, PATHS), /unsafe kernel argument/);
  });
});

describe('bootPlan secrets', () => {
  test('the metadata appears only in the /mmds body, marked secret', () => {
    const sentinel = 'glrt-SENTINEL-never-logged-0123456789';
    const metadata = { firelab: { runner_token: sentinel, vm_id: 'vm1' } };
    const plan = bootPlan(sampleSpec({ metadata }), PATHS);
    const carriers = plan.filter((call) =>
      JSON.stringify(call).includes(sentinel),
    );
    assert.deepEqual(carriers, [
      { method: 'PUT', path: '/mmds', body: metadata, secret: true },
    ]);
    assert.equal(plan.filter((call) => call.secret).length, 1);
  });
});

describe('bootPlan refusals', () => {
  const bad: [string, Parameters<typeof sampleSpec>[0], RegExp][] = [
    ['0 vcpus', { vcpus: 0 }, /vcpus/],
    ['33 vcpus', { vcpus: 33 }, /vcpus/],
    ['fractional memory', { memoryMiB: 1.5 }, /memoryMiB/],
    [
      'a 16-character tap name',
      { network: { ...sampleSpec().network, tap: 'tap-0123456789ab' } },
      /tap name/,
    ],
  ];
  for (const [name, overrides, message] of bad) {
    test(name, () => {
      assert.throws(() => bootPlan(sampleSpec(overrides), PATHS), message);
    });
  }
});
