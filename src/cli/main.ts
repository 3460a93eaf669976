import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { Command, Option } from 'commander';
import { runDemo } from '../demo/run-demo.js';
import { serveDemoGitlab } from '../demo/serve-gitlab.js';
import { errorMessage, UserError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { runDoctorCommand } from './doctor.js';
import { parseJobs, runImageBuild, runImageKernel } from './image.js';
import { runInsights } from './insights.js';
import { runLogs } from './logs.js';
import {
  runAgentDrain,
  runAgentForget,
  runAgentList,
  runAgentResume,
  runAgentToken,
} from './agent-admin.js';
import { runAgent, runServer, runUp } from './up.js';

/**
 * The `firelab` command. Each subcommand is a thin shell over a `run*`
 * function; a `UserError` prints one line and exits 2, anything else is a
 * bug and prints its stack.
 */
const program = new Command('firelab')
  .description('Every GitLab CI job in its own throwaway microVM')
  .showHelpAfterError();

program
  .command('up')
  .description('run the server and a local agent against a GitLab')
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .action((opts: { config: string }) => runUp(opts.config));

program
  .command('server')
  .description(
    'run a server only: webhooks, API and scheduling; agents connect to it',
  )
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .action((opts: { config: string }) => runServer(opts.config));

const agent = program
  .command('agent')
  .description('run an agent on a KVM host, or manage agents');
agent
  .command('run')
  .description("run this host's VMs for the server named in agent.server")
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .option(
    '--enrolment-token <token>',
    'one-time token for the first start (or FIRELAB_ENROLMENT_TOKEN)',
  )
  .action((opts: { config: string; enrolmentToken?: string }) =>
    runAgent(opts.config, opts),
  );
agent
  .command('token')
  .description('create a one-time enrolment token for a new agent')
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .option('--ttl <seconds>', 'how long the token stays valid', '3600')
  .action(runAgentToken);
agent
  .command('list')
  .description('list agents, their state and their VMs')
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .action(runAgentList);
agent
  .command('drain')
  .description('stop placing VMs on an agent and wait for its VMs to end')
  .argument('<name>', 'agent name')
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .option('--no-wait', 'return at once instead of waiting')
  .action(runAgentDrain);
agent
  .command('forget')
  .description("drop an agent's credential so its name can be enrolled again")
  .argument('<name>', 'agent name')
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .action(runAgentForget);
agent
  .command('resume')
  .description('let a drained agent take VMs again')
  .argument('<name>', 'agent name')
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .action(runAgentResume);

program
  .command('insights')
  .description(
    'usage, waits, utilisation, cost and hints for a window (from the server)',
  )
  .requiredOption('-c, --config <file>', "the server's configuration file")
  .option('--window <span>', 'hours or days up to 90d: 24h, 7d, 30d', '7d')
  .option('--json', 'print the whole report as JSON')
  .action(runInsights);

program
  .command('demo')
  .description(
    'run a sample pipeline end to end with the bundled GitLab stand-in',
  )
  .option('--json', 'print a JSON report instead of live lines')
  .option(
    '--state-dir <dir>',
    'where the demo keeps its files',
    '/var/lib/firelab-demo',
  )
  .option(
    '--image-cache <dir>',
    'guest image cache',
    '/var/cache/firelab/images',
  )
  .option(
    '--serve-gitlab',
    'only run the GitLab stand-in, with a `firelab up` config for it, until Ctrl-C',
  )
  .option(
    '--listen <host:port>',
    'with --serve-gitlab: where that config has firelab listen',
    '127.0.0.1:8710',
  )
  .action(
    async (opts: {
      json?: boolean;
      stateDir: string;
      imageCache: string;
      serveGitlab?: boolean;
      listen: string;
    }) => {
      if (opts.serveGitlab) return serveGitlabUntilStopped(opts);
      // Ctrl-C stops the VMs and the stand-in before exiting; a second
      // one exits at once (the next agent start cleans what is left).
      const abort = new AbortController();
      process.once('SIGINT', () => {
        console.error('firelab: stopping the demo (Ctrl-C again to quit now)');
        abort.abort();
        process.once('SIGINT', () => process.exit(130));
      });
      const result = await runDemo({
        signal: abort.signal,
        json: opts.json ?? false,
        stateDir: opts.stateDir,
        imageCache: opts.imageCache,
      }).catch((error: unknown) => {
        if (abort.signal.aborted) process.exit(130);
        throw error;
      });
      process.exitCode = result.ok ? 0 : 1;
    },
  );

async function serveGitlabUntilStopped(opts: {
  stateDir: string;
  imageCache: string;
  listen: string;
}): Promise<void> {
  const log = createLogger({ level: 'warn' });
  const served = await serveDemoGitlab({ ...opts, log }).catch(
    (error: unknown) => {
      throw new UserError(errorMessage(error));
    },
  );
  served.instructions.forEach((line) => console.log(line));
  await new Promise((resolve) => process.once('SIGINT', resolve));
  await served.close();
}

program.version(
  (createRequire(import.meta.url)('../../package.json') as { version: string })
    .version,
);

program
  .command('logs')
  .description("print a job's trace and its VM's serial console")
  .argument('<job>', 'GitLab job id')
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .action((job: string, opts: { config: string }) => runLogs(job, opts.config));

const image = program.command('image').description('guest images');

image
  .command('build')
  .description(
    'build (or find in the cache) the guest kernel, initramfs and root filesystem',
  )
  .addOption(
    new Option('--profile <profile>', 'what goes into the image')
      .choices(['test', 'production'])
      .default('production'),
  )
  .addOption(
    new Option('--arch <arch>', 'guest architecture')
      .choices(['x86_64', 'arm64'])
      .default('x86_64'),
  )
  .option('--cache-dir <dir>', 'image cache', '/var/cache/firelab/images')
  .option(
    '--runner-package-url <url>',
    'where production images get gitlab-runner',
  )
  .action(runImageBuild);

image
  .command('kernel')
  .description(
    "build a Firecracker guest kernel from Debian's kernel source " +
      '(long: a full kernel build)',
  )
  .addOption(
    new Option('--arch <arch>', 'guest architecture')
      .choices(['x86_64', 'arm64'])
      .default(process.arch === 'arm64' ? 'arm64' : 'x86_64'),
  )
  .option(
    '--source-dir <dir>',
    'an unpacked kernel tree (default: unpack the linux-source-6.1 package)',
  )
  .option(
    '--work-dir <dir>',
    'where the source is unpacked',
    '/var/cache/firelab/kernel-build',
  )
  .option(
    '--out-dir <dir>',
    'where the kernel goes (default: /var/lib/firelab/kernel/<arch>)',
  )
  .option('--jobs <n>', 'parallel make jobs', parseJobs, cpus().length)
  .option('--no-install', 'do not apt-get the source and build tools')
  .option('--dry-run', 'print the steps and change nothing')
  .action(runImageKernel);

program
  .command('doctor')
  .description('check that this host can run firelab VMs, and say what to fix')
  .option('--json', 'print the report as JSON')
  .addOption(
    new Option('--hypervisor <name>', 'the hypervisor you intend to use')
      .choices(['auto', 'firecracker', 'qemu'])
      .default('auto'),
  )
  .option('--cache-dir <dir>', 'image cache', '/var/cache/firelab/images')
  .option('--firecracker-bin <path>', 'firecracker binary', 'firecracker')
  .option('--jailer-bin <path>', 'jailer binary', 'jailer')
  .action(runDoctorCommand);

// A peer that resets a socket (a VM killed mid-request, a relay torn
// down) must not take the whole server and its VMs down with it. Such
// resets are logged; any other uncaught error is a bug and still crashes.
process.on('uncaughtException', (error: NodeJS.ErrnoException) => {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
    console.error(
      `firelab: ignored a connection reset: ${error.stack ?? error.message}`,
    );
    return;
  }
  console.error(error);
  process.exit(1);
});

program.parseAsync().catch((error: unknown) => {
  if (error instanceof UserError) {
    console.error(`firelab: ${error.message}`);
    process.exit(2);
  }
  console.error(error);
  process.exit(1);
});
