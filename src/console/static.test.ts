import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage } from '../test/storages.js';

describeEachStorage('static front end', (env) => {
  let t: TestApi;
  let bare: TestApi;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hookyard-web-'));
    await mkdir(join(dir, 'assets'));
    await mkdir(join(dir, 'portal'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    await writeFile(join(dir, 'portal', 'index.html'), '<!doctype html><title>portal</title>');
    await writeFile(join(dir, 'assets', 'app-1234.js'), 'console.log(1)');
    await writeFile(join(dir, 'assets', 'app-1234.css'), 'body{}');
    await writeFile(join(dir, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
    t = await testApi(env().hookyard, { webDir: dir, portalFrameAncestors: "'self' https://app.example.com" });
    bare = await testApi(env().hookyard, { webDir: join(dir, 'missing') });
  });
  after(async () => {
    await t.close();
    await bare.close();
    await rm(dir, { recursive: true, force: true });
  });

  const get = async (base: string, path: string) => {
    const res = await fetch(base + path, { redirect: 'manual' });
    return { status: res.status, headers: res.headers, text: await res.text() };
  };

  test('/ is the console page, revalidated each time, not embeddable', async () => {
    const res = await get(t.url, '/');
    assert.equal(res.status, 200);
    assert.match(res.text, /<title>console</);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
  });

  test('assets have their content types; hashed assets are cached for a year', async () => {
    const js = await get(t.url, '/assets/app-1234.js');
    assert.deepEqual([js.status, js.text], [200, 'console.log(1)']);
    assert.match(js.headers.get('content-type')!, /^text\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    assert.match((await get(t.url, '/assets/app-1234.css')).headers.get('content-type')!, /^text\/css/);
    const svg = await get(t.url, '/logo.svg');
    assert.match(svg.headers.get('content-type')!, /^image\/svg\+xml/);
    assert.equal(svg.headers.get('cache-control'), 'no-cache');
  });

  test("the browser's routes fall back to index.html; a missing file is a 404", async () => {
    for (const path of ['/apps', '/apps/app_123/endpoints', '/messages?x=1']) {
      const res = await get(t.url, path);
      assert.deepEqual([res.status, /<title>console</.test(res.text)], [200, true], path);
    }
    assert.equal((await get(t.url, '/assets/missing.js')).status, 404);
    assert.equal((await get(t.url, '/missing.png')).status, 404);
  });

  test('/portal/ is the portal page, embeddable by the configured ancestors', async () => {
    for (const path of ['/portal/', '/portal/endpoints/ep_1']) {
      const res = await get(t.url, path);
      assert.equal(res.status, 200, path);
      assert.match(res.text, /<title>portal</);
      assert.match(res.headers.get('content-security-policy')!, /frame-ancestors 'self' https:\/\/app\.example\.com/);
      assert.equal(res.headers.get('x-frame-options'), null);
    }
    const redirect = await get(t.url, '/portal');
    assert.deepEqual([redirect.status, redirect.headers.get('location')], [301, '/portal/']);
  });

  test('API paths stay JSON 404s; paths out of the folder are refused', async () => {
    for (const path of ['/api/v1/nothing', '/console/api/nothing']) {
      const res = await get(t.url, path);
      assert.equal(res.status, 404, path);
      assert.equal(JSON.parse(res.text).code, 'not_found');
    }
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2f..%2fpackage.json', '/%00.js']) {
      const res = await get(t.url, path);
      assert.ok(!res.text.includes('root:') && !res.text.includes('"name"'), path);
    }
    const post = await fetch(t.url + '/', { method: 'POST' });
    assert.equal(post.status, 404);
  });

  test('without a build, / says so on a page (not {"code":"not_found"})', async () => {
    const res = await get(bare.url, '/');
    assert.equal(res.status, 503);
    assert.match(res.headers.get('content-type')!, /^text\/html/);
    assert.match(res.text, /console is not built/);
    assert.match(res.text, /npm run build/);
  });
});
