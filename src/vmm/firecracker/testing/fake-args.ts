/** The Firecracker flags the fake understands (reference §2). */
export interface FakeArgs {
  apiSock: string;
  id: string;
  payloadLimit: number;
  version: boolean;
}

const VALUE_FLAGS = [
  '--api-sock',
  '--id',
  '--log-path',
  '--level',
  '--metrics-path',
  '--module',
  '--http-api-max-payload-size',
  '--mmds-size-limit',
  '--start-time-us',
  '--start-time-cpu-us',
  '--parent-cpu-time-us',
  '--seccomp-filter',
  '--config-file',
  '--metadata',
];
const BOOL_FLAGS = [
  '--version',
  '--boot-timer',
  '--enable-pci',
  '--no-seccomp',
  '--no-api',
  '--show-level',
  '--show-log-origin',
];

/** Exit code for a command-line parse error (`FcExitCode`). */
export const EXIT_ARG_PARSE = 153;

/**
 * Parses Firecracker's command line. Pure. Returns an error text (the
 * process then exits 153) for an unknown flag or a missing value, and
 * for an `--id` outside 1–64 characters of `[A-Za-z0-9-]`.
 */
export function parseFakeArgs(argv: string[]): FakeArgs | string {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (BOOL_FLAGS.includes(arg)) flags.add(arg);
    else if (VALUE_FLAGS.includes(arg) && i + 1 < argv.length) {
      values.set(arg, argv[++i] ?? '');
    } else return `unexpected argument ${arg}`;
  }
  const id = values.get('--id') ?? 'anonymous-instance';
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) return `invalid instance id ${id}`;
  return {
    apiSock: values.get('--api-sock') ?? '/run/firecracker.socket',
    id,
    payloadLimit: Number(values.get('--http-api-max-payload-size') ?? 51_200),
    version: flags.has('--version'),
  };
}
