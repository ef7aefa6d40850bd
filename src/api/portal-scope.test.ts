import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AppPortalCapability, Svix } from 'svix';
import { portalTokenCreate } from '../auth/portal-token.js';
import type { Queryable } from '../store/port.js';
import { testApi, type TestApi } from '../test/api.js';
import { snapshot, VALID_BODY } from '../test/bad-input.js';
import { browser } from '../test/browser.js';
import { describeEachStorage } from '../test/storages.js';
import { PORTAL_ACCESS, portalRulesCheck } from './portal-scope.js';
import type { Route } from './route.js';

/**
 * App portal tokens on every route of the OpenAPI document. A token of one
 * application tries each operation on another application (by id and by uid),
 * and on everything server-wide, with the Bearer header and through a console
 * session: every try is refused and nothing changes. The routes come from the
 * document, so a route added later is tried too; one that is not listed in
 * PORTAL_ACCESS is refused by the middleware, whatever its handler does.
 */
type Json = Record<string, unknown>;
interface Operation { method: string; path: string; operationId: string; body: string | undefined; isPublic: boolean }

function operations(openapi: Json): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(openapi.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const ref = (op.requestBody as { content: { 'application/json': { schema: { $ref: string } } } } | undefined)?.content['application/json'].schema.$ref;
      const security = op.security as unknown[] | undefined;
      ops.push({ method: method.toUpperCase(), path, operationId: op.operationId as string, body: ref?.split('/').at(-1), isPublic: Array.isArray(security) && security.length === 0 });
    }
  }
  return ops;
}

/** Routes open without any token; a new one must be added here on purpose. */
const PUBLIC = ['v1.health.get', 'console.session.create', 'console.portal-theme.get'];

const tokensSnapshot = async (db: Queryable) =>
  JSON.stringify((await db.query('select id, revoked_at, expires_at from hookyard.api_token order by id')).rows);

describeEachStorage('app portal tokens on every route', (env) => {
  let t: TestApi;
  const victim: Record<string, string> = {};
  let own: { id: string; uid: string; endpointId: string };
  let portal: { url: string; token: string };
  before(async () => {
    const { hookyard } = env();
    t = await testApi(hookyard, { authFailureBurst: 10_000 });
    const a = await hookyard.applications.create({ name: 'victim', uid: 'victim' });
    const ep = await hookyard.endpoints.create(a.id, { url: 'http://127.0.0.1:9/a', uid: 'victim-ep' });
    await hookyard.eventTypes.create({ name: 'x.y', description: 'd' });
    const { message } = await hookyard.messages.publish(a.id, { eventType: 'x.y', payload: { secret: 'of victim' } });
    const b = await hookyard.applications.create({ name: 'portal owner', uid: 'owner' });
    const bEp = await hookyard.endpoints.create(b.id, { url: 'http://127.0.0.1:9/b' });
    own = { id: b.id, uid: 'owner', endpointId: bEp.id };
    Object.assign(victim, { app_id: a.id, endpoint_id: ep.id, msg_id: message.id, attempt_id: 'atmpt_unknown', event_type_name: 'x.y', token_id: 'test' });
    portal = await new Svix(t.token, { serverUrl: t.url }).authentication.appPortalAccess('owner', {});
  });
  after(() => t.close());

  test('appPortalAccess answers {url, token}: the url opens /portal/ with the token in its fragment', () => {
    assert.match(portal.token, /^hyp_[A-Za-z0-9_-]{43}$/);
    assert.equal(portal.url, `${t.url}/portal/#token=${portal.token}`);
  });

  test('the rules are enforceable: a capability needs /api/v1/app/{app_id}, a catalogue route is a GET', () => {
    const fake = (operationId: string, method: Route['method'], path: string) => ({ operationId, method, path, summary: '', tag: '', status: 200, handler: async () => undefined }) as Route;
    assert.throws(() => portalRulesCheck([fake('x', 'get', '/api/v1/stats')], { x: 'ViewBase' }), /must start with/);
    assert.throws(() => portalRulesCheck([fake('x', 'post', '/api/v1/event-type')], { x: 'catalogue' }), /must be GET/);
    portalRulesCheck(t.api.routes);
  });

  test("every route refuses another application's portal token, by id and by uid, by header and by session; nothing changes", { timeout: 120_000 }, async () => {
    const db = env().storage;
    const before = [await snapshot(db), await tokensSnapshot(db)];
    const ops = operations(t.api.openapi);
    assert.ok(ops.length >= 40, `${ops.length} operations`);
    const session = browser(t.url);
    const { csrfToken, scope, appId } = (await session.request('POST', '/console/api/session', { body: { token: portal.token } })).json as { csrfToken: string; scope: string; appId: string };
    assert.deepEqual([scope, appId], ['app', own.id]);

    const wrong: string[] = [];
    let tried = 0;
    for (const op of ops) {
      if (op.isPublic) {
        assert.ok(PUBLIC.includes(op.operationId), `${op.operationId} is open without a token: add it to PUBLIC if that is meant`);
        continue;
      }
      const rule = PORTAL_ACCESS[op.operationId];
      // Acting on the caller's own credential (logout, its session) is tried separately below.
      if (rule === 'self') continue;
      const body = op.body === undefined ? undefined : VALID_BODY[op.body];
      assert.ok(op.body === undefined || op.body in VALID_BODY, `add a valid ${op.body} to src/test/bad-input.ts`);
      const appValues = op.path.includes('{app_id}') ? [victim.app_id!, 'victim'] : [''];
      for (const app of appValues) {
        const path = op.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => (name === 'app_id' ? app : (victim[name] ?? `unknown_${name}`)));
        for (const via of ['bearer', 'session'] as const) {
          tried++;
          const res = via === 'bearer'
            ? await fetch(t.url + path, { method: op.method, headers: { authorization: `Bearer ${portal.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })
            : await session.request(op.method, path, { ...(body === undefined ? {} : { body }), csrf: csrfToken }).then((r) => new Response(r.text, { status: r.status }));
          const text = await res.text();
          if (rule === 'catalogue') {
            if (op.method !== 'GET' || res.status !== 200) wrong.push(`${res.status} ${op.method} ${path} (${via}): a catalogue route answers GETs`);
            continue;
          }
          if (res.status !== 403) wrong.push(`${res.status} ${op.method} ${path} (${via})`);
          if (text.includes('of victim')) wrong.push(`${op.method} ${path} (${via}) showed the other application's data`);
        }
      }
    }
    assert.deepEqual(wrong, [], `${wrong.length} of ${tried} tries were not refused`);
    assert.deepEqual([await snapshot(db), await tokensSnapshot(db)], before, 'a refused request changed something');
  });

  test('the same token works on its own application, within its capabilities', async () => {
    const call = async (token: string, method: string, path: string, body?: unknown) =>
      (await fetch(t.url + path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) })).status;
    assert.equal(await call(portal.token, 'GET', `/api/v1/app/${own.id}`), 200);
    assert.equal(await call(portal.token, 'GET', `/api/v1/app/${own.uid}/endpoint`), 200, 'by uid too');
    assert.equal(await call(portal.token, 'GET', `/api/v1/app/${own.id}/endpoint/${own.endpointId}/secret`), 200);
    assert.equal(await call(portal.token, 'POST', `/api/v1/app/${own.id}/endpoint`, { url: 'http://127.0.0.1:9/new' }), 201);
    assert.equal(await call(portal.token, 'GET', '/api/v1/event-type'), 200, 'the event-type catalogue');
    assert.equal(await call(portal.token, 'POST', `/api/v1/app/${own.id}/msg`, { eventType: 'x.y', payload: {} }), 403, 'publishing is not a portal capability');
    for (const path of ['/api/v1/app', '/api/v1/token']) assert.equal(await call(portal.token, 'GET', path), 403, path);

    const viewer = await new Svix(t.token, { serverUrl: t.url }).authentication.appPortalAccess(own.id, { capabilities: [AppPortalCapability.ViewBase] });
    assert.equal(await call(viewer.token, 'GET', `/api/v1/app/${own.id}/endpoint`), 200);
    assert.equal(await call(viewer.token, 'GET', `/api/v1/app/${own.id}/endpoint/${own.endpointId}/secret`), 403, 'no ViewEndpointSecret');
    assert.equal(await call(viewer.token, 'POST', `/api/v1/app/${own.id}/endpoint`, { url: 'http://127.0.0.1:9/no' }), 403, 'no ManageEndpoint');
  });

  test('appPortalAccess: expiry within Svix bounds, unimplemented featureFlags refused, an application created on demand', async () => {
    const svix = new Svix(t.token, { serverUrl: t.url });
    for (const body of [{ expiry: 60 }, { expiry: 8 * 86_400 }, { featureFlags: ['beta'] }, { surprise: 1 }]) {
      const res = await fetch(`${t.url}/api/v1/auth/app-portal-access/owner`, { method: 'POST', headers: { authorization: `Bearer ${t.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      assert.equal(res.status, 422, JSON.stringify(body));
    }
    const made = await svix.authentication.appPortalAccess('made-on-demand', { application: { name: 'Made on demand' } });
    assert.equal((await env().hookyard.applications.get('made-on-demand')).name, 'Made on demand');
    const res = await fetch(`${t.url}/api/v1/app/made-on-demand`, { headers: { authorization: `Bearer ${made.token}` } });
    assert.equal(res.status, 200);
    const { rows } = await env().storage.query<{ s: number }>("select extract(epoch from expires_at - created_at)::int as s from hookyard.api_token where scope = 'app' order by id desc limit 1");
    assert.ok(Math.abs(rows[0]!.s - 3600) <= 5, `default expiry one hour: ${rows[0]!.s} s`);
  });

  test('an expired portal token is refused, by header and at sign-in', async () => {
    const { token } = await portalTokenCreate(env().storage, { appId: own.id, capabilities: null, expiresAt: new Date(Date.now() - 1000), sessionId: null });
    assert.equal((await fetch(`${t.url}/api/v1/app/${own.id}`, { headers: { authorization: `Bearer ${token}` } })).status, 401);
    assert.equal((await browser(t.url).request('POST', '/console/api/session', { body: { token } })).status, 401);
  });

  test('logout ends the token (and its sessions); API tokens cannot be logged out; expire-all', async () => {
    const admin = new Svix(t.token, { serverUrl: t.url });
    const mine = await admin.authentication.appPortalAccess(own.id, {});
    const b = browser(t.url);
    await b.request('POST', '/console/api/session', { body: { token: mine.token } });
    assert.equal((await b.request('GET', `/api/v1/app/${own.id}`)).status, 200);
    await new Svix(mine.token, { serverUrl: t.url }).authentication.logout();
    assert.equal((await fetch(`${t.url}/api/v1/app/${own.id}`, { headers: { authorization: `Bearer ${mine.token}` } })).status, 401);
    assert.equal((await b.request('GET', `/api/v1/app/${own.id}`)).status, 401, 'its session ended with it');
    await assert.rejects(admin.authentication.logout(), (e: { code: number }) => e.code === 403);

    const tagged = await admin.authentication.appPortalAccess(own.id, { sessionId: 's1' });
    const other = await admin.authentication.appPortalAccess(own.id, { sessionId: 's2' });
    await admin.authentication.expireAll(own.id, { sessionIds: ['s1'] });
    const status = async (token: string) => (await fetch(`${t.url}/api/v1/app/${own.id}`, { headers: { authorization: `Bearer ${token}` } })).status;
    assert.deepEqual([await status(tagged.token), await status(other.token)], [401, 200]);
    await admin.authentication.expireAll(own.id, {});
    assert.equal(await status(other.token), 401);
  });
});
