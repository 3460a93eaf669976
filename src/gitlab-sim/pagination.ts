import type { Context } from 'hono';
import type { Params } from './request-params.js';

/**
 * GitLab offset pagination: `page` (from 1) and `per_page` (default 20,
 * at most 100), `X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page` and
 * a `Link` header. With `withoutCount` (the jobs API, reference §3) the
 * `X-Total` and `X-Total-Pages` headers are left out.
 */
export function paginate<T>(
  c: Context,
  params: Params,
  items: readonly T[],
  options: { withoutCount?: boolean } = {},
): T[] {
  const page = Math.max(1, Number(params['page'] ?? 1) || 1);
  const wanted = Number(params['per_page'] ?? 20) || 20;
  const perPage = Math.min(100, Math.max(1, wanted));
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const hasNext = items.length > page * perPage;

  c.header('X-Page', String(page));
  c.header('X-Per-Page', String(perPage));
  c.header('X-Next-Page', hasNext ? String(page + 1) : '');
  c.header('X-Prev-Page', page > 1 ? String(page - 1) : '');
  if (!options.withoutCount) {
    c.header('X-Total', String(items.length));
    c.header('X-Total-Pages', String(Math.ceil(items.length / perPage) || 1));
  }
  c.header('Link', linkHeader(c.req.url, page, perPage, hasNext));
  return slice;
}

function linkHeader(
  raw: string,
  page: number,
  perPage: number,
  hasNext: boolean,
): string {
  const at = (n: number, rel: string) => {
    const url = new URL(raw);
    url.searchParams.set('page', String(n));
    url.searchParams.set('per_page', String(perPage));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links = [at(1, 'first')];
  if (page > 1) links.unshift(at(page - 1, 'prev'));
  if (hasNext) links.unshift(at(page + 1, 'next'));
  return links.join(', ');
}
