import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { TEST_SECRET_KEY } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { DOCS_CSP } from './docs-page.js';

describe('the API reference at /docs', () => {
  let hookyard: Hookyard;
  let t: TestApi;
  before(async () => {
    hookyard = await openHookyard({ secretKey: TEST_SECRET_KEY });
    t = await testApi(hookyard);
  });
  after(async () => {
    await t.close();
    await hookyard.close();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${t.url}${path}`, { headers: { 'accept-encoding': 'identity', ...headers } });

  test('the page, its scripts and stylesheet are served from this origin, without a token, under a CSP that allows only it', async () => {
    const page = await get('/docs');
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.equal(page.headers.get('content-security-policy'), DOCS_CSP);
    assert.ok(!/https?:|\/\/[a-z]/i.test(DOCS_CSP), 'the CSP names no other origin');
    assert.match(DOCS_CSP, /default-src 'none'/);
    assert.match(DOCS_CSP, /script-src 'self'(;|$)/);
    // No inline script: every script is a file of ours.
    assert.ok(!/<script>/.test(html) && !/<script[^>]*>[^<]/.test(html), html);

    const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    assert.deepEqual(refs.sort(), ['/api/v1/openapi.json', '/docs/assets/init.js', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/swagger-ui.css']);
    const types: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/, json: /^application\/json/ };
    for (const ref of refs) {
      const res = await get(ref);
      assert.equal(res.status, 200, ref);
      assert.match(res.headers.get('content-type') ?? '', types[ref.split('.').pop()!]!, ref);
      const body = await res.text();
      assert.ok(body.length > 0, ref);
      if (ref.endsWith('swagger-ui-bundle.js')) assert.ok(body.length > 500_000 && body.includes('SwaggerUIBundle'), 'the real renderer');
      if (ref.endsWith('init.js')) {
        assert.ok(!/https?:\/\//.test(body), 'our settings name no other origin');
        assert.match(body, /validatorUrl: null/);
        assert.match(body, /url: '\/api\/v1\/openapi\.json'/);
      }
    }
  });

  test('the stylesheet loads nothing from elsewhere (fonts, images)', async () => {
    const css = await (await get('/docs/assets/swagger-ui.css')).text();
    const urls = [...css.matchAll(/url\(\s*['"]?([^'")]+)/g)].map((m) => m[1]!);
    assert.ok(urls.every((u) => u.startsWith('data:')), urls.filter((u) => !u.startsWith('data:')).join(', '));
    assert.ok(!/@import/.test(css));
  });

  test('compressed when the client asks; only known names are served', async () => {
    const plain = Buffer.from(await (await get('/docs/assets/swagger-ui-bundle.js')).arrayBuffer());
    const res = await fetch(`${t.url}/docs/assets/swagger-ui-bundle.js`, { headers: { 'accept-encoding': 'gzip' } });
    // fetch decodes gzip itself; the header says it was sent compressed.
    assert.equal(res.headers.get('content-encoding'), 'gzip');
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), plain);
    for (const name of ['..%2Fdocs-page.js', 'LICENSE', 'swagger-ui-bundle.js.map', '%2e%2e%2f%2e%2e%2fpackage.json']) {
      assert.equal((await get(`/docs/assets/${name}`)).status, 404, name);
    }
  });

  test('the document it renders describes every route', async () => {
    const doc = (await (await get('/api/v1/openapi.json')).json()) as { paths: Record<string, unknown> };
    for (const r of t.api.routes) assert.ok(doc.paths[r.path], r.path);
  });
});
