import type { SimContext } from './context.js';
import type { Job, Project, Runner, User } from './types.js';

/**
 * Who may see what. The simulator has two roles: administrators see
 * everything; other users see the projects they are members of (as
 * Maintainers) and the runners they created or that belong to those
 * projects. GitLab answers 404 rather than 403 for invisible projects.
 */
export function visibleProject(
  ctx: SimContext,
  user: User,
  idOrPath: string,
): Project | null {
  const project = ctx.state.findProject(idOrPath);
  if (!project) return null;
  return user.admin || project.memberIds.has(user.id) ? project : null;
}

export function visibleRunner(
  ctx: SimContext,
  user: User,
  id: string,
): Runner | null {
  const runner = /^\d+$/.test(id) ? ctx.state.runners.get(Number(id)) : null;
  if (!runner) return null;
  return canSeeRunner(ctx, user, runner) ? runner : null;
}

export function canSeeRunner(
  ctx: SimContext,
  user: User,
  runner: Runner,
): boolean {
  if (user.admin || runner.creatorId === user.id) return true;
  if (runner.projectId === null) return false;
  return (
    ctx.state.projects.get(runner.projectId)?.memberIds.has(user.id) ?? false
  );
}

export function jobOfProject(
  ctx: SimContext,
  project: Project,
  id: string,
): Job | null {
  const job = /^\d+$/.test(id) ? ctx.state.jobs.get(Number(id)) : undefined;
  return job && job.projectId === project.id ? job : null;
}
