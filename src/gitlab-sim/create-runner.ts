import type { SimContext } from './context.js';
import { intParam } from './request-params.js';
import type { Params } from './request-params.js';
import type { RunnerSettings } from './runner-params.js';
import { digestToken, newRunnerToken } from './secrets.js';
import type { Runner, RunnerType, User } from './types.js';

const TYPE_DIGIT = {
  instance_type: 1,
  group_type: 2,
  project_type: 3,
} as const;

/**
 * Creates a runner owned by `user` (`POST /user/runners`). The token is
 * returned once and stored only as a digest. Scope rules (reference
 * §1.1): instance runners need an administrator, group runners an owner
 * of the group, project runners a maintainer (here: member) of the
 * project.
 */
export function createRunner(
  ctx: SimContext,
  user: User,
  type: RunnerType,
  params: Params,
  settings: RunnerSettings,
):
  | { id: number; token: string; token_expires_at: null }
  | { status: 400 | 403; message?: string } {
  const scope = scopeOf(ctx, user, type, params);
  if ('status' in scope) return scope;

  const token = newRunnerToken(TYPE_DIGIT[type]);
  const runner: Runner = {
    id: ctx.state.nextId('runner'),
    tokenDigest: digestToken(token),
    tokenExpiresAt: null,
    description: settings.description ?? '',
    runnerType: type,
    projectId: scope.projectId,
    groupId: scope.groupId,
    creatorId: user.id,
    tags: settings.tags ?? [],
    runUntagged: settings.runUntagged ?? true,
    locked: settings.locked ?? false,
    paused: settings.paused ?? false,
    accessLevel: settings.accessLevel ?? 'not_protected',
    maximumTimeout: settings.maximumTimeout ?? null,
    maintenanceNote: settings.maintenanceNote ?? '',
    createdAt: new Date(),
    contactedAt: null,
    info: {},
  };
  ctx.state.runners.set(runner.id, runner);
  ctx.state.createdRunners.push(runner);
  return { id: runner.id, token, token_expires_at: null };
}

function scopeOf(
  ctx: SimContext,
  user: User,
  type: RunnerType,
  params: Params,
):
  | { projectId: number | null; groupId: number | null }
  | { status: 400 | 403; message?: string } {
  if (type === 'instance_type') {
    return user.admin ? { projectId: null, groupId: null } : { status: 403 };
  }
  const key = type === 'project_type' ? 'project_id' : 'group_id';
  const id = intParam(params[key]);
  if (!id) return { status: 400, message: `${key} is missing` };
  if (type === 'project_type') {
    const project = ctx.state.projects.get(id);
    if (!project) return { status: 403 };
    const allowed = user.admin || project.memberIds.has(user.id);
    return allowed ? { projectId: id, groupId: null } : { status: 403 };
  }
  const inGroup = [...ctx.state.projects.values()].some(
    (p) => p.namespace.id === id && p.memberIds.has(user.id),
  );
  if (!ctx.state.namespaces.has(id)) return { status: 403 };
  return user.admin || inGroup
    ? { projectId: null, groupId: id }
    : { status: 403 };
}
