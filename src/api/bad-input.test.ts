import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import type { Queryable } from '../store/port.js';

/**
 * Bad input on every route, driven from the route table itself so a new route
 * is covered without touching this file: each gets the documented status and
 * Svix-shaped body, and the database is left exactly as it was.
 */
const VALID_BODY: Record<string, unknown> = {
  ApplicationIn: { name: 'x' },
  ApplicationPatch: { name: 'x' },
  EventTypeIn: { name: 'x.y', description: 'd' },
  EventTypeUpdate: { description: 'd' },
  EventTypePatch: { description: 'd' },
  EndpointIn: { url: 'http://127.0.0.1:9/' },
  EndpointUpdate: { url: 'http://127.0.0.1:9/' },
  EndpointPatch: { description: 'd' },
  EndpointSecretRotateIn: {},
  EndpointHeadersIn: { headers: { 'X-A': '1' } },
  EndpointHeadersPatchIn: { headers: { 'X-A': '1' } },
  MessageIn: { eventType: 'a.b', payload: {} },
  MessageBatchIn: { messages: [{ eventType: 'a.b', payload: {} }] },
  EventExampleIn: { eventType: 'svix.ping' },
  RecoverIn: { since: new Date(0).toISOString() },
  TokenIn: { name: 'x' },
};

const TABLES = ['application', 'event_type', 'endpoint', 'endpoint_secret', 'message', 'delivery', 'attempt', 'idempotency_key'];

/** A digest of every row of every table, to prove a request changed nothing. */
async function snapshot(db: Queryable): Promise<string> {
  const parts: string[] = [];
  for (const table of TABLES) {
    const { rows } = await db.query<{ h: string | null }>(`select md5(string_agg(t::text, ',' order by t::text)) as h from hookyard.${table} t`);
    parts.push(`${table}:${rows[0]!.h}`);
  }
  return parts.join(' ');
}

const fill = (path: string, values: Record<string, string>) => path.replace(/\{([a-z_]+)\}/g, (_, name: string) => values[name] ?? `unknown_${name}`);

describeEachStorage('bad input on every route', (env) => {
  let t: TestApi;
  let appId: string;
  before(async () => {
    t = await testApi(env().hookyard, { bodyLimitBytes: 4096 });
    const app = await env().hookyard.applications.create({ name: 'existing', uid: 'existing' });
    appId = app.id;
    await env().hookyard.endpoints.create(app.id, { url: 'http://127.0.0.1:9/x', uid: 'ep' });
  });
  after(() => t.close());

  test('every body has a valid example here, so the 404 checks below reach the handler', () => {
    for (const r of t.api.routes) if (r.body) assert.ok(r.body.name in VALID_BODY, `add an example for ${r.body.name}`);
  });

  test('malformed JSON, wrong types, unknown fields and oversize bodies: 400, 422, 422, 413', async () => {
    const db = env().storage;
    const before = await snapshot(db);
    for (const r of t.api.routes.filter((r) => r.body)) {
      const path = fill(r.path, { app_id: appId, endpoint_id: 'ep', event_type_name: 'x.y' });
      const where = `${r.method} ${r.path}`;
      const bad = await t.call(r.method.toUpperCase(), path, '{"oops"');
      assert.equal(bad.status, 400, where);
      assert.deepEqual(Object.keys(bad.json as object).sort(), ['code', 'detail'], where);

      for (const body of [[], 'text', 42, null]) {
        const res = await t.call(r.method.toUpperCase(), path, JSON.stringify(body));
        assert.equal(res.status, 422, `${where} ${JSON.stringify(body)}`);
        const detail = (res.json as { detail: { loc: unknown[]; msg: string; type: string }[] }).detail;
        assert.ok(Array.isArray(detail) && detail.length > 0 && detail.every((d) => d.loc[0] === 'body' && typeof d.msg === 'string' && typeof d.type === 'string'), where);
      }

      const unknown = await t.call(r.method.toUpperCase(), path, { ...(VALID_BODY[r.body!.name] as object), surprise: 1 });
      assert.equal(unknown.status, 422, where);
      assert.ok((unknown.json as { detail: { loc: unknown[] }[] }).detail.some((d) => d.loc.join('.') === 'body.surprise'), where);

      const big = await t.call(r.method.toUpperCase(), path, { ...(VALID_BODY[r.body!.name] as object), pad: 'x'.repeat(8192) });
      assert.equal(big.status, 413, where);
      assert.equal((big.json as { code: string }).code, 'payload_too_large', where);
    }
    assert.equal(await snapshot(db), before);
  });

  test('missing required fields and invalid values name the field', async () => {
    const db = env().storage;
    const before = await snapshot(db);
    const cases: [string, string, unknown, string][] = [
      ['POST', '/api/v1/app', {}, 'body.name'],
      ['POST', '/api/v1/app', { name: 5 }, 'body.name'],
      ['POST', '/api/v1/app', { name: 'x', uid: 'has space' }, 'body.uid'],
      ['POST', '/api/v1/event-type', { name: 'x.y' }, 'body.description'],
      ['POST', `/api/v1/app/${appId}/endpoint`, {}, 'body.url'],
      ['POST', `/api/v1/app/${appId}/endpoint`, { url: 'ftp://example.test/' }, 'body.url'],
      ['POST', `/api/v1/app/${appId}/endpoint`, { url: 'not a url' }, 'body.url'],
      ['POST', `/api/v1/app/${appId}/endpoint`, { url: 'http://127.0.0.1:9/', filterTypes: 'a.b' }, 'body.filterTypes'],
      ['POST', `/api/v1/app/${appId}/msg`, { payload: {} }, 'body.eventType'],
      ['POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: [1] }, 'body.payload'],
      ['POST', `/api/v1/app/${appId}/msg/batch`, { messages: [{ eventType: 'a.b', payload: {} }, { eventType: 'a.b' }] }, 'body.messages.1.payload'],
      ['PUT', `/api/v1/app/${appId}/endpoint/ep/headers`, { headers: { 'Webhook-Id': 'x' } }, 'body.headers'],
      ['GET', '/api/v1/app?limit=0', undefined, 'query.limit'],
      ['GET', '/api/v1/app?limit=251', undefined, 'query.limit'],
      ['GET', '/api/v1/app?limit=abc', undefined, 'query.limit'],
      ['GET', '/api/v1/app?order=sideways', undefined, 'query.order'],
      ['GET', `/api/v1/app/${appId}/msg?before=yesterday`, undefined, 'query.before'],
    ];
    for (const [method, path, body, loc] of cases) {
      const res = await t.call(method, path, body);
      assert.equal(res.status, 422, `${method} ${path} ${JSON.stringify(body)}`);
      const locs = (res.json as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc.join('.'));
      assert.ok(locs.some((l) => l.startsWith(loc)), `${path}: expected ${loc} in ${locs.join(', ')}`);
    }
    assert.equal(await snapshot(db), before);
  });

  test('unknown ids: 404 {code, detail} on every route with a path parameter', async () => {
    const db = env().storage;
    const before = await snapshot(db);
    for (const r of t.api.routes.filter((r) => r.path.includes('{'))) {
      // PUT on an event type creates it, as in Svix.
      if (r.operationId === 'v1.event-type.update') continue;
      const body = r.body ? VALID_BODY[r.body.name] : undefined;
      const paths = [fill(r.path, {})];
      // With a real application, the next id along must be unknown too.
      if ((r.path.match(/\{/g) ?? []).length > 1) paths.push(fill(r.path, { app_id: 'existing' }));
      for (const path of paths) {
        const res = await t.call(r.method.toUpperCase(), path, body);
        assert.equal(res.status, 404, `${r.method} ${path}`);
        assert.equal((res.json as { code: string }).code, 'not_found', path);
      }
    }
    assert.equal((await t.call('GET', '/api/v1/nothing-here')).status, 404);
    assert.equal(await snapshot(db), before);
  });

  test('conflicts: 409 {code: conflict}', async () => {
    const res = await t.call('POST', '/api/v1/app', { name: 'again', uid: 'existing' });
    assert.deepEqual([res.status, (res.json as { code: string }).code], [409, 'conflict']);
    const ep = await t.call('POST', `/api/v1/app/${appId}/endpoint`, { url: 'http://127.0.0.1:9/', uid: 'ep' });
    assert.equal(ep.status, 409);
  });

  test('status codes Svix gives: get_if_exists 200/201, event-type PUT 201/200, deletes 204', async () => {
    assert.equal((await t.call('POST', '/api/v1/app?get_if_exists=true', { name: 'x', uid: 'existing' })).status, 200);
    assert.equal((await t.call('POST', '/api/v1/app?get_if_exists=true', { name: 'x', uid: 'brand-new' })).status, 201);
    assert.equal((await t.call('PUT', '/api/v1/event-type/put.me', { description: 'd' })).status, 201);
    assert.equal((await t.call('PUT', '/api/v1/event-type/put.me', { description: 'e' })).status, 200);
    const del = await t.call('DELETE', '/api/v1/app/brand-new');
    assert.deepEqual([del.status, del.json], [204, undefined]);
  });
});
