import { loadConfig } from '../config/load.js';
import { UserError } from '../lib/errors.js';
import { adminRequest } from './admin-client.js';

/** `firelab logs JOB`: the job's GitLab trace, then its VM's console. */
export async function runLogs(job: string, configPath: string): Promise<void> {
  if (!/^\d+$/.test(job))
    throw new UserError(`job id must be a number, not "${job}"`);
  const config = await loadConfig(configPath, 'client');
  const body = await adminRequest<{
    vmId?: string;
    trace?: string;
    console?: string;
  }>(config, 'GET', `/api/v1/jobs/${job}/logs`);
  process.stdout.write(`=== job ${job}: trace ===\n${body.trace ?? ''}\n`);
  process.stdout.write(
    `=== VM ${body.vmId ?? '-'}: console ===\n${body.console ?? ''}\n`,
  );
}
