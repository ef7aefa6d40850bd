import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Hono } from 'hono';
import { HookyardError } from '../errors.js';
import { openHookyard, type Hookyard } from '../hookyard.js';
import { createLogger } from '../log.js';
import { openPostgres } from '../store/postgres.js';
import type { Storage } from '../store/port.js';
import { testApi, type TestApi } from '../test/api.js';
import { describeEachStorage, storageKinds, testDatabase, TEST_SECRET_KEY, type TestDatabase } from '../test/storages.js';
import { startTcpProxy, type TcpProxy } from '../test/tcp-proxy.js';
import type { ApiEnv } from './env.js';
import { errorResponse } from './error.js';

/** A logger whose lines are kept, to check what an outage writes. */
function capturedLog() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { log: createLogger('debug', sink), lines };
}

test('errorResponse: an outage is 503 database_unavailable with Retry-After and no error line; a bug is still a bare 500, logged', async () => {
  const { log, lines } = capturedLog();
  const app = new Hono<ApiEnv>();
  app.use(async (c, next) => {
    c.set('log', log);
    await next();
  });
  app.onError(errorResponse);
  app.get('/refused', () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  });
  app.get('/wrapped', () => {
    throw new HookyardError('database_unavailable', 'the database is unavailable (57P01)');
  });
  app.get('/bug', () => {
    throw new TypeError('x is undefined');
  });
  for (const path of ['/refused', '/wrapped']) {
    const res = await app.request(path);
    assert.equal(res.status, 503, path);
    assert.equal(res.headers.get('retry-after'), '1');
    assert.deepEqual(await res.json(), { code: 'database_unavailable', detail: 'the database is unavailable; try again shortly' });
  }
  assert.deepEqual(lines.filter((l) => l.level >= 40), [], 'outages are logged by the storage, once, not per request');
  const bug = await app.request('/bug');
  assert.equal(bug.status, 500);
  assert.deepEqual(await bug.json(), { code: 'internal', detail: 'internal server error' });
  assert.equal(lines.filter((l) => l.level >= 50).length, 1);
});

describeEachStorage('GET /api/v1/health', (env) => {
  let api: TestApi;
  before(async () => {
    api = await testApi(env().hookyard);
  });
  after(async () => {
    await api.close();
  });

  test('204 without a token while the database answers', async () => {
    const res = await fetch(`${api.url}/api/v1/health`);
    assert.equal(res.status, 204);
  });
});

// Cutting and stalling the network to the database needs a server: PostgreSQL only.
if (storageKinds().includes('postgres')) {
  describe('the API while the database is away [postgres]', () => {
    let db: TestDatabase;
    let proxy: TcpProxy;
    let storage: Storage;
    let hookyard: Hookyard;
    let api: TestApi;
    let appId: string;
    const { log, lines } = capturedLog();
    before(async () => {
      db = await testDatabase('postgres');
      proxy = await startTcpProxy(db.url!);
      storage = await openPostgres({ connectionString: proxy.url, max: 4, log, timeouts: { connectMs: 500, statementMs: 500 } });
      hookyard = await openHookyard({ storage, secretKey: TEST_SECRET_KEY, migrate: false });
      api = await testApi(hookyard, { log });
      appId = (await hookyard.applications.create({ name: 'away' })).id;
    });
    after(async () => {
      await proxy.restore();
      await api.close();
      await hookyard.close();
      await storage.close();
      await proxy.close();
      await db.close();
    });

    /** Calls the API with a bound: a hang fails the test. */
    async function timed(method: string, path: string, body?: unknown) {
      const started = Date.now();
      const res = await fetch(`${api.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(8_000),
      });
      const text = await res.text();
      return { status: res.status, json: text ? (JSON.parse(text) as { code?: string }) : undefined, ms: Date.now() - started };
    }

    test('refused connections: health and requests answer 503 at once; one outage line each way', async () => {
      await proxy.cut();
      const health = await timed('GET', '/api/v1/health');
      assert.equal(health.status, 503);
      assert.equal(health.json?.code, 'database_unavailable');
      for (const [method, path, body] of [
        ['GET', `/api/v1/app/${appId}`],
        ['POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: {} }],
        ['GET', '/api/v1/app'],
      ] as const) {
        const res = await timed(method, path, body);
        assert.equal(res.status, 503, `${method} ${path}: ${JSON.stringify(res.json)}`);
        assert.equal(res.json?.code, 'database_unavailable');
        assert.ok(res.ms < 2_000, `${method} ${path} took ${res.ms} ms`);
      }
      await proxy.restore();
      assert.equal((await timed('GET', '/api/v1/health')).status, 204);
      assert.equal((await timed('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: {} })).status, 202);
      assert.equal(lines.filter((l) => l.msg.startsWith('database unavailable')).length, 1);
      assert.equal(lines.filter((l) => l.msg === 'database available again').length, 1);
      assert.deepEqual(lines.filter((l) => l.level >= 50), []);
    });

    test('a stalled network: health and a publish answer 503 within their bounds instead of hanging', async () => {
      await timed('GET', `/api/v1/app/${appId}`); // pooled connections that will stall
      proxy.freeze();
      const [health, publish] = await Promise.all([timed('GET', '/api/v1/health'), timed('POST', `/api/v1/app/${appId}/msg`, { eventType: 'a.b', payload: {} })]);
      assert.equal(health.status, 503);
      assert.equal(publish.status, 503, JSON.stringify(publish.json));
      assert.equal(publish.json?.code, 'database_unavailable');
      // The client bound: 500 ms statement timeout + 2 s margin, or the 500 ms connect timeout.
      assert.ok(health.ms < 4_000 && publish.ms < 4_000, `health ${health.ms} ms, publish ${publish.ms} ms`);
      await proxy.restore();
      assert.equal((await timed('GET', '/api/v1/health')).status, 204);
    });
  });
}
