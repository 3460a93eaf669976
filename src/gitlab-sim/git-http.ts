import type { Context } from 'hono';
import { exitOf, start } from '../lib/process.js';
import type { SimContext } from './context.js';
import { secretsEqual, tokenMatches } from './secrets.js';
import type { Project } from './types.js';

const GIT_PATH =
  /^\/(.+?)\.git(\/(?:info\/refs|git-upload-pack|git-receive-pack|HEAD|objects\/.+))$/;

/**
 * Git smart HTTP for `<base>/<namespace>/<project>.git`, served by
 * `git http-backend` as CGI. Like GitLab, a CI job clones with basic auth
 * `gitlab-ci-token:<job token>` (only while that job of this project is
 * running), and a project member may use a personal access token as the
 * password. Anything else gets 401 with a Basic challenge so that git
 * asks for credentials. Returns null for paths that are not git paths.
 */
export async function serveGit(
  ctx: SimContext,
  c: Context,
): Promise<Response | null> {
  const url = new URL(c.req.url);
  const match = GIT_PATH.exec(url.pathname);
  if (!match) return null;

  const project = ctx.state.findProject(match[1]!);
  if (!project || !authorized(ctx, project, c.req.header('authorization'))) {
    return new Response('HTTP Basic: Access denied\n', {
      status: 401,
      headers: { 'WWW-Authenticate': 'Basic realm="GitLab"' },
    });
  }
  const receive =
    match[2] === '/git-receive-pack' ||
    url.searchParams.get('service') === 'git-receive-pack';
  if (receive) {
    return new Response('pushing over HTTP is not simulated\n', {
      status: 403,
    });
  }
  return runBackend(ctx, c, `/${project.pathWithNamespace}.git${match[2]}`);
}

function authorized(
  ctx: SimContext,
  project: Project,
  header: string | undefined,
): boolean {
  const credentials = parseBasic(header);
  if (!credentials) return false;
  const { user, password } = credentials;
  if (user === 'gitlab-ci-token') {
    return [...ctx.state.jobs.values()].some(
      (job) =>
        job.projectId === project.id &&
        job.token !== null &&
        (job.status === 'running' || job.awaitingAck) &&
        secretsEqual(password, job.token),
    );
  }
  return [...project.memberIds].some((id) => {
    const member = ctx.state.users.get(id);
    return member?.tokenDigests.some((d) => tokenMatches(password, d));
  });
}

function parseBasic(
  header: string | undefined,
): { user: string; password: string } | null {
  if (!header?.toLowerCase().startsWith('basic ')) return null;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString();
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

async function runBackend(
  ctx: SimContext,
  c: Context,
  pathInfo: string,
): Promise<Response> {
  const body =
    c.req.method === 'POST' ? Buffer.from(await c.req.arrayBuffer()) : null;
  const child = start('git', ['http-backend'], {
    env: cgiEnv(ctx, c, pathInfo, body),
    stdio: ['pipe', 'pipe', 'pipe'],
    timeoutMs: 120_000,
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  // http-backend may exit before reading a body it rejects; its exit
  // code and output report that, not a stdin EPIPE.
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(body ?? Buffer.alloc(0));

  const code = await exitOf(child);
  if (code !== 0) {
    const detail = Buffer.concat(err).toString().trim();
    ctx.logger.warn({ code, detail, pathInfo }, 'git http-backend failed');
  }
  return cgiResponse(Buffer.concat(out));
}

function cgiEnv(
  ctx: SimContext,
  c: Context,
  pathInfo: string,
  body: Buffer | null,
): Record<string, string> {
  const url = new URL(c.req.url);
  const env: Record<string, string> = {
    GIT_PROJECT_ROOT: ctx.repos.root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    PATH_INFO: pathInfo,
    REQUEST_METHOD: c.req.method,
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REMOTE_ADDR: '127.0.0.1',
    REMOTE_USER: parseBasic(c.req.header('authorization'))?.user ?? '',
  };
  const optional: [string, string | undefined][] = [
    ['CONTENT_TYPE', c.req.header('content-type')],
    ['HTTP_CONTENT_ENCODING', c.req.header('content-encoding')],
    ['GIT_PROTOCOL', c.req.header('git-protocol')],
    ['CONTENT_LENGTH', body ? String(body.length) : undefined],
  ];
  for (const [key, value] of optional) if (value) env[key] = value;
  return env;
}

/** Splits CGI output into a status, headers and a body. */
export function cgiResponse(output: Buffer): Response {
  let split = output.indexOf('\r\n\r\n');
  let gap = 4;
  if (split < 0) {
    split = output.indexOf('\n\n');
    gap = 2;
  }
  if (split < 0) return new Response('bad CGI output\n', { status: 502 });

  const headers = new Headers();
  let status = 200;
  for (const line of output.subarray(0, split).toString().split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10);
    else headers.append(name, value);
  }
  const body = new Uint8Array(output.subarray(split + gap));
  return new Response(body, { status, headers });
}
