import { Hono } from 'hono';
import type { Context } from 'hono';
import { visibleProject } from './access.js';
import type { SimContext } from './context.js';
import { apiError, notFound, validationError } from './gitlab-errors.js';
import type { SimEnv } from './hono-env.js';
import { paginate } from './pagination.js';
import {
  hookEntity,
  pipelineBasic,
  pipelineEntity,
  projectEntity,
} from './project-entity.js';
import { boolParam, stringParam, withParams } from './request-params.js';
import type { Params } from './request-params.js';
import { requireUser } from './require-user.js';
import type { Project, ProjectHook } from './types.js';

/**
 * Projects, group projects, project hooks and pipelines: what firelab's
 * server reads to find its projects, to register its Job Hook and to
 * follow pipelines.
 */
export function projectRoutes(ctx: SimContext): Hono<SimEnv> {
  const app = new Hono<SimEnv>();
  const auth = requireUser(ctx);
  app.use('/projects', auth);
  app.use('/projects/*', auth);
  app.use('/groups/*', auth);

  app.get('/projects', (c) => withParams(c, (p) => listProjects(ctx, c, p)));
  app.get('/groups/:gid/projects', (c) =>
    withParams(c, (p) => groupProjects(ctx, c, p)),
  );
  app.get('/projects/:id', (c) =>
    withProject(ctx, c, (project) => c.json(projectEntity(ctx, project))),
  );
  app.get('/projects/:id/pipelines', (c) =>
    withProject(ctx, c, (project) =>
      withParams(c, (params) => {
        const all = ctx.state.pipelinesOfProject(project.id).reverse();
        const page = paginate(c, params, all);
        return c.json(page.map((p) => pipelineBasic(ctx, p)));
      }),
    ),
  );
  app.get('/projects/:id/pipelines/:pid', (c) =>
    withProject(ctx, c, (project) => {
      const pipeline = ctx.state.pipelines.get(Number(c.req.param('pid')));
      if (!pipeline || pipeline.projectId !== project.id) {
        return apiError(c, 404);
      }
      return c.json(pipelineEntity(ctx, pipeline));
    }),
  );
  addHookRoutes(ctx, app);
  return app;
}

function addHookRoutes(ctx: SimContext, app: Hono<SimEnv>): void {
  app.get('/projects/:id/hooks', (c) =>
    withProject(ctx, c, (project) => {
      const hooks = [...ctx.state.hooks.values()]
        .filter((hook) => hook.projectId === project.id)
        .map(hookEntity);
      return c.json(hooks);
    }),
  );
  app.post('/projects/:id/hooks', (c) =>
    withProject(ctx, c, (project) =>
      withParams(c, (params) => addHook(ctx, c, params, project)),
    ),
  );
  app.delete('/projects/:id/hooks/:hid', (c) =>
    withProject(ctx, c, (project) => {
      const hook = ctx.state.hooks.get(Number(c.req.param('hid')));
      if (!hook || hook.projectId !== project.id) return apiError(c, 404);
      ctx.state.hooks.delete(hook.id);
      return c.body(null, 204);
    }),
  );
}

function addHook(
  ctx: SimContext,
  c: Context<SimEnv>,
  params: Params,
  project: Project,
): Response {
  const url = stringParam(params['url']);
  if (!url) return validationError(c, 'url is missing');
  if (!URL.canParse(url)) return validationError(c, 'url is invalid');
  const hook: ProjectHook = {
    id: ctx.state.nextId('hook'),
    projectId: project.id,
    url,
    token: stringParam(params['token']) ?? null,
    jobEvents: boolParam(params['job_events']) === true,
    // GitLab defaults push_events to true for a new hook.
    pushEvents: boolParam(params['push_events']) ?? true,
    pipelineEvents: boolParam(params['pipeline_events']) === true,
    enableSslVerification: boolParam(params['enable_ssl_verification']) ?? true,
    createdAt: new Date(),
  };
  ctx.state.hooks.set(hook.id, hook);
  return c.json(hookEntity(hook), 201);
}

function withProject(
  ctx: SimContext,
  c: Context<SimEnv>,
  handler: (project: Project) => Response | Promise<Response>,
): Response | Promise<Response> {
  const project = visibleProject(ctx, c.get('user'), c.req.param('id') ?? '');
  return project ? handler(project) : notFound(c, 'Project');
}

function listProjects(
  ctx: SimContext,
  c: Context<SimEnv>,
  params: Params,
): Response {
  const user = c.get('user');
  const membership = boolParam(params['membership']) === true;
  const projects = [...ctx.state.projects.values()]
    .filter((p) => p.memberIds.has(user.id) || (!membership && user.admin))
    .sort((a, b) => b.id - a.id);
  const page = paginate(c, params, projects);
  return c.json(page.map((p) => projectEntity(ctx, p)));
}

function groupProjects(
  ctx: SimContext,
  c: Context<SimEnv>,
  params: Params,
): Response {
  const user = c.get('user');
  const key = c.req.param('gid') ?? '';
  const group = [...ctx.state.namespaces.values()].find(
    (ns) => String(ns.id) === key || ns.path === key,
  );
  if (!group) return notFound(c, 'Group');
  const projects = [...ctx.state.projects.values()]
    .filter((p) => p.namespace.id === group.id)
    .filter((p) => user.admin || p.memberIds.has(user.id))
    .sort((a, b) => b.id - a.id);
  const page = paginate(c, params, projects);
  return c.json(page.map((p) => projectEntity(ctx, p)));
}
