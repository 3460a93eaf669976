import { validate } from './fake-schema.js';
import { AFTER_START, BEFORE_START, ROUTES } from './fake-routes.js';
import type { FakeEffects, Route } from './fake-routes.js';
import { fault } from './fake-state.js';
import type { FakeReply, FakeState } from './fake-state.js';

const ID_PATHS = ['drives', 'network-interfaces'];
const DESERIALIZE =
  'An error occurred when deserializing the json body of a request: ';

/**
 * Answers one API request the way Firecracker v1.16.1 does, in its order:
 * route (400, not 404, for unknown ones), body presence, JSON and schema,
 * path id, boot phase, then the action itself (reference/firecracker.md
 * §1.4). `body` is undefined when the request carried none.
 */
export function dispatch(
  state: FakeState,
  method: string,
  path: string,
  body: string | undefined,
  fx: FakeEffects,
): FakeReply {
  const match = findRoute(method, path);
  if (!match) {
    return fault(`Invalid request method and/or path: ${method} ${path}.`);
  }
  const { route, id } = match;
  if (method === 'GET' && body !== undefined) {
    return fault('GET request cannot have a body.');
  }
  if (method !== 'GET' && body === undefined) {
    return fault(`Empty ${method} request.`);
  }

  const parsed = parseBody(route, method, body);
  if ('status' in parsed) return parsed;
  const idProblem = checkId(route, id, parsed.value);
  if (idProblem) return fault(idProblem);
  if (route.phase === 'pre' && state.started) return fault(AFTER_START);
  if (route.phase === 'post' && !state.started) return fault(BEFORE_START);
  return route.run(state, parsed.value, fx);
}

function findRoute(
  method: string,
  path: string,
): { route: Route; id?: string } | undefined {
  const exact = ROUTES[`${method} ${path}`];
  if (exact) return { route: exact };
  const [, kind, id, ...rest] = path.split('/');
  if (rest.length > 0 || !kind || !ID_PATHS.includes(kind)) return undefined;
  const route = ROUTES[`${method} /${kind}/{id}`];
  return route && { route, id: decodeURIComponent(id ?? '') };
}

function parseBody(
  route: Route,
  method: string,
  body: string | undefined,
): { value: unknown } | FakeReply {
  if (body === undefined) return { value: undefined };
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return fault(`${DESERIALIZE}${(error as Error).message}`);
  }
  if (!route.schema) return { value };
  const problem = validate(route.schema, value, { patch: method === 'PATCH' });
  return problem ? fault(`${DESERIALIZE}${problem}`) : { value };
}

function checkId(
  route: Route,
  id: string | undefined,
  body: unknown,
): string | undefined {
  if (!route.idField || id === undefined) return undefined;
  if (id === '') return 'The ID cannot be empty.';
  if (!/^[A-Za-z0-9_]+$/.test(id)) {
    return 'API Resource IDs can only contain alphanumeric characters and underscores.';
  }
  const bodyId = (body as Record<string, unknown>)[route.idField];
  if (bodyId !== id) {
    return 'The id from the path does not match the id from the body!';
  }
  return undefined;
}
