import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);

const TYPES = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
} as const;

function asset(path: string) {
  const extension = path.slice(path.lastIndexOf('.') + 1);
  return { path, type: TYPES[extension as keyof typeof TYPES] };
}

function own(file: string) {
  return asset(fileURLToPath(new URL(`./dashboard/${file}`, import.meta.url)));
}

/** Each file the page is made of, by its route. */
const ASSETS: Record<string, { path: string; type: string }> = {
  '/dashboard': own('index.html'),
  '/dashboard/dashboard.js': own('dashboard.js'),
  '/dashboard/chart.js': own('chart.js'),
  '/dashboard/dom.js': own('dom.js'),
  '/dashboard/dashboard.css': own('dashboard.css'),
  // The chart library, from node_modules: no CDN, hosts may be offline.
  '/dashboard/uplot.js': asset(require.resolve('uplot/dist/uPlot.iife.min.js')),
  '/dashboard/uplot.css': asset(require.resolve('uplot/dist/uPlot.min.css')),
};

/**
 * Only this server's own files run on the page, and it fetches only from
 * this server; it may not be framed (clickjacking the token form).
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * `GET /dashboard`: the operator's page and its static files. They hold
 * no data and need no token: the page asks for the admin token and reads
 * the API with it. Files are read per request (a few, small, rarely).
 */
export function dashboardRoutes(): Hono {
  const app = new Hono();
  for (const [route, asset] of Object.entries(ASSETS)) {
    app.get(route, async (c) =>
      c.body(await readFile(asset.path, 'utf8'), 200, {
        'content-type': asset.type,
        ...SECURITY_HEADERS,
      }),
    );
  }
  return app;
}
