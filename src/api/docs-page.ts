import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import type { Hono } from 'hono';
import type { ApiEnv } from './env.js';

/**
 * The API reference at `/docs`: Swagger UI (a well-kept renderer of OpenAPI
 * 3.1) drawing `/api/v1/openapi.json`. Its bundle is copied from node_modules
 * into dist/ at build (scripts/docs-assets.mjs) and served from here, so the
 * page needs nothing from elsewhere: Hookyard may run with no internet access.
 * The CSP allows this origin only: no inline script or style, nothing from
 * elsewhere (checked in Chromium: the page renders, expands and sends requests
 * with no violation).
 */
const ASSETS = new URL('./docs-assets/', import.meta.url);

export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Our settings for the renderer, as a script file: the CSP allows no inline script.
const INIT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '/api/v1/openapi.json',
    dom_id: '#reference',
    deepLinking: true,
    docExpansion: 'list',
    defaultModelsExpandDepth: 0,
    displayRequestDuration: true,
    // Swagger UI would otherwise send the document to its public validator.
    validatorUrl: null,
  });
});
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hookyard API reference</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<noscript><p>The reference needs JavaScript. The OpenAPI document is at <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</p></noscript>
<div id="reference"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>
`;

interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
}

// Only these names are served; a request never names a file on disk.
const FILES: Record<string, { type: string; load: () => Promise<Buffer> }> = {
  'swagger-ui-bundle.js': { type: 'text/javascript; charset=utf-8', load: () => readFile(new URL('swagger-ui-bundle.js', ASSETS)) },
  'swagger-ui.css': { type: 'text/css; charset=utf-8', load: () => readFile(new URL('swagger-ui.css', ASSETS)) },
  'init.js': { type: 'text/javascript; charset=utf-8', load: async () => Buffer.from(INIT) },
};

const loaded = new Map<string, Promise<Asset>>();
function asset(name: string): Promise<Asset> | undefined {
  const file = FILES[name];
  if (!file) return undefined;
  let found = loaded.get(name);
  if (!found) {
    // Read and compressed once, on first request; a missing file is retried next time.
    found = file.load().then((body) => ({ type: file.type, body, gzip: gzipSync(body) }));
    found.catch(() => loaded.delete(name));
    loaded.set(name, found);
  }
  return found;
}

const HEADERS = { 'content-security-policy': DOCS_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };

/** Adds `/docs` and its assets to the app; open without a token, like the OpenAPI document. */
export function docsMount(app: Hono<ApiEnv>): void {
  app.get('/docs', (c) => c.html(PAGE, 200, HEADERS));
  app.get('/docs/assets/:name', async (c) => {
    const found = asset(c.req.param('name'));
    if (!found) return c.json({ code: 'not_found', detail: 'no such file' }, 404);
    let a: Asset;
    try {
      a = await found;
    } catch {
      return c.json({ code: 'not_found', detail: 'the API reference was not built: run npm run build' }, 404);
    }
    const gzip = /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
    return c.body(new Uint8Array(gzip ? a.gzip : a.body), 200, {
      ...HEADERS,
      'content-type': a.type,
      'cache-control': 'public, max-age=3600',
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
  });
}
