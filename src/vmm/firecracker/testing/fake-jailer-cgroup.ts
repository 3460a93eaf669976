import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cgroupV2Mount } from '../cgroup-mount.js';
import type { JailerArgs } from './fake-jailer-args.js';

/** What the fake jailer did with cgroups, for the record file. */
export interface CgroupRecord {
  /** `<cgroup v2 mount>/<parent>/<id>`, when a v2 mount exists. */
  dir?: string;
  written: Record<string, string>;
  /** Settings a real jailer would have written, and why the fake did not. */
  notWritten: Record<string, string>;
  notes: string[];
}

/**
 * The jailer's cgroup v2 step (reference §3): find the v2 mount in
 * /proc/mounts, create `<mount>/<parent>/<id>`, enable each setting's
 * controller on the way down, write the values, then move `pid` (the
 * process that will exec Firecracker) into it. Where this host cannot
 * (no v2 mount; a controller bound to a v1 hierarchy, as on hybrid
 * hosts) the real jailer would fail; the fake records what it would
 * have written in `notWritten`, says why in `notes`, and goes on.
 */
export function setUpCgroup(args: JailerArgs, pid: number): CgroupRecord {
  const record: CgroupRecord = { written: {}, notWritten: {}, notes: [] };
  const mount = cgroupV2Mount(readFileSync('/proc/mounts', 'utf8'));
  if (!mount) {
    for (const { file, value } of args.cgroups) record.notWritten[file] = value;
    record.notes.push('no cgroup v2 mount: no cgroup created');
    return record;
  }

  const dir = join(mount, args.parentCgroup, args.id);
  mkdirSync(dir, { recursive: true });
  record.dir = dir;
  const available = controllers(mount);
  for (const { file, value } of args.cgroups) {
    const controller = file.split('.')[0]!;
    if (!available.includes(controller)) {
      record.notWritten[file] = value;
      record.notes.push(
        `controller ${controller} is not in ${mount}/cgroup.controllers ` +
          `(a real jailer would fail)`,
      );
      continue;
    }
    enableOnTheWay(mount, args.parentCgroup, controller);
    writeFileSync(join(dir, file), `${value}\n`);
    record.written[file] = value;
  }
  writeFileSync(join(dir, 'cgroup.procs'), `${pid}\n`);
  return record;
}

function controllers(dir: string): string[] {
  const path = join(dir, 'cgroup.controllers');
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').trim().split(/\s+/).filter(Boolean);
}

/** A controller is usable in a cgroup once every ancestor delegates it. */
function enableOnTheWay(mount: string, parent: string, controller: string) {
  let dir = mount;
  for (const part of ['', ...parent.split('/')]) {
    dir = join(dir, part);
    writeFileSync(join(dir, 'cgroup.subtree_control'), `+${controller}\n`);
  }
}
