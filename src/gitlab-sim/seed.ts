import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { SimContext } from './context.js';
import { createPipeline } from './create-pipeline.js';
import type { CommitFiles } from './git-repos.js';
import { digestToken, newPersonalToken } from './secrets.js';
import type { Pipeline, Project, User } from './types.js';

/**
 * The writes tests and the demo make directly (not over HTTP): users with
 * a personal access token, projects with a bare repository, and pushes
 * that create pipelines like a `git push` does.
 */
export function createUser(
  ctx: SimContext,
  options: { username: string; name?: string; email?: string; admin?: boolean },
): { user: User; token: string } {
  const token = newPersonalToken();
  const user: User = {
    id: ctx.state.nextId('user'),
    username: options.username,
    name: options.name ?? options.username,
    email: options.email ?? `${options.username}@example.com`,
    admin: options.admin ?? false,
    tokenDigests: [digestToken(token)],
  };
  ctx.state.users.set(user.id, user);
  return { user, token };
}

/** Creates `<namespace>/<path>` (and the namespace when new). */
export async function createProject(
  ctx: SimContext,
  options: { namespace: string; name: string; path?: string; members: User[] },
): Promise<Project> {
  const path = options.path ?? slug(options.name);
  const namespace = namespaceFor(ctx, options.namespace);
  const project: Project = {
    id: ctx.state.nextId('project'),
    path,
    name: options.name,
    namespace,
    pathWithNamespace: `${namespace.path}/${path}`,
    defaultBranch: 'main',
    memberIds: new Set(options.members.map((u) => u.id)),
    createdAt: new Date(),
  };
  if (ctx.state.findProject(project.pathWithNamespace)) {
    throw new Error(`project ${project.pathWithNamespace} already exists`);
  }
  await ctx.repos.init(project.pathWithNamespace);
  ctx.state.projects.set(project.id, project);
  return project;
}

function namespaceFor(ctx: SimContext, path: string) {
  const existing = [...ctx.state.namespaces.values()].find(
    (n) => n.path === path,
  );
  if (existing) return existing;
  const namespace = {
    id: ctx.state.nextId('namespace'),
    path,
    name: titleize(path),
  };
  ctx.state.namespaces.set(namespace.id, namespace);
  return namespace;
}

/**
 * Commits `files` on `main` as `author` and, when the new tree has a
 * `.gitlab-ci.yml`, creates its pipeline and the persistent
 * `refs/pipelines/<id>` ref a runner fetches.
 */
export async function pushFiles(
  ctx: SimContext,
  project: Project,
  files: CommitFiles,
  message: string,
  author: User,
): Promise<{ sha: string; pipeline: Pipeline | null }> {
  const commit = await ctx.repos.commit(project.pathWithNamespace, {
    files,
    message,
    authorName: author.name,
    authorEmail: author.email,
  });
  if (commit.ciYaml === null) return { sha: commit.sha, pipeline: null };

  // The ref exists before any job is pending, so no runner misses it.
  const pipelineId = ctx.state.nextId('pipeline');
  const ref = `refs/pipelines/${pipelineId}`;
  await ctx.repos.updateRef(project.pathWithNamespace, ref, commit.sha);
  const pipeline = createPipeline(
    ctx.state,
    {
      pipelineId,
      projectId: project.id,
      userId: author.id,
      ref: project.defaultBranch,
      sha: commit.sha,
      beforeSha: commit.beforeSha,
      message,
      authorName: author.name,
      authorEmail: author.email,
    },
    commit.ciYaml,
  );
  return { sha: commit.sha, pipeline };
}

/** Every file under `dir` (skipping `.git`), as commit contents. */
export async function readDirectoryFiles(dir: string): Promise<CommitFiles> {
  const files: CommitFiles = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    const path = relative(dir, full);
    if (path.split('/').includes('.git')) continue;
    files[path] = await readFile(full);
  }
  return files;
}

function slug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, '-')
    .replace(/^-|-$/g, '');
}

function titleize(path: string): string {
  return path
    .split(/[-_]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}
