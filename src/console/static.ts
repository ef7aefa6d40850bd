import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from 'hono';
import { getMimeType } from 'hono/utils/mime';

/**
 * The built front end (`dist/web/`, made by the console-web build) at `/`
 * (the console) and `/portal/` (the app portal). A path that names a file is
 * that file; any other path without an extension is the page's index.html
 * (the front end routes in the browser). Hashed assets under `/assets/` are
 * cached for a year; pages are revalidated each time, so a new build shows at
 * once. Without a build, a page says so instead of a bare 404.
 */
export const WEB_DIR = fileURLToPath(new URL('../web/', import.meta.url));

export interface StaticOptions {
  /** Where the built front end is; WEB_DIR by default. */
  root?: string;
  /** CSP frame-ancestors of the portal (who may embed it in an iframe); the console itself may not be embedded. */
  portalFrameAncestors?: string;
}

/** Prefixes that belong to the API: an unknown path there is a JSON 404, never a page. */
const API_PREFIXES = ['/api/', '/console/api/', '/ingest/', '/docs'];

const pageCsp = (frameAncestors: string) =>
  [
    "default-src 'self'",
    "script-src 'self'",
    // Components set style attributes; no script runs from them.
    "style-src 'self' 'unsafe-inline'",
    // The portal's logo may be on the embedding site's own host.
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
    `frame-ancestors ${frameAncestors}`,
  ].join('; ');

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hookyard: console not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The console is not built</h1>
<p>This Hookyard serves its API, but the web console's files are missing from <code>dist/web/</code>.
Build them with <code>npm run build</code> (a package installed from npm ships them built).</p>
<p>The API answers at <code>/api/v1/</code>; its reference is at <a href="/docs">/docs</a>.</p>
</body></html>
`;

async function fileAt(root: string, relative: string): Promise<string | undefined> {
  const full = normalize(join(root, relative));
  if (full !== root.replace(/[\\/]$/, '') && !full.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined;
  try {
    return (await stat(full)).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

/** Answers GET/HEAD requests that no API route took; undefined for the API's own prefixes and other methods. */
export function staticFiles({ root = WEB_DIR, portalFrameAncestors = "'self'" }: StaticOptions = {}) {
  const base = root.endsWith(sep) ? root : root + sep;
  return async (c: Context): Promise<Response | undefined> => {
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') return undefined;
    const path = c.req.path;
    if (API_PREFIXES.some((p) => path.startsWith(p)) || path === '/docs') return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(path);
    } catch {
      return undefined;
    }
    if (decoded.includes('\0') || decoded.split('/').includes('..')) return undefined;
    const portal = decoded === '/portal' || decoded.startsWith('/portal/');
    const security = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': pageCsp(portal ? portalFrameAncestors : "'none'"),
      ...(portal ? {} : { 'x-frame-options': 'DENY' }),
    };
    if (decoded === '/portal') return c.redirect('/portal/', 301);
    const named = decoded.endsWith('/') ? undefined : await fileAt(base, decoded);
    const hasExtension = extname(decoded) !== '';
    const file = named ?? (hasExtension ? undefined : await fileAt(base, portal ? 'portal/index.html' : 'index.html'));
    if (!file) {
      if (hasExtension) return undefined;
      return c.html(NOT_BUILT, 503, { ...security, 'cache-control': 'no-store' });
    }
    const immutable = decoded.startsWith('/assets/') && named !== undefined;
    const body = await readFile(file);
    return c.body(body, 200, {
      ...security,
      'content-type': getMimeType(file) ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  };
}
