import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeRefusal, parseJailerArgs } from './fake-jailer-args.js';
import type { JailerArgs } from './fake-jailer-args.js';
import { execArgv, shellLine } from './fake-jailer-exec.js';

const REQUIRED = [
  ...['--id', 'vm-1', '--exec-file', '/usr/bin/firecracker'],
  ...['--uid', '900000', '--gid', '900000'],
];
const parse = (...more: string[]) => parseJailerArgs([...REQUIRED, ...more]);

test('defaults as documented', () => {
  const args = parse() as JailerArgs;
  assert.equal(args.chrootBase, '/srv/jailer');
  assert.equal(args.cgroupVersion, 1);
  assert.equal(args.parentCgroup, 'firecracker');
  assert.deepEqual(args.limits, { noFile: 2048 });
  assert.deepEqual(args.extra, []);
});

test('what firelab passes', () => {
  const args = parse(
    ...['--chroot-base-dir', '/srv/jailer', '--netns', '/var/run/netns/fl-a'],
    ...['--cgroup-version', '2', '--parent-cgroup', 'firelab'],
    ...['--cgroup', 'memory.max=1024', '--cgroup', 'cpu.max=200000 100000'],
    ...['--resource-limit', 'fsize=100', '--', '--api-sock', '/run/x'],
  ) as JailerArgs;
  assert.equal(args.netns, '/var/run/netns/fl-a');
  assert.equal(args.parentCgroup, 'firelab');
  assert.deepEqual(args.cgroups, [
    { file: 'memory.max', value: '1024' },
    { file: 'cpu.max', value: '200000 100000' },
  ]);
  assert.deepEqual(args.limits, { noFile: 2048, fsize: 100 });
  assert.deepEqual(args.extra, ['--api-sock', '/run/x']);
  assert.equal(fakeRefusal(args), undefined);
});

test('refuses what the jailer refuses', () => {
  const without = (flag: string) => {
    const at = REQUIRED.indexOf(flag);
    return [...REQUIRED.slice(0, at), ...REQUIRED.slice(at + 2)];
  };
  const cases: [string, string[], RegExp][] = [
    ['unknown flag', [...REQUIRED, '--node', '0'], /unexpected argument/],
    ['no value', [...REQUIRED, '--netns'], /--netns needs a value/],
    ['twice', [...REQUIRED, '--id', 'b'], /--id was given twice/],
    ['no --uid', without('--uid'), /missing required argument --uid/],
    ['no --id', without('--id'), /--id/],
    ['id charset', [...REQUIRED.slice(2), '--id', 'vm_1'], /instance id/],
    [
      'id too long',
      [...REQUIRED.slice(2), '--id', 'a'.repeat(65)],
      /instance id/,
    ],
    [
      'exec name',
      [...without('--exec-file'), '--exec-file', '/usr/bin/vmm'],
      /must contain "firecracker"/,
    ],
    [
      'uid not u32',
      [...without('--uid'), '--uid', '4294967296'],
      /invalid uid/,
    ],
    ['gid sign', [...without('--gid'), '--gid', '-1'], /invalid gid/],
    [
      'cgroup version',
      [...REQUIRED, '--cgroup-version', '3'],
      /not a cgroup version/,
    ],
    ['cgroup no value', [...REQUIRED, '--cgroup', 'memory.max='], /<file>=/],
    ['cgroup two =', [...REQUIRED, '--cgroup', 'a.b=1=2'], /<file>=/],
    ['cgroup file', [...REQUIRED, '--cgroup', '../x.max=1'], /cgroup file/],
    ['cgroup plain', [...REQUIRED, '--cgroup', 'memory=1'], /cgroup file/],
    [
      'parent ..',
      [...REQUIRED, '--parent-cgroup', 'a/../b'],
      /invalid parent cgroup/,
    ],
    [
      'parent abs',
      [...REQUIRED, '--parent-cgroup', '/a'],
      /invalid parent cgroup/,
    ],
    ['limit name', [...REQUIRED, '--resource-limit', 'cpu=1'], /unknown/],
    ['limit value', [...REQUIRED, '--resource-limit', 'fsize=x'], /value/],
    ['limit form', [...REQUIRED, '--resource-limit', 'fsize'], /name=value/],
  ];
  for (const [name, argv, message] of cases) {
    const result = parseJailerArgs(argv);
    assert.equal(typeof result, 'string', name);
    assert.match(result as string, message, name);
  }
});

test('the fake refuses a background jailer and cgroup v1', () => {
  const cases: [string[], RegExp | undefined][] = [
    [['--cgroup-version', '2'], undefined],
    [['--cgroup-version', '2', '--daemonize'], /--daemonize/],
    [['--cgroup-version', '2', '--new-pid-ns'], /--new-pid-ns/],
    [[], /cgroup-version 2/],
  ];
  for (const [more, refusal] of cases) {
    const found = fakeRefusal(parse(...more) as JailerArgs);
    if (refusal) assert.match(found ?? '', refusal);
    else assert.equal(found, undefined);
  }
});

test('--version stands alone', () => {
  assert.equal((parseJailerArgs(['--version']) as JailerArgs).version, true);
});

test('execs Firecracker in its place: netns, limits, uid, empty env', () => {
  const args = parse(
    ...['--netns', '/n/fl-a', '--cgroup-version', '2'],
    ...['--resource-limit', 'fsize=9', '--', '--api-sock', '/run/s'],
  ) as JailerArgs;
  const argv = execArgv(
    args,
    { root: '/srv/jailer/firecracker/vm-1/root', execName: 'firecracker' },
    { startUs: 1, startCpuUs: 2, cpuUs: 3 },
  );
  assert.deepEqual(argv, [
    ...['nsenter', '--net=/n/fl-a'],
    ...['prlimit', '--nofile=2048:2048', '--fsize=9:9'],
    ...['setpriv', '--reuid=900000', '--regid=900000', '--clear-groups'],
    ...['env', '-i', 'FAKE_FIRECRACKER_ROOT=/srv/jailer/firecracker/vm-1/root'],
    '/srv/jailer/firecracker/vm-1/root/firecracker',
    ...['--id', 'vm-1', '--start-time-us', '1', '--start-time-cpu-us', '2'],
    ...['--parent-cpu-time-us', '3', '--api-sock', '/run/s'],
  ]);
  assert.equal(shellLine(['a b', "it's"]), `'a b' 'it'\\''s'`);
});
