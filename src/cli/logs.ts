import { loadConfig } from '../config/load.js';
import { UserError } from '../lib/errors.js';

/** `firelab logs JOB`: the job's GitLab trace, then its VM's console. */
export async function runLogs(job: string, configPath: string): Promise<void> {
  if (!/^\d+$/.test(job))
    throw new UserError(`job id must be a number, not "${job}"`);
  const config = await loadConfig(configPath);
  const url = `http://${config.server.listen}/api/v1/jobs/${job}/logs`;

  let response: Response;
  try {
    response = await fetch(url, {
      headers: { authorization: `Bearer ${config.server.adminToken}` },
    });
  } catch {
    throw new UserError(
      `cannot reach the firelab server at ${config.server.listen}`,
    );
  }
  const body = (await response.json()) as {
    error?: string;
    vmId?: string;
    trace?: string;
    console?: string;
  };
  if (!response.ok)
    throw new UserError(body.error ?? `server answered ${response.status}`);

  process.stdout.write(`=== job ${job}: trace ===\n${body.trace ?? ''}\n`);
  process.stdout.write(
    `=== VM ${body.vmId ?? '-'}: console ===\n${body.console ?? ''}\n`,
  );
}
