import { Hono } from 'hono';
import { visibleProject } from './access.js';
import type { SimContext } from './context.js';
import type { CommitFiles } from './git-repos.js';
import { notFound, validationError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { readParams, stringParam } from './request-params.js';
import { requireUser } from './require-user.js';
import { pushFiles } from './seed.js';

/**
 * `POST /projects/:id/repository/commits`: GitLab's "create a commit with
 * multiple files" (actions create, update, delete), on the default
 * branch only. A commit with a `.gitlab-ci.yml` starts its pipeline, so
 * someone trying firelab against the stand-in can run pipelines with
 * curl, as against GitLab (pushing over git is not simulated).
 */
export function commitRoutes(ctx: SimContext): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  app.use('/projects/*', requireUser(ctx));
  app.post('/projects/:id/repository/commits', async (c) => {
    const user = c.get('user');
    const project = visibleProject(ctx, user, c.req.param('id'));
    if (!project) return notFound(c, 'Project');
    const params = await readParams(c);
    const branch = stringParam(params['branch']);
    const message = stringParam(params['commit_message']);
    if (!branch) return validationError(c, 'branch is missing');
    if (!message) return validationError(c, 'commit_message is missing');
    if (branch !== project.defaultBranch) {
      return validationError(
        c,
        `only the default branch (${project.defaultBranch}) is simulated`,
      );
    }
    const files = commitFiles(params['actions']);
    if (typeof files === 'string') return validationError(c, files);
    const { sha } = await pushFiles(ctx, project, files, message, user);
    return c.json(
      {
        id: sha,
        short_id: sha.slice(0, 8),
        title: message.split('\n')[0],
        message,
        author_name: user.name,
        author_email: user.email,
        created_at: new Date().toISOString(),
      },
      201,
    );
  });
  return app;
}

/** The files an `actions` array changes, or what is wrong with it. */
function commitFiles(actions: unknown): CommitFiles | string {
  if (!Array.isArray(actions) || actions.length === 0)
    return 'actions is missing';
  const files: CommitFiles = {};
  for (const [i, raw] of actions.entries()) {
    const action = (raw ?? {}) as Record<string, unknown>;
    const path = stringParam(action['file_path']);
    if (!path) return `actions[${i}][file_path] is missing`;
    switch (action['action']) {
      case 'create':
      case 'update': {
        const content = action['content'];
        if (typeof content !== 'string')
          return `actions[${i}][content] is missing`;
        files[path] = content;
        break;
      }
      case 'delete':
        files[path] = null;
        break;
      default:
        return `actions[${i}][action] does not have a valid value (create, update or delete are simulated)`;
    }
  }
  return files;
}
