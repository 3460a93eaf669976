import type { HttpMethod } from './unix-http.js';

/**
 * One Firecracker API request as data, so the boot sequence can be a pure,
 * table-tested list (see `bootPlan`). `secret` marks a body that may hold
 * secrets (only `/mmds`): callers must never log or echo it.
 */
export interface ApiCall {
  method: HttpMethod;
  path: string;
  body?: unknown;
  secret?: boolean;
}

/** The path of a per-id resource, e.g. `/drives/rootfs`. */
export function resourcePath(kind: string, id: string): string {
  return `/${kind}/${encodeURIComponent(id)}`;
}
