import { readFile } from 'node:fs/promises';
import { callsFile } from './fake-behaviour.js';
import type { RecordedCall } from './fake-firecracker.js';

/** The API calls the fake Firecracker of VM `id` recorded, in order. */
export async function recordedCalls(
  dir: string,
  id: string,
): Promise<RecordedCall[]> {
  const text = await readFile(callsFile(dir, id), 'utf8');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as RecordedCall);
}

/** Whether a recorded call is `PUT /actions` with this action type. */
export function isAction(call: RecordedCall, action: string): boolean {
  return (call.body as { action_type?: string })?.action_type === action;
}
