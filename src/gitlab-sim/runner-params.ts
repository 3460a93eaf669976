import {
  boolParam,
  intParam,
  listParam,
  stringParam,
} from './request-params.js';
import type { Params } from './request-params.js';
import type { Runner } from './types.js';

export type RunnerSettings = Partial<
  Pick<
    Runner,
    | 'description'
    | 'paused'
    | 'tags'
    | 'runUntagged'
    | 'locked'
    | 'accessLevel'
    | 'maximumTimeout'
    | 'maintenanceNote'
  >
>;

/**
 * Reads the runner settings shared by `POST /user/runners` and
 * `PUT /runners/:id`, returning GitLab's validation message on the first
 * bad value. `active` is the deprecated inverse of `paused`.
 */
export function runnerSettings(
  params: Params,
): { settings: RunnerSettings } | { error: string } {
  const settings: RunnerSettings = {};
  const bools: [string, 'paused' | 'runUntagged' | 'locked'][] = [
    ['paused', 'paused'],
    ['run_untagged', 'runUntagged'],
    ['locked', 'locked'],
  ];
  for (const [name, key] of bools) {
    const value = boolParam(params[name]);
    if (value === null) return { error: `${name} is invalid` };
    if (value !== undefined) settings[key] = value;
  }
  const active = boolParam(params['active']);
  if (active === null) return { error: 'active is invalid' };
  if (active !== undefined && settings.paused === undefined) {
    settings.paused = !active;
  }
  return readOthers(params, settings);
}

function readOthers(
  params: Params,
  settings: RunnerSettings,
): { settings: RunnerSettings } | { error: string } {
  const tags = listParam(params['tag_list']);
  if (tags !== undefined) settings.tags = [...new Set(tags)];
  const description = stringParam(params['description']);
  if (description !== undefined) settings.description = description;
  const note = stringParam(params['maintenance_note']);
  if (note !== undefined) settings.maintenanceNote = note;

  const level = params['access_level'];
  if (level !== undefined) {
    if (level !== 'not_protected' && level !== 'ref_protected') {
      return { error: 'access_level does not have a valid value' };
    }
    settings.accessLevel = level;
  }
  const timeout = intParam(params['maximum_timeout']);
  if (timeout === null) return { error: 'maximum_timeout is invalid' };
  if (timeout !== undefined) settings.maximumTimeout = timeout;
  return { settings };
}

/**
 * `Ci::Runner` model validations that become `400 Bad request - ...`
 * (reference §1.1): tags required without run_untagged, at most 50 tags,
 * maximum_timeout of at least 600 s, description up to 1024 characters.
 */
export function runnerModelErrors(runner: RunnerSettings): string[] {
  const errors: string[] = [];
  if (runner.runUntagged === false && (runner.tags ?? []).length === 0) {
    errors.push(
      'Tags list can not be empty when runner is not allowed to pick untagged jobs',
    );
  }
  if ((runner.tags ?? []).length > 50) {
    errors.push('Tags list must be less than the maximum number of tags [50]');
  }
  if (runner.maximumTimeout != null && runner.maximumTimeout < 600) {
    errors.push('Maximum timeout needs to be at least 10 minutes');
  }
  if ((runner.description ?? '').length > 1024) {
    errors.push('Description is too long (maximum is 1024 characters)');
  }
  return errors;
}

/** Ruby's `Array#to_sentence`: "a", "a and b", "a, b, and c". */
export function toSentence(items: string[]): string {
  if (items.length <= 2) return items.join(' and ');
  return `${items.slice(0, -1).join(', ')}, and ${items.at(-1)}`;
}
