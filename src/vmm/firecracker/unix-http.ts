import { request } from 'node:http';

export const HTTP_METHODS = ['GET', 'PUT', 'PATCH'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface UnixResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/**
 * Sends one HTTP/1.1 request over a unix socket and collects the answer.
 * A body is always sent with `Content-Length`, never chunked: Firecracker
 * reads bodies only by that header and takes a chunked one as empty
 * (reference/firecracker.md §1.3). Rejects on connection errors and when
 * `timeoutMs` passes; HTTP error statuses resolve normally.
 */
export function unixRequest(opts: {
  socketPath: string;
  method: HttpMethod;
  path: string;
  body?: string;
  timeoutMs: number;
}): Promise<UnixResponse> {
  const payload = opts.body === undefined ? undefined : Buffer.from(opts.body);
  const headers: Record<string, string | number> = {
    Accept: 'application/json',
  };
  if (payload) {
    headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = payload.length;
  }
  return new Promise((resolve, reject) => {
    const req = request(
      {
        socketPath: opts.socketPath,
        method: opts.method,
        path: opts.path,
        headers,
        timeout: opts.timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    });
    req.on('error', reject);
    req.end(payload);
  });
}
