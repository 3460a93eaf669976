/**
 * Test-controlled trouble. Webhook faults model what GitLab's delivery
 * really does wrong (reference §2.3: lost, duplicated, out of order);
 * request faults model an API under load (500, 429 + Retry-After) or a
 * broken network (a request that never answers, a reset connection).
 * Each rule is used up by `count` matching events ("all" = until clear).
 * A rule with `after` lets the request do its work first and then spoils
 * the answer: the change is made but the client never learns of it, as
 * when a proxy times out or a connection drops after GitLab committed.
 */
export interface RequestFaultRule {
  action: 'status' | 'hang' | 'reset';
  /** Answer status for `status` (default 500). */
  status?: number;
  /** Sent as `Retry-After` (seconds), e.g. with 429. */
  retryAfterSeconds?: number;
  count?: number | 'all';
  method?: string;
  /** Exact path, or a pattern tested against the path (no query). */
  path?: string | RegExp;
  /** Let the request take effect, then apply the fault to its answer. */
  after?: boolean;
}

export interface RequestFault {
  action: RequestFaultRule['action'];
  status: number;
  retryAfterSeconds: number | null;
  after: boolean;
}

/** A request fault that was used, for tests to read back. */
export interface AppliedFault extends RequestFault {
  method: string;
  path: string;
  /** When the fault was taken (ms since the epoch). */
  at: number;
}

/** What to do with one webhook delivery. */
export interface HookFault {
  drop: boolean;
  copies: number;
  delayMs: number;
  /** Hold this delivery for a reordered batch. */
  hold: boolean;
  /** Release the held batch (newest first) after this one. */
  releaseHeld: boolean;
  /** Time between two released deliveries, ms (0: all at once). */
  releaseGapMs: number;
}

interface Counted {
  remaining: number;
}

export class FaultInjector {
  #rules: (RequestFaultRule & Counted)[] = [];
  #dropAll = false;
  #drop = 0;
  #duplicate: Counted & { copies: number } = { remaining: 0, copies: 2 };
  #delay: Counted & { ms: number } = { remaining: 0, ms: 0 };
  #reorder = 0;
  #reorderGapMs = 0;
  #applied: AppliedFault[] = [];

  /** Drops the next `count` webhook deliveries ("all": every one). */
  dropHooks(count: number | 'all'): void {
    if (count === 'all') this.#dropAll = true;
    else this.#drop += count;
  }

  /** Sends the next `count` deliveries `copies` times, same key. */
  duplicateHooks(count: number, copies = 2): void {
    this.#duplicate = { remaining: count, copies };
  }

  /** Delays each of the next `count` deliveries by `ms`. */
  delayHooks(count: number, ms: number): void {
    this.#delay = { remaining: count, ms };
  }

  /**
   * Holds the next `count` deliveries, then sends them newest first;
   * `gapMs` apart, so that the receiver sees exactly that order.
   */
  reorderHooks(count: number, gapMs = 0): void {
    this.#reorder = count;
    this.#reorderGapMs = gapMs;
  }

  /** Adds a rule for the next matching API (or git) requests. */
  failRequests(rule: RequestFaultRule): void {
    const count = rule.count ?? 1;
    this.#rules.push({
      ...rule,
      remaining: count === 'all' ? Infinity : count,
    });
  }

  /** Every request fault used so far, oldest first (kept by `clear`). */
  applied(): readonly AppliedFault[] {
    return this.#applied;
  }

  clear(): void {
    this.#rules = [];
    this.#dropAll = false;
    this.#drop = 0;
    this.#duplicate.remaining = 0;
    this.#delay.remaining = 0;
    this.#reorder = 0;
  }

  /** Consumes the first rule matching this request, if any. */
  takeRequestFault(method: string, path: string): RequestFault | null {
    const rule = this.#rules.find(
      (r) => r.remaining > 0 && matches(r, method, path),
    );
    if (!rule) return null;
    rule.remaining--;
    const fault: RequestFault = {
      action: rule.action,
      status: rule.status ?? 500,
      retryAfterSeconds: rule.retryAfterSeconds ?? null,
      after: rule.after ?? false,
    };
    this.#applied.push({ ...fault, method, path, at: Date.now() });
    return fault;
  }

  /** Consumes the webhook fault state for one delivery. */
  takeHookFault(): HookFault {
    const fault: HookFault = {
      drop: this.#dropAll || this.#drop > 0,
      copies: 1,
      delayMs: 0,
      hold: false,
      releaseHeld: false,
      releaseGapMs: 0,
    };
    if (!this.#dropAll && this.#drop > 0) this.#drop--;
    if (fault.drop) return fault;

    if (take(this.#duplicate)) fault.copies = this.#duplicate.copies;
    if (take(this.#delay)) fault.delayMs = this.#delay.ms;
    if (this.#reorder > 0) {
      this.#reorder--;
      fault.hold = true;
      fault.releaseHeld = this.#reorder === 0;
      fault.releaseGapMs = this.#reorderGapMs;
    }
    return fault;
  }
}

function take(counter: Counted): boolean {
  if (counter.remaining <= 0) return false;
  counter.remaining--;
  return true;
}

function matches(rule: RequestFaultRule, method: string, path: string) {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) {
    return false;
  }
  if (rule.path === undefined) return true;
  return typeof rule.path === 'string'
    ? rule.path === path
    : rule.path.test(path);
}
