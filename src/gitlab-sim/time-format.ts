/**
 * Timestamp formats GitLab emits. REST and current webhooks use ISO 8601
 * with milliseconds; the webhook `_iso` twins drop the milliseconds; old
 * webhook deliveries used Ruby's `Time#to_s` (reference §2.2).
 */
export type HookTimeFormat = 'iso' | 'legacy';

export function isoMs(date: Date | null): string | null {
  return date ? date.toISOString() : null;
}

export function isoSeconds(date: Date | null): string | null {
  return date ? date.toISOString().replace(/\.\d{3}Z$/, 'Z') : null;
}

/** `2019-05-17 18:09:21 UTC`, the legacy webhook format. */
export function legacyUtc(date: Date | null): string | null {
  if (!date) return null;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function hookTime(
  date: Date | null,
  format: HookTimeFormat,
): string | null {
  return format === 'legacy' ? legacyUtc(date) : isoMs(date);
}

/** Seconds between two dates as a float, or null when one is missing. */
export function secondsBetween(
  from: Date | null,
  to: Date | null,
): number | null {
  if (!from || !to) return null;
  return (to.getTime() - from.getTime()) / 1000;
}
