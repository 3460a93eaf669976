import { basename } from 'node:path';

/** The jailer's command line, parsed (reference §3, docs/jailer.md). */
export interface JailerArgs {
  id: string;
  execFile: string;
  uid: number;
  gid: number;
  chrootBase: string;
  netns?: string;
  cgroupVersion: 1 | 2;
  cgroups: { file: string; value: string }[];
  /** `--parent-cgroup`, else the exec file's name (the jailer's default). */
  parentCgroup: string;
  /** `no-file` defaults to 2048 (`resource_limits.rs`). */
  limits: { noFile: number; fsize?: number };
  daemonize: boolean;
  newPidNs: boolean;
  version: boolean;
  /** Everything after `--`, handed to Firecracker. */
  extra: string[];
}

const VALUE_FLAGS = [
  'id',
  'exec-file',
  'uid',
  'gid',
  'chroot-base-dir',
  'netns',
  'cgroup-version',
  'parent-cgroup',
];
const MULTI_FLAGS = ['cgroup', 'resource-limit'];
const BOOL_FLAGS = ['daemonize', 'new-pid-ns', 'version'];
const REQUIRED = ['id', 'exec-file', 'uid', 'gid'];

/** The jailer's exit code here; the real one aborts on these errors. */
export const EXIT_JAILER_ERROR = 1;

/**
 * Parses and validates the jailer's arguments as the documented jailer
 * does, before it touches anything. Pure. Returns an error text for an
 * unknown, repeated or valueless flag; a missing `--id`, `--exec-file`,
 * `--uid` or `--gid`; an id outside 1–64 characters of `[A-Za-z0-9-]`;
 * an exec file whose name lacks `firecracker`; a uid or gid that is not
 * a u32; a cgroup version other than 1 or 2; a `--cgroup` that is not
 * `<controller>.<property>=<value>`; a parent cgroup or cgroup file with
 * `.`, `..` or a leading `/`; a `--resource-limit` other than
 * `fsize=N` or `no-file=N`.
 */
export function parseJailerArgs(argv: string[]): JailerArgs | string {
  const split = argv.indexOf('--');
  const own = split < 0 ? argv : argv.slice(0, split);
  const extra = split < 0 ? [] : argv.slice(split + 1);
  const parsed = collect(own);
  if (typeof parsed === 'string') return parsed;
  const { values, multi, flags } = parsed;
  if (flags.has('version')) return versionOnly(extra);
  const missing = REQUIRED.find((name) => !values.has(name));
  if (missing) return `missing required argument --${missing}`;
  return validate(values, multi, flags, extra);
}

function collect(argv: string[]) {
  const values = new Map<string, string>();
  const multi = new Map<string, string[]>(MULTI_FLAGS.map((f) => [f, []]));
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (BOOL_FLAGS.includes(name)) {
      flags.add(name);
      continue;
    }
    const isValue = VALUE_FLAGS.includes(name) || MULTI_FLAGS.includes(name);
    if (!isValue) return `unexpected argument ${JSON.stringify(arg)}`;
    const value = argv[++i];
    if (value === undefined || value.startsWith('--')) {
      return `--${name} needs a value`;
    }
    if (multi.has(name)) multi.get(name)!.push(value);
    else if (values.has(name)) return `--${name} was given twice`;
    else values.set(name, value);
  }
  return { values, multi, flags };
}

function validate(
  values: Map<string, string>,
  multi: Map<string, string[]>,
  flags: Set<string>,
  extra: string[],
): JailerArgs | string {
  const id = values.get('id')!;
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    return `invalid instance id ${JSON.stringify(id)}: use 1-64 of [A-Za-z0-9-]`;
  }
  const execFile = values.get('exec-file')!;
  if (!basename(execFile).includes('firecracker')) {
    return `the --exec-file name must contain "firecracker": ${execFile}`;
  }
  const uid = u32(values.get('uid')!);
  const gid = u32(values.get('gid')!);
  if (uid === undefined) return `invalid uid ${values.get('uid')}`;
  if (gid === undefined) return `invalid gid ${values.get('gid')}`;
  const version = values.get('cgroup-version') ?? '1';
  if (version !== '1' && version !== '2') {
    return `${version} is not a cgroup version (1 or 2)`;
  }
  const parentCgroup = values.get('parent-cgroup') ?? basename(execFile);
  if (!relativePath(parentCgroup)) {
    return `invalid parent cgroup ${parentCgroup}: no '.', '..' or leading '/'`;
  }
  const cgroups = parseCgroups(multi.get('cgroup') ?? []);
  if (typeof cgroups === 'string') return cgroups;
  const limits = parseLimits(multi.get('resource-limit') ?? []);
  if (typeof limits === 'string') return limits;
  return {
    id,
    execFile,
    uid,
    gid,
    chrootBase: values.get('chroot-base-dir') ?? '/srv/jailer',
    netns: values.get('netns'),
    cgroupVersion: version === '1' ? 1 : 2,
    cgroups,
    parentCgroup,
    limits,
    daemonize: flags.has('daemonize'),
    newPidNs: flags.has('new-pid-ns'),
    version: false,
    extra,
  };
}

function versionOnly(extra: string[]): JailerArgs {
  return {
    ...{ id: '', execFile: '', uid: 0, gid: 0, chrootBase: '' },
    ...{ cgroupVersion: 1, cgroups: [], parentCgroup: '' },
    ...{ limits: { noFile: 2048 }, daemonize: false, newPidNs: false },
    version: true,
    extra,
  };
}

function parseCgroups(args: string[]): JailerArgs['cgroups'] | string {
  const cgroups: JailerArgs['cgroups'] = [];
  for (const arg of args) {
    const parts = arg.split('=');
    const [file = '', value = ''] = parts;
    if (parts.length !== 2 || value === '') {
      return `invalid --cgroup ${arg}: expected <file>=<value>`;
    }
    if (!relativePath(file) || !/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(file)) {
      return `invalid cgroup file in --cgroup ${arg}`;
    }
    cgroups.push({ file, value });
  }
  return cgroups;
}

function parseLimits(args: string[]): JailerArgs['limits'] | string {
  const limits: JailerArgs['limits'] = { noFile: 2048 };
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at < 0) return `invalid --resource-limit ${arg}: expected name=value`;
    const [name, text] = [arg.slice(0, at), arg.slice(at + 1)];
    if (!/^[0-9]+$/.test(text) || BigInt(text) >= 2n ** 64n) {
      return `invalid value for resource ${name}: ${text}`;
    }
    if (name === 'no-file') limits.noFile = Number(text);
    else if (name === 'fsize') limits.fsize = Number(text);
    else return `unknown resource ${name} (fsize or no-file)`;
  }
  return limits;
}

function u32(text: string): number | undefined {
  if (!/^[0-9]{1,10}$/.test(text)) return undefined;
  const value = Number(text);
  return value <= 0xffff_ffff ? value : undefined;
}

function relativePath(path: string): boolean {
  if (path === '' || path.startsWith('/')) return false;
  return path.split('/').every((part) => part !== '.' && part !== '..');
}

/**
 * What the fake refuses although the jailer would not: firelab must run
 * the jailer in the foreground (neither `--daemonize` nor `--new-pid-ns`,
 * else it loses Firecracker's pid and exit code, reference §3) and with
 * cgroup v2, the only version the fake sets up. Pure.
 */
export function fakeRefusal(args: JailerArgs): string | undefined {
  if (args.daemonize) return 'firelab must not pass --daemonize';
  if (args.newPidNs) return 'firelab must not pass --new-pid-ns';
  if (args.cgroupVersion !== 2) return 'firelab uses --cgroup-version 2';
  return undefined;
}
