import { randomUUID } from 'node:crypto';
import type { Logger } from '../lib/logger.js';
import type { FaultInjector } from './fault-injector.js';
import type { SimEvent, SimState } from './sim-state.js';
import type { Job, JobStatus, ProjectHook } from './types.js';

/** One webhook POST (or a dropped one), as tests read it back. */
export interface HookDelivery {
  id: number;
  hookId: number;
  url: string;
  jobId: number;
  buildStatus: JobStatus;
  idempotencyKey: string;
  webhookUuid: string;
  headers: Record<string, string>;
  body: string;
  outcome: 'queued' | 'held' | 'delivered' | 'failed' | 'dropped';
  responseStatus: number | null;
  error: string | null;
  createdAt: Date;
  sentAt: Date | null;
  resend: boolean;
}

export interface WebhookEmitterOptions {
  state: SimState;
  faults: FaultInjector;
  logger: Logger;
  userAgent: string;
  instanceUrl(): string;
  payload(job: Job, status: JobStatus): unknown;
  timeoutMs?: number;
}

/** Job Hooks fire on these statuses only (reference §2.1). */
const HOOK_STATUSES: readonly JobStatus[] = [
  'created',
  'pending',
  'running',
  'success',
  'failed',
  'canceled',
];

/**
 * Sends Job Hooks like GitLab: asynchronously after the status change,
 * fire-and-forget, a 10 s timeout, and no retry on failure (§2.3). Every
 * attempt is logged in `deliveries()`; faults from the injector can drop,
 * duplicate (same Idempotency-Key), delay or reorder deliveries.
 */
export class WebhookEmitter {
  #options: WebhookEmitterOptions;
  #log: HookDelivery[] = [];
  #held: HookDelivery[] = [];
  #inFlight = new Set<Promise<void>>();
  #timers = new Set<NodeJS.Timeout>();
  #closed = false;

  constructor(options: WebhookEmitterOptions) {
    this.#options = options;
  }

  /** Listener for `SimState.listen`. */
  readonly handle = (event: SimEvent): void => {
    if (event.kind !== 'job' || !HOOK_STATUSES.includes(event.status)) return;
    const hooks = [...this.#options.state.hooks.values()].filter(
      (hook) => hook.projectId === event.job.projectId && hook.jobEvents,
    );
    if (hooks.length === 0) return;

    const body = JSON.stringify(this.#options.payload(event.job, event.status));
    // One recursion-detection UUID per originating change, shared by hooks.
    const eventUuid = randomUUID();
    for (const hook of hooks) {
      this.#enqueue(this.#newDelivery(hook, event, body, eventUuid));
    }
  };

  deliveries(): readonly HookDelivery[] {
    return this.#log;
  }

  /** Sends a logged delivery again with its Idempotency-Key (Resend). */
  resend(deliveryId: number): Promise<HookDelivery> {
    const original = this.#log.find((d) => d.id === deliveryId);
    if (!original) throw new Error(`no hook delivery ${deliveryId}`);
    const copy = this.#copyOf(original, true);
    this.#log.push(copy);
    return this.#send(copy).then(() => copy);
  }

  /**
   * Sends held (reordered) deliveries now, newest first: all at once, or
   * one every `gapMs` so that they also arrive in that order.
   */
  releaseHeld(gapMs = 0): void {
    const held = this.#held.reverse();
    this.#held = [];
    for (const [i, delivery] of held.entries()) {
      if (gapMs > 0) this.#schedule(delivery, i * gapMs);
      else this.#track(this.#send(delivery));
    }
  }

  /** Resolves when no delivery is in flight or waiting on a delay. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0 || this.#timers.size > 0) {
      await Promise.race([...this.#inFlight, delay(10)]);
    }
  }

  close(): void {
    this.#closed = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }

  #newDelivery(
    hook: ProjectHook,
    event: Extract<SimEvent, { kind: 'job' }>,
    body: string,
    eventUuid: string,
  ): HookDelivery {
    const idempotencyKey = randomUUID();
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': this.#options.userAgent,
      'Idempotency-Key': idempotencyKey,
      'X-Gitlab-Event': 'Job Hook',
      'X-Gitlab-Webhook-UUID': '',
      'X-Gitlab-Instance': this.#options.instanceUrl(),
      'X-Gitlab-Event-UUID': eventUuid,
    };
    if (hook.token) {
      headers['X-Gitlab-Token'] = hook.token.replace(/[\r\n]/g, '');
    }
    return {
      id: this.#log.length + 1,
      hookId: hook.id,
      url: hook.url,
      jobId: event.job.id,
      buildStatus: event.status,
      idempotencyKey,
      webhookUuid: '',
      headers,
      body,
      outcome: 'queued',
      responseStatus: null,
      error: null,
      createdAt: new Date(),
      sentAt: null,
      resend: false,
    };
  }

  #copyOf(delivery: HookDelivery, resend: boolean): HookDelivery {
    return {
      ...delivery,
      id: this.#log.length + 1,
      headers: { ...delivery.headers },
      outcome: 'queued',
      responseStatus: null,
      error: null,
      createdAt: new Date(),
      sentAt: null,
      resend,
    };
  }

  #enqueue(delivery: HookDelivery): void {
    this.#log.push(delivery);
    const fault = this.#options.faults.takeHookFault();
    if (fault.drop) {
      delivery.outcome = 'dropped';
      return;
    }
    const copies = [delivery];
    for (let i = 1; i < fault.copies; i++) {
      const copy = this.#copyOf(delivery, false);
      this.#log.push(copy);
      copies.push(copy);
    }
    if (fault.hold) {
      for (const copy of copies) copy.outcome = 'held';
      this.#held.push(...copies);
      if (fault.releaseHeld) this.releaseHeld(fault.releaseGapMs);
      return;
    }
    // Always asynchronous: GitLab enqueues a Sidekiq job after commit.
    for (const copy of copies) this.#schedule(copy, fault.delayMs);
  }

  #schedule(delivery: HookDelivery, delayMs: number): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      this.#track(this.#send(delivery));
    }, delayMs);
    this.#timers.add(timer);
  }

  #track(promise: Promise<void>): void {
    this.#inFlight.add(promise);
    void promise.finally(() => this.#inFlight.delete(promise));
  }

  async #send(delivery: HookDelivery): Promise<void> {
    if (this.#closed) return;
    const { url, authorization } = splitCredentials(delivery.url);
    // X-Gitlab-Webhook-UUID is random per HTTP request (§2.3).
    delivery.webhookUuid = randomUUID();
    delivery.headers['X-Gitlab-Webhook-UUID'] = delivery.webhookUuid;
    const headers = { ...delivery.headers };
    if (authorization) headers['Authorization'] = authorization;
    delivery.sentAt = new Date();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: delivery.body,
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
      await response.arrayBuffer();
      delivery.responseStatus = response.status;
      delivery.outcome = response.ok ? 'delivered' : 'failed';
    } catch (error) {
      delivery.outcome = 'failed';
      delivery.error = error instanceof Error ? error.message : String(error);
      this.#options.logger.debug(
        { hookId: delivery.hookId, err: delivery.error },
        'webhook delivery failed (not retried, like GitLab)',
      );
    }
  }
}

/** GitLab sends basic auth when the hook URL carries userinfo (§2.3). */
function splitCredentials(raw: string): {
  url: string;
  authorization: string | null;
} {
  const url = new URL(raw);
  if (!url.username && !url.password) return { url: raw, authorization: null };
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  const basic = Buffer.from(`${user}:${pass}`).toString('base64');
  return { url: url.toString(), authorization: `Basic ${basic}` };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
