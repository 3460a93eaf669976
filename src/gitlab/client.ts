import type { Logger } from '../lib/logger.js';
import { DEFAULT_RETRY, withRetry } from './retry.js';
import type { RetryPolicy } from './retry.js';
import type {
  CreatedRunner,
  CreateRunnerRequest,
  GitlabJob,
  GitlabProject,
  GitlabRunner,
} from './types.js';

/** A GitLab API answer that was not a success, with its status. */
export class GitlabApiError extends Error {
  override name = 'GitlabApiError';
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(status: number, message: string, retryAfterMs?: number) {
    super(message);
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

export interface GitlabClientOptions {
  url: string;
  token: string;
  log: Logger;
  timeoutMs?: number;
  retry?: RetryPolicy;
}

const RETRYABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);
/** Connection failures where the request cannot have been processed. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The GitLab REST API as firelab uses it. Reads retry on 429/5xx, timeouts
 * and resets with jittered backoff; runner creation retries only when the
 * request cannot have created anything (429, refused connection), so a
 * retry never makes a second runner. The token never reaches a log line
 * or an error message.
 */
export class GitlabClient {
  readonly url: string;
  #token: string;
  #log: Logger;
  #timeoutMs: number;
  #retry: RetryPolicy;

  constructor(options: GitlabClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#log = options.log;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#retry = options.retry ?? DEFAULT_RETRY;
  }

  createRunner(request: CreateRunnerRequest): Promise<CreatedRunner> {
    const body = {
      runner_type: 'project_type',
      project_id: request.projectId,
      description: request.description,
      tag_list: request.tags,
      run_untagged: false,
      locked: true,
      access_level: 'not_protected',
      maximum_timeout: request.maximumTimeout,
    };
    return this.#call('POST', '/user/runners', body, createIsRetryable);
  }

  /** Deletes a runner; a runner that is already gone counts as deleted. */
  async deleteRunner(runnerId: number): Promise<void> {
    try {
      await this.#call('DELETE', `/runners/${runnerId}`);
    } catch (error) {
      if (error instanceof GitlabApiError && error.status === 404) return;
      throw error;
    }
  }

  /** Pauses a runner (it takes no more jobs), renaming it if asked. */
  async pauseRunner(runnerId: number, description?: string): Promise<void> {
    await this.#call('PUT', `/runners/${runnerId}`, {
      paused: true,
      ...(description === undefined ? {} : { description }),
    });
  }

  /** Runners the token's user can see, optionally filtered by tags. */
  listRunners(): Promise<GitlabRunner[]> {
    return this.#paged('/runners?type=project_type');
  }

  /** Jobs a runner has taken, newest first. */
  listRunnerJobs(runnerId: number): Promise<GitlabJob[]> {
    return this.#call('GET', `/runners/${runnerId}/jobs?order_by=id&sort=desc`);
  }

  listPendingJobs(projectId: number): Promise<GitlabJob[]> {
    return this.#paged(`/projects/${projectId}/jobs?scope[]=pending`);
  }

  getProject(projectId: number): Promise<GitlabProject> {
    return this.#call('GET', `/projects/${projectId}`);
  }

  getJob(projectId: number, jobId: number): Promise<GitlabJob> {
    return this.#call('GET', `/projects/${projectId}/jobs/${jobId}`);
  }

  /**
   * Cancels a job; `force` also ends one stuck in `canceling` (its runner
   * gone, nobody will report for it).
   */
  async cancelJob(
    projectId: number,
    jobId: number,
    options = { force: false },
  ): Promise<GitlabJob> {
    const query = options.force ? '?force=true' : '';
    return this.#call(
      'POST',
      `/projects/${projectId}/jobs/${jobId}/cancel${query}`,
    );
  }

  /**
   * Retries a finished job as a new job. Not repeated after an answer
   * could have been lost: that could leave two copies.
   */
  async retryJob(projectId: number, jobId: number): Promise<GitlabJob> {
    return this.#call(
      'POST',
      `/projects/${projectId}/jobs/${jobId}/retry`,
      undefined,
      createIsRetryable,
    );
  }

  /** A job's log as GitLab stores it (plain text). */
  async getTrace(projectId: number, jobId: number): Promise<string> {
    return this.#call('GET', `/projects/${projectId}/jobs/${jobId}/trace`);
  }

  async #paged<T>(path: string): Promise<T[]> {
    const all: T[] = [];
    let page: string | null = '1';
    for (let i = 0; page && i < 50; i++) {
      const separator = path.includes('?') ? '&' : '?';
      const response: { body: T[]; next: string | null } = await this.#request<
        T[]
      >(
        'GET',
        `${path}${separator}per_page=100&page=${page}`,
        undefined,
        readIsRetryable,
      );
      all.push(...response.body);
      page = response.next;
    }
    return all;
  }

  async #call<T>(
    method: string,
    path: string,
    body?: unknown,
    isRetryable = readIsRetryable,
  ): Promise<T> {
    return (await this.#request<T>(method, path, body, isRetryable)).body;
  }

  #request<T>(
    method: string,
    path: string,
    body: unknown,
    isRetryable: typeof readIsRetryable,
  ): Promise<{ body: T; next: string | null }> {
    const attempt = async (n: number) => {
      if (n > 1)
        this.#log.warn({ method, path, attempt: n }, 'retrying GitLab');
      return this.#once<T>(method, path, body);
    };
    return withRetry(attempt, isRetryable, this.#retry).catch((error) => {
      throw describe(method, path, error);
    });
  }

  async #once<T>(
    method: string,
    path: string,
    body: unknown,
  ): Promise<{ body: T; next: string | null }> {
    const response = await fetch(`${this.url}/api/v4${path}`, {
      method,
      headers: {
        'PRIVATE-TOKEN': this.#token,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.#timeoutMs),
    });
    const text = await response.text();
    if (!response.ok) {
      throw new GitlabApiError(
        response.status,
        `HTTP ${response.status}: ${summarise(text)}`,
        retryAfterMs(response.headers.get('retry-after')),
      );
    }
    const next = response.headers.get('x-next-page') || null;
    const isJson = response.headers.get('content-type')?.includes('json');
    // Every endpoint used answers JSON except a job's trace (plain text);
    // an HTML page here means gitlab.url points at something else.
    const expect = path.endsWith('/trace') ? 'text' : 'json';
    if (expect === 'json' && text && !isJson) {
      throw new GitlabApiError(
        response.status,
        `expected JSON, got ${response.headers.get('content-type') ?? 'no content type'} (is gitlab.url right?)`,
      );
    }
    const parsed = text && isJson ? JSON.parse(text) : text || undefined;
    return { body: parsed as T, next };
  }
}

function readIsRetryable(error: unknown) {
  if (error instanceof GitlabApiError) {
    return {
      retry: RETRYABLE_STATUS.has(error.status),
      delayHintMs: error.retryAfterMs,
    };
  }
  return { retry: true };
}

function createIsRetryable(error: unknown) {
  if (error instanceof GitlabApiError) {
    return { retry: error.status === 429, delayHintMs: error.retryAfterMs };
  }
  return { retry: UNSENT_CODES.has(causeCode(error)) };
}

function causeCode(error: unknown): string {
  const cause = (
    error as { cause?: { code?: string; errors?: { code?: string }[] } }
  ).cause;
  // A refused connection to a name with several addresses arrives as an
  // AggregateError whose parts carry the code.
  return cause?.code ?? cause?.errors?.[0]?.code ?? '';
}

function retryAfterMs(header: string | null): number | undefined {
  const seconds = Number(header);
  return header && Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function summarise(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 200) || '(empty body)';
}

function describe(method: string, path: string, error: unknown): Error {
  const route = `${method} ${path.split('?')[0]}`;
  if (error instanceof GitlabApiError) {
    return new GitlabApiError(
      error.status,
      `GitLab ${route}: ${error.message}`,
      error.retryAfterMs,
    );
  }
  const code = causeCode(error);
  const reason = code || (error as Error).message;
  return new Error(`GitLab ${route}: ${reason}`, { cause: error });
}
