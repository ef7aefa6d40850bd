import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tokenCreate, tokenList, tokenRevoke } from '../auth/token.js';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { countRows } from '../test/fixtures.js';

describeEachStorage('API auth, rate limit, idempotency, request ids', (env) => {
  let t: TestApi;
  before(async () => {
    // No lookup cache, so a revoke is seen at once; no failure throttle, as the timing test fails on purpose many times.
    t = await testApi(env().hookyard, { authCacheMs: 0, authFailureBurst: 0 });
  });
  after(() => t.close());

  test('missing, malformed, unknown and revoked tokens all get the same 401', async () => {
    const { token: revoked, record } = await tokenCreate(env().storage, 'to-revoke');
    assert.equal((await t.call('GET', '/api/v1/app', undefined, { authorization: `Bearer ${revoked}` })).status, 200);
    await tokenRevoke(env().storage, record.prefix);
    const variants = [undefined, '', 'Bearer', `Basic ${Buffer.from('a:b').toString('base64')}`, 'Bearer not-a-token', `Bearer ${t.token}x`, `bearer ${t.token}`, `Bearer ${revoked}`];
    const bodies = new Set<string>();
    for (const authorization of variants) {
      const res = await fetch(`${t.url}/api/v1/app`, { headers: authorization === undefined ? {} : { authorization } });
      assert.equal(res.status, 401, String(authorization));
      bodies.add(await res.text());
    }
    assert.equal(bodies.size, 1);
    assert.deepEqual(JSON.parse([...bodies][0]!), { code: 'authentication_failed', detail: 'invalid or missing API token' });
    const listed = (await tokenList(env().storage)).find((x) => x.id === record.id)!;
    assert.ok(listed.revokedAt);
    assert.equal(listed.prefix.length, 10);
    // Only the hash is stored.
    const { rows } = await env().storage.query<{ hash: string }>('select hash from hookyard.api_token where id = $1', [record.id]);
    assert.match(rows[0]!.hash, /^[0-9a-f]{64}$/);
    assert.ok(!rows[0]!.hash.includes(revoked));
  });

  test('an unknown token and a near-miss of a real one take the same time (tolerant: shared CPUs)', async () => {
    const nearMiss = t.token.slice(0, -1) + (t.token.endsWith('A') ? 'B' : 'A');
    const unknown = 'hy_' + 'Z'.repeat(t.token.length - 3);
    const once = async (token: string) => {
      const t0 = performance.now();
      await (await fetch(`${t.url}/api/v1/app`, { headers: { authorization: `Bearer ${token}` } })).arrayBuffer();
      return performance.now() - t0;
    };
    // Interleaved, after a warm-up, so load from elsewhere hits both alike.
    for (let i = 0; i < 5; i++) await once(unknown);
    const times: [number[], number[]] = [[], []];
    for (let i = 0; i < 31; i++) {
      times[0].push(await once(nearMiss));
      times[1].push(await once(unknown));
    }
    const [a, b] = times.map((xs) => xs.sort((x, y) => x - y)[15]!) as [number, number];
    assert.ok(Math.abs(a - b) < Math.max(5, 2 * Math.min(a, b)), `near miss ${a.toFixed(2)} ms, unknown ${b.toFixed(2)} ms`);
  });

  test('past the burst of failures, a client gets 429 with Retry-After, while its valid token still works', async () => {
    const strict = await testApi(env().hookyard, { authFailureBurst: 5, authFailuresPerSecond: 0.01 });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 8; i++) {
        const res = await fetch(`${strict.url}/api/v1/app`, { headers: { authorization: `Bearer hy_wrong${i}` } });
        statuses.push(res.status);
        if (res.status === 429) {
          retryAfter = res.headers.get('retry-after');
          assert.equal(((await res.json()) as { code: string }).code, 'rate_limited');
        } else await res.arrayBuffer();
      }
      assert.deepEqual(statuses, [401, 401, 401, 401, 401, 429, 429, 429]);
      assert.ok(Number(retryAfter) >= 1, `Retry-After: ${retryAfter}`);
      assert.equal((await strict.call('GET', '/api/v1/app')).status, 200);
    } finally {
      await strict.close();
    }
  });

  test('health, the OpenAPI document and the docs page need no token', async () => {
    assert.equal((await fetch(`${t.url}/api/v1/health`)).status, 204);
    const doc = (await (await fetch(`${t.url}/api/v1/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { operationId: string }>> };
    assert.equal(doc.openapi, '3.1.0');
    for (const r of t.api.routes) assert.equal(doc.paths[r.path]?.[r.method]?.operationId, r.operationId);
    const page = await fetch(`${t.url}/docs`);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await page.text(), /\/docs\/assets\/swagger-ui-bundle\.js/);
  });

  test('Idempotency-Key: a repeat replays the first response; another request with the key is refused', async () => {
    const app = await env().hookyard.applications.create({ name: 'idem' });
    const before = await countRows(env().storage, 'message');
    const body = { eventType: 'a.b', payload: { n: 1 } };
    const first = await t.call('POST', `/api/v1/app/${app.id}/msg`, body, { 'idempotency-key': 'key-1' });
    const again = await t.call('POST', `/api/v1/app/${app.id}/msg`, body, { 'idempotency-key': 'key-1' });
    assert.deepEqual([first.status, again.status], [202, 202]);
    assert.deepEqual(again.json, first.json);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(await countRows(env().storage, 'message'), before + 1);
    const other = await t.call('POST', `/api/v1/app/${app.id}/msg`, { ...body, payload: { n: 2 } }, { 'idempotency-key': 'key-1' });
    assert.equal(other.status, 422);
    // Keys belong to a token: another token's same key is a new request.
    const { token } = await tokenCreate(env().storage, 'second');
    const third = await t.call('POST', `/api/v1/app/${app.id}/msg`, body, { 'idempotency-key': 'key-1', authorization: `Bearer ${token}` });
    assert.notEqual((third.json as { id: string }).id, (first.json as { id: string }).id);
    // A repeat of a refused request replays the refusal, and creates nothing.
    const bad1 = await t.call('POST', '/api/v1/app', { name: '' }, { 'idempotency-key': 'key-2' });
    const bad2 = await t.call('POST', '/api/v1/app', { name: '' }, { 'idempotency-key': 'key-2' });
    assert.deepEqual([bad1.status, bad2.status], [422, 422]);
  });

  test('concurrent repeats: one creates, the others replay or get 409', async () => {
    const app = await env().hookyard.applications.create({ name: 'idem2' });
    const before = await countRows(env().storage, 'message');
    const results = await Promise.all(Array.from({ length: 5 }, () => t.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: {} }, { 'idempotency-key': 'same' })));
    assert.ok(results.every((r) => r.status === 202 || r.status === 409), results.map((r) => r.status).join());
    assert.equal(await countRows(env().storage, 'message'), before + 1);
  });

  test('request ids: generated, or taken from the caller, on every response', async () => {
    const res = await fetch(`${t.url}/api/v1/health`);
    assert.match(res.headers.get('x-request-id') ?? '', /^req_[0-9a-f]{16}$/);
    const given = await fetch(`${t.url}/api/v1/health`, { headers: { 'x-request-id': 'trace-123' } });
    assert.equal(given.headers.get('x-request-id'), 'trace-123');
  });

  test('pagination: forward to the end, then back with prevIterator, over raw HTTP', async () => {
    const app = await env().hookyard.applications.create({ name: 'pages' });
    for (let i = 0; i < 5; i++) await env().hookyard.endpoints.create(app.id, { url: `http://127.0.0.1:9/${i}` });
    type P = { data: { id: string }[]; iterator: string | null; prevIterator: string | null; done: boolean };
    const page = async (q: string) => (await t.call('GET', `/api/v1/app/${app.id}/endpoint?${q}`)).json as P;
    const p1 = await page('limit=2');
    const p2 = await page(`limit=2&iterator=${p1.iterator}`);
    const p3 = await page(`limit=2&iterator=${p2.iterator}`);
    assert.deepEqual([p1.done, p2.done, p3.done], [false, false, true]);
    assert.equal(p3.data.length, 1);
    const back = await page(`limit=2&iterator=${p3.prevIterator}`);
    assert.deepEqual(back.data.map((e) => e.id), p2.data.map((e) => e.id));
    const all = await page('limit=250');
    assert.deepEqual([...p1.data, ...p2.data, ...p3.data].map((e) => e.id), all.data.map((e) => e.id));
    const empty = await page(`iterator=${p3.iterator}`);
    assert.deepEqual([empty.data.length, empty.done], [0, true]);
  });
});

describeEachStorage('API rate limit', (env) => {
  let t: TestApi;
  before(async () => {
    t = await testApi(env().hookyard, { rateLimit: 1, rateLimitBurst: 3 });
  });
  after(() => t.close());

  test('a token over its rate gets 429 with Retry-After', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const res = await t.call('GET', '/api/v1/app');
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.equal((res.json as { code: string }).code, 'rate_limited');
      }
    }
    assert.deepEqual(statuses.slice(0, 3), [200, 200, 200]);
    assert.ok(statuses.includes(429));
    assert.ok(Number(retryAfter) >= 1);
  });
});
