import { accessSync, closeSync, constants, openSync } from 'node:fs';
import { join } from 'node:path';
import type { FakeState } from './fake-state.js';

/**
 * Firecracker opens files when the PUT arrives, not at InstanceStart, and
 * answers 400 on that PUT when it cannot (reference/firecracker.md §1.4).
 * These helpers do the same checks; paths are resolved inside the jail
 * root when the fake runs jailed.
 */
export function hostPath(state: FakeState, path: string): string {
  return state.root ? join(state.root, path) : path;
}

/** An error text when `path` cannot be opened with `mode`, else undefined. */
export function cannotOpen(
  state: FakeState,
  path: string,
  mode: 'read' | 'read-write',
): string | undefined {
  const flags =
    mode === 'read' ? constants.R_OK : constants.R_OK | constants.W_OK;
  try {
    accessSync(hostPath(state, path), flags);
    return undefined;
  } catch (error) {
    return `cannot open ${path}: ${(error as NodeJS.ErrnoException).code}`;
  }
}

/** Creates `path` if missing (Firecracker does since 1.14). */
export function cannotCreate(
  state: FakeState,
  path: string,
): string | undefined {
  try {
    closeSync(openSync(hostPath(state, path), 'a'));
    return undefined;
  } catch (error) {
    return `cannot open ${path}: ${(error as NodeJS.ErrnoException).code}`;
  }
}
