import { appendFileSync, existsSync } from 'node:fs';
import { parseFakeArgs, EXIT_ARG_PARSE } from './fake-args.js';
import {
  BEHAVIOUR_DIR_ENV,
  callsFile,
  loadBehaviour,
} from './fake-behaviour.js';
import { startFakeFirecracker } from './fake-firecracker.js';

// A fake `firecracker` executable: `node --import tsx fake-firecracker-bin.ts
// --api-sock <path> --id <id> ...`. Its behaviour comes from the folder
// named by $FAKE_FIRECRACKER_DIR (see fake-behaviour.ts). The socket is
// never removed on exit, exactly like Firecracker (reference §2). Started
// by the fake jailer, $FAKE_FIRECRACKER_ROOT names the jail root and every
// path (socket, kernel, disks, logs) is resolved under it, as a chrooted
// Firecracker would see it.
const args = parseFakeArgs(process.argv.slice(2));
if (typeof args === 'string') {
  process.stderr.write(`error: ${args}\n`);
  process.exit(EXIT_ARG_PARSE);
}
if (args.version) {
  process.stdout.write('Firecracker v1.16.1\n');
  process.exit(0);
}

const dir = process.env[BEHAVIOUR_DIR_ENV];
const behaviour = loadBehaviour(dir, args.id);
const root = process.env.FAKE_FIRECRACKER_ROOT;
const stdout = (line: string) => process.stdout.write(`${line}\n`);

if (behaviour.mode === 'die-early') {
  process.stderr.write('Error: the fake was told to fail at startup\n');
  process.exit(1);
}
if (existsSync(root ? `${root}${args.apiSock}` : args.apiSock)) {
  process.stderr.write(
    `Failed to open the API socket at: ${args.apiSock}. Check that it is not already used.\n`,
  );
  process.exit(1);
}

setTimeout(() => {
  void startFakeFirecracker({
    socketPath: root ? `${root}${args.apiSock}` : args.apiSock,
    id: args.id,
    behaviour,
    root,
    payloadLimit: args.payloadLimit,
    stdout,
    exit: (code) => process.exit(code),
    onCall: (call) => {
      if (dir)
        appendFileSync(callsFile(dir, args.id), `${JSON.stringify(call)}\n`);
    },
  });
}, behaviour.socketDelayMs);
