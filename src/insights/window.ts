export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** The longest window a report covers: its queries stay bounded. */
export const MAX_WINDOW_MS = 90 * DAY_MS;

/**
 * The period a report covers, [from, to) in ms since the epoch, and the
 * width of the time series' buckets (the first starts at `from`; the last
 * may be shorter).
 */
export interface InsightsWindow {
  spec: string;
  from: number;
  to: number;
  bucketMs: number;
}

const SPEC = /^([1-9]\d{0,3})([hd])$/;

/**
 * The length of a window written as whole hours or days ("24h", "7d",
 * "30d"); undefined when `spec` is not one or exceeds 90 days.
 */
export function windowLength(spec: string): number | undefined {
  const match = SPEC.exec(spec);
  if (!match) return undefined;
  const ms = Number(match[1]) * (match[2] === 'h' ? HOUR_MS : DAY_MS);
  return ms <= MAX_WINDOW_MS ? ms : undefined;
}

/**
 * The window of length `spec` that ends at `now`: hourly buckets up to a
 * week (at most 168 points), daily ones beyond.
 */
export function windowEndingAt(spec: string, now: number): InsightsWindow {
  const length = windowLength(spec);
  if (length === undefined) throw new Error(`not a window: ${spec}`);
  return {
    spec,
    from: now - length,
    to: now,
    bucketMs: length <= 7 * DAY_MS ? HOUR_MS : DAY_MS,
  };
}

/** The window of the same length just before `window`, for comparison. */
export function previousWindow(window: InsightsWindow): InsightsWindow {
  const length = window.to - window.from;
  return { ...window, from: window.from - length, to: window.from };
}

/** Milliseconds that [start, end) and [from, to) share; 0 when apart. */
export function overlapMs(
  start: number,
  end: number,
  from: number,
  to: number,
): number {
  return Math.max(0, Math.min(end, to) - Math.max(start, from));
}
