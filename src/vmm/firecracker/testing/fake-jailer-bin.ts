import { chownSync, closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BEHAVIOUR_DIR_ENV, callsFile } from './fake-behaviour.js';
import {
  EXIT_JAILER_ERROR,
  fakeRefusal,
  parseJailerArgs,
} from './fake-jailer-args.js';
import type { JailerArgs } from './fake-jailer-args.js';
import { setUpCgroup } from './fake-jailer-cgroup.js';
import { execArgv, shellLine } from './fake-jailer-exec.js';
import { buildJail, JailerError, writePidFile } from './fake-jailer-jail.js';
import type { Jail } from './fake-jailer-jail.js';

// The setup half of the fake `jailer` (see writeFakeJailerBin): checks
// the arguments and does the jailer's work, then prints on stdout the
// command line its shell wrapper `exec`s (fake-jailer-exec.ts). Errors
// go to stderr with exit 1. $FAKE_JAILER_PID is the wrapper's pid, the
// one that becomes Firecracker's.
const startUs = Number(process.hrtime.bigint() / 1000n);
const startCpuUs = cpuUs();

try {
  const args = parseJailerArgs(process.argv.slice(2));
  if (typeof args === 'string') throw new JailerError(args);
  if (args.version) {
    process.stdout.write(shellLine(['echo', 'Jailer v1.16.1']));
  } else {
    const refusal = fakeRefusal(args);
    if (refusal) throw new JailerError(refusal);
    process.stdout.write(shellLine(setUp(args)));
  }
} catch (error) {
  if (!(error instanceof JailerError)) throw error;
  process.stderr.write(`Jailer error: ${error.message}\n`);
  process.exit(EXIT_JAILER_ERROR);
}

function setUp(args: JailerArgs): string[] {
  const pid = Number(process.env.FAKE_JAILER_PID);
  if (!Number.isInteger(pid) || pid <= 0) {
    throw new JailerError('run me through writeFakeJailerBin: no pid');
  }
  const jail = buildJail(args);
  const cgroup = setUpCgroup(args, pid);
  for (const note of cgroup.notes) {
    process.stderr.write(`fake jailer: ${note}\n`);
  }
  writePidFile(jail, pid);
  record(args, jail, { cgroup, pid });
  const times = { startUs, startCpuUs, cpuUs: cpuUs() - startCpuUs };
  return execArgv(args, jail, times);
}

/**
 * Leaves `<dir>/<id>.jailer.json` for tests, and the fake Firecracker's
 * calls file owned by the uid it will run as.
 */
function record(args: JailerArgs, jail: Jail, extra: object): void {
  const dir = process.env[BEHAVIOUR_DIR_ENV];
  if (!dir) return;
  const calls = callsFile(dir, args.id);
  closeSync(openSync(calls, 'a'));
  chownSync(calls, args.uid, args.gid);
  const body = { args, jail, ...extra };
  writeFileSync(join(dir, `${args.id}.jailer.json`), JSON.stringify(body));
}

function cpuUs(): number {
  const { user, system } = process.cpuUsage();
  return user + system;
}
