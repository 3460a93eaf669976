/** How a set of durations spreads, in seconds (null when there are none). */
export interface Spread {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
}

/**
 * The median, 95th percentile (nearest rank: a value that occurred) and
 * maximum of durations given in ms, reported in seconds to 0.1 s.
 */
export function spreadOf(durationsMs: readonly number[]): Spread {
  if (durationsMs.length === 0)
    return { count: 0, p50: null, p95: null, max: null };
  const sorted = Float64Array.from(durationsMs).sort();
  const rank = (p: number) =>
    seconds(sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!);
  return {
    count: sorted.length,
    p50: rank(0.5),
    p95: rank(0.95),
    max: seconds(sorted[sorted.length - 1]!),
  };
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
