import { traceChecksum } from './crc32.js';

/**
 * A minimal runner for test doubles of VMs: it speaks the runner job
 * protocol (gitlab-protocol.md §4) to a GitLab URL with a runner token:
 * polls `POST /jobs/request` until it gets a job or `waitMs` passes, acks
 * with `PUT state=running`, sends one trace chunk with an inclusive
 * Content-Range, and reports success with the trace checksum. Resolves
 * with the job id it ran, or null when it got none.
 */
export async function runOneJob(opts: {
  gitlabUrl: string;
  runnerToken: string;
  waitMs: number;
  stopped?: () => boolean;
  trace?: string;
  /** How long the "job" runs; a stop meanwhile abandons it unreported. */
  jobMs?: number;
}): Promise<number | null> {
  const api = `${opts.gitlabUrl}/api/v4`;
  const until = Date.now() + opts.waitMs;
  while (!opts.stopped?.() && Date.now() < until) {
    const response = await send('POST', `${api}/jobs/request`, {
      token: opts.runnerToken,
      info: { features: { two_phase_job_commit: true, trace_checksum: true } },
    });
    if (response.status === 201) {
      const job = (await response.json()) as { id: number; token: string };
      await finishJob(api, job, opts.trace ?? 'hello from a test runner\n', {
        jobMs: opts.jobMs ?? 0,
        stopped: opts.stopped ?? (() => false),
      });
      return job.id;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return null;
}

async function finishJob(
  api: string,
  job: { id: number; token: string },
  trace: string,
  run: { jobMs: number; stopped: () => boolean },
): Promise<void> {
  const headers = { 'job-token': job.token };
  await send('PUT', `${api}/jobs/${job.id}`, {
    token: job.token,
    state: 'running',
  });
  const until = Date.now() + run.jobMs;
  while (Date.now() < until) {
    // Like a VM killed mid-job: nothing more is reported.
    if (run.stopped()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await fetch(`${api}/jobs/${job.id}/trace`, {
    method: 'PATCH',
    headers: {
      ...headers,
      'content-type': 'text/plain',
      'content-range': `0-${Buffer.byteLength(trace) - 1}`,
    },
    body: trace,
  });
  await send('PUT', `${api}/jobs/${job.id}`, {
    token: job.token,
    state: 'success',
    output: {
      checksum: traceChecksum(Buffer.from(trace)),
      bytesize: Buffer.byteLength(trace),
    },
  });
}

function send(method: string, url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
