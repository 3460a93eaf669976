import { lookup, NOT_FOUND } from './store.js';
import type { Json } from './store.js';
import { renderImds, renderJson, UNSUPPORTED_TYPE } from './render.js';
import { TOKEN_TTL_MAX, TOKEN_TTL_MIN } from './token.js';
import type { TokenIssuer } from './token.js';

/** What the HTTP shell passes in: header names in lower case. */
export interface MmdsRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface MmdsResponse {
  status: number;
  body: string;
  contentType: 'text/plain' | 'application/json';
  allow?: string;
}

export const TOKEN_PATH = '/latest/api/token';

const TOKEN_HEADERS = ['x-metadata-token', 'x-aws-ec2-metadata-token'];
const TTL_HEADERS = [
  'x-metadata-token-ttl-seconds',
  'x-aws-ec2-metadata-token-ttl-seconds',
];

/**
 * Decides the answer to one request under Firecracker's MMDS V2 rules:
 * only GET and PUT (405 otherwise); PUT only on the token path, never
 * with `X-Forwarded-For`, with a TTL of 1..21600 seconds; GET only with a
 * valid token (401), 404 for a missing path, JSON when the client accepts
 * `application/json`, IMDS text otherwise (501 for values that format
 * cannot show). Pure apart from reading the issuer's clock.
 */
export function respond(
  req: MmdsRequest,
  doc: Json,
  tokens: TokenIssuer,
): MmdsResponse {
  const path = requestPath(req.url);
  if (path === undefined) return text(400, 'Invalid URI.');

  if (req.method === 'GET') return respondToGet(req, path, doc, tokens);
  if (req.method === 'PUT') return respondToPut(req, path, tokens);
  return { ...text(405, 'Not allowed HTTP method.'), allow: 'GET, PUT' };
}

function respondToGet(
  req: MmdsRequest,
  path: string,
  doc: Json,
  tokens: TokenIssuer,
): MmdsResponse {
  const token = header(req, TOKEN_HEADERS);
  if (token === undefined) {
    return text(
      401,
      'No MMDS token provided. Use `X-metadata-token` header to specify ' +
        'the session token.',
    );
  }
  if (!tokens.isValid(token)) return text(401, 'MMDS token not valid.');

  const value = lookup(doc, path);
  if (value === NOT_FOUND) return text(404, `Resource not found: ${path}.`);
  if (wantsJson(req)) {
    return { status: 200, body: renderJson(value), contentType: JSON_TYPE };
  }

  const body = renderImds(value);
  if (body === UNSUPPORTED_TYPE) {
    return text(
      501,
      'Cannot retrieve value. The value has an unsupported type.',
    );
  }
  return text(200, body);
}

function respondToPut(
  req: MmdsRequest,
  path: string,
  tokens: TokenIssuer,
): MmdsResponse {
  // A proxy inside the guest adds this header; refusing it stops a
  // server-side request forgery from minting a token.
  if (req.headers['x-forwarded-for'] !== undefined) {
    return text(400, 'Invalid header. Reason: Unsupported header name.');
  }
  if (path.replace(/\/{2,}/g, '/') !== TOKEN_PATH) {
    return text(404, `Resource not found: ${path}.`);
  }

  const ttl = header(req, TTL_HEADERS);
  if (ttl === undefined) {
    return text(
      400,
      'Token time to live value not found. Use ' +
        "`X-metadata-token-ttl-seconds` header to specify the token's " +
        'lifetime.',
    );
  }
  const seconds = /^[0-9]{1,10}$/.test(ttl.trim()) ? Number(ttl) : NaN;
  if (!(seconds >= TOKEN_TTL_MIN && seconds <= TOKEN_TTL_MAX)) {
    return text(
      400,
      `Invalid time to live value provided for token: ${ttl}. Please ` +
        `provide a value between ${TOKEN_TTL_MIN} and ${TOKEN_TTL_MAX}.`,
    );
  }
  return text(200, tokens.issue(seconds));
}

const JSON_TYPE = 'application/json';

function text(status: number, body: string): MmdsResponse {
  return { status, body, contentType: 'text/plain' };
}

/** The absolute path of origin-form or absolute-form request targets. */
function requestPath(url: string): string | undefined {
  let path = url;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    path = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '');
  }
  path = path.replace(/[?#].*$/s, '');
  return path.startsWith('/') ? path : undefined;
}

function header(req: MmdsRequest, names: string[]): string | undefined {
  for (const name of names) {
    const value = req.headers[name];
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value[0];
  }
  return undefined;
}

function wantsJson(req: MmdsRequest): boolean {
  const accept = req.headers['accept'];
  const value = Array.isArray(accept) ? accept.join(',') : (accept ?? '');
  return value
    .split(',')
    .some((part) => part.split(';')[0]?.trim().toLowerCase() === JSON_TYPE);
}
