import { readdir, readFile, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorMessage } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { run } from '../lib/process.js';
import { readCachedImage } from '../image/image-cache.js';
import { cgroupV2Mount } from '../vmm/firecracker/cgroup-mount.js';
import { probeAcceleration } from '../vmm/qemu/probe-acceleration.js';
import type { ProbeImage } from '../vmm/qemu/probe-acceleration.js';
import type { DoctorCheck, Severity } from './doctor-types.js';
import {
  cgroupV2Problem,
  clockProblem,
  memAvailableMiB,
  parseVersion,
  supportedFirecracker,
} from './interpret.js';

/**
 * The doctor's host checks, each one thin: look, then say what was seen
 * and what to do. None changes the host. Each resolves (never rejects)
 * with one `DoctorCheck`.
 */
const check = (
  name: string,
  severity: Severity,
  ok: boolean,
  detail: string,
  fix: string,
): DoctorCheck => ({ name, ok, severity, detail, fix });

/** KVM is usable only if a guest really boots with it (QEMU's probe). */
export async function checkKvm(
  probeImage: ProbeImage | undefined,
  severity: Severity,
  log: Logger,
): Promise<DoctorCheck> {
  const { accel, reason } = await probeAcceleration({
    requested: 'auto',
    probeImage,
    log,
  });
  const fix = probeImage
    ? 'enable virtualization (VT-x/AMD-V, nested or bare metal) and give ' +
      'firelab read/write on /dev/kvm'
    : 'build an image first (firelab image build) so KVM can be probed';
  return check('kvm', severity, accel === 'kvm', reason, fix);
}

/** A binary answers `--version`; Firecracker is pinned to API 1.16. */
export async function checkBinary(
  name: 'firecracker' | 'jailer',
  path: string,
  severity: Severity,
  log: Logger,
): Promise<DoctorCheck> {
  const where = path.includes('/')
    ? `at ${path}`
    : `on the PATH (or give its path with --${name}-bin)`;
  const fix = `install the static (musl) ${name} v1.16.x release binary ${where}`;
  try {
    const { stdout } = await run(path, ['--version'], {
      log,
      timeoutMs: 5_000,
    });
    const version = parseVersion(stdout);
    if (!version) return check(name, severity, false, 'no version', fix);
    const ok = supportedFirecracker(version);
    const detail = `${path} is v${version}${ok ? '' : ', firelab speaks the 1.16 API'}`;
    return check(name, severity, ok, detail, fix);
  } catch (error) {
    const text = errorMessage(error);
    const detail = text.includes('exited with -1') ? `${path} not found` : text;
    return check(name, severity, false, detail, fix);
  }
}

/** The jailer limits each VM with cgroup v2 memory, cpu and pids. */
export async function checkCgroupV2(severity: Severity): Promise<DoctorCheck> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  const mount = cgroupV2Mount(mounts);
  const controllers = mount
    ? await readFile(join(mount, 'cgroup.controllers'), 'utf8')
        .then((text) => text.trim().split(/\s+/))
        .catch(() => [])
    : [];
  const problem = cgroupV2Problem(mount, controllers);
  const detail = problem ?? `cgroup v2 at ${mount} (${controllers.join(' ')})`;
  const fix = 'boot with systemd.unified_cgroup_hierarchy=1 (cgroup v2)';
  return check('cgroup-v2', severity, !problem, detail, fix);
}

/** A read-only question nft answers only when it is usable. */
export async function checkCommand(
  name: string,
  file: string,
  args: string[],
  fix: string,
): Promise<DoctorCheck> {
  try {
    await run(file, args, { timeoutMs: 5_000 });
    return check(name, 'fatal', true, `${file} ${args.join(' ')} works`, fix);
  } catch (error) {
    return check(name, 'fatal', false, errorMessage(error), fix);
  }
}

/**
 * Reports the host's setting. An agent with egress `nat` turns it on
 * itself at start; with `gitlab-only` nothing needs it.
 */
export async function checkIpForwarding(): Promise<DoctorCheck> {
  const value = await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')
    .then((text) => text.trim())
    .catch(() => 'unreadable');
  return check(
    'ip-forwarding',
    'warn',
    value === '1',
    `net.ipv4.ip_forward=${value} (read only, not changed)`,
    'egress nat turns it on at agent start; gitlab-only does not need it',
  );
}

export async function checkDisk(
  dir: string,
  minGiB: number,
): Promise<DoctorCheck> {
  const fix = `free space under ${dir} (at least ${minGiB} GiB)`;
  try {
    const stats = await statfs(dir);
    const freeGiB = Math.floor((stats.bavail * stats.bsize) / 1024 ** 3);
    return check(
      'disk',
      'warn',
      freeGiB >= minGiB,
      `${freeGiB} GiB free in ${dir}`,
      fix,
    );
  } catch (error) {
    return check('disk', 'warn', false, errorMessage(error), fix);
  }
}

export async function checkMemory(minMiB: number): Promise<DoctorCheck> {
  const text = await readFile('/proc/meminfo', 'utf8').catch(() => '');
  const mib = memAvailableMiB(text);
  const ok = mib !== undefined && mib >= minMiB;
  const detail =
    mib === undefined ? 'MemAvailable unknown' : `${mib} MiB available`;
  return check(
    'memory',
    'warn',
    ok,
    detail,
    `free memory (at least ${minMiB} MiB)`,
  );
}

export async function checkImage(cacheDir: string): Promise<DoctorCheck> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  for (const name of names.sort()) {
    const image = await readCachedImage(join(cacheDir, name));
    if (image) {
      const detail = `${image.profile} ${image.arch} image ${image.id}`;
      return check('image', 'fatal', true, detail, '');
    }
  }
  const fix = `build one: firelab image build (cache ${cacheDir})`;
  return check(
    'image',
    'fatal',
    false,
    `no complete image in ${cacheDir}`,
    fix,
  );
}

export async function checkClock(): Promise<DoctorCheck> {
  const wall0 = Date.now();
  const mono0 = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 50));
  const problem = clockProblem({
    now: new Date(),
    wallDeltaMs: Date.now() - wall0,
    monoDeltaMs: performance.now() - mono0,
  });
  const fix = 'fix the system clock (enable NTP); tokens and TLS need it';
  return check(
    'clock',
    'fatal',
    !problem,
    problem ?? new Date().toISOString(),
    fix,
  );
}
