import type { ClientConfig } from '../config/schema.js';
import { UserError } from '../lib/errors.js';

/**
 * Calls the server's admin API as the config's admin. The server is
 * reached where it listens (a wildcard address means this host), over
 * HTTPS when it has a certificate; a private CA is trusted through
 * NODE_EXTRA_CA_CERTS.
 */
export async function adminRequest<T>(
  config: Readonly<ClientConfig>,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<T> {
  const base = serverUrl(config);
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${config.server.adminToken}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } })
      .cause;
    throw new UserError(
      `cannot reach the firelab server at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
    );
  }
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(
      `the server at ${base} answered ${response.status} with something that is not JSON`,
    );
  }
  if (!response.ok) {
    const message = (json as { error?: string }).error;
    throw new UserError(message ?? `server answered ${response.status}`);
  }
  return json as T;
}

export function serverUrl(config: Readonly<ClientConfig>): string {
  const scheme = config.server.tls ? 'https' : 'http';
  const [host, port] = config.server.listen.split(':');
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `${scheme}://${reachable}:${port}`;
}
