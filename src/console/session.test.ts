import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { tokenCreate, tokenRevoke } from '../auth/token.js';
import { testApi, type TestApi } from '../test/api.js';
import { browser } from '../test/browser.js';
import { describeEachStorage } from '../test/storages.js';
import { csrfTokenOf } from './session.js';

const HOUR = 3_600_000;

describeEachStorage('console sessions', (env) => {
  let t: TestApi;
  let clock = Date.now();
  before(async () => {
    t = await testApi(env().hookyard, { now: () => new Date(clock), sessionIdleMs: HOUR, sessionMaxMs: 3 * HOUR, trustedProxies: '127.0.0.1/32', authFailureBurst: 1000 });
  });
  after(() => t.close());

  test('sign-in sets an HttpOnly, SameSite=Strict cookie that is not the token, and answers the CSRF token', async () => {
    const b = browser(t.url);
    const res = await b.request('POST', '/console/api/session', { body: { token: t.token } });
    assert.equal(res.status, 201);
    const body = res.json as { csrfToken: string; scope: string; appId: string | null; expiresAt: string };
    assert.deepEqual([body.scope, body.appId], ['admin', null]);
    assert.equal(new Date(body.expiresAt).getTime(), clock + HOUR);
    const [cookie] = b.setCookies;
    assert.match(cookie!, /^hookyard_session=[A-Za-z0-9_-]{43};/);
    assert.match(cookie!, /; HttpOnly/);
    assert.match(cookie!, /; SameSite=Strict/);
    assert.match(cookie!, /; Path=\//);
    assert.doesNotMatch(cookie!, /Secure/, 'plain HTTP from a client: no Secure flag');
    assert.ok(!cookie!.includes(t.token) && !res.text.includes(t.token), 'the token is never sent back');
    assert.equal(body.csrfToken, csrfTokenOf(b.cookie!.split('=')[1]!));
    const rows = await env().storage.query<{ id_hash: string }>('select id_hash from hookyard.console_session');
    assert.ok(rows.rows.every((r) => !b.cookie!.includes(r.id_hash)), 'only the hash of the session id is stored');
  });

  test('Secure behind HTTPS: X-Forwarded-Proto from a trusted proxy counts, from anyone else not; secureCookies always', async () => {
    const trusted = browser(t.url);
    await trusted.request('POST', '/console/api/session', { body: { token: t.token }, headers: { 'x-forwarded-proto': 'https' } });
    assert.match(trusted.setCookies[0]!, /; Secure/);
    const other = await testApi(env().hookyard, { trustedProxies: '192.0.2.0/24' });
    try {
      const spoofed = browser(other.url);
      await spoofed.request('POST', '/console/api/session', { body: { token: other.token }, headers: { 'x-forwarded-proto': 'https' } });
      assert.doesNotMatch(spoofed.setCookies[0]!, /Secure/, 'a peer that is not a trusted proxy cannot ask for it');
    } finally {
      await other.close();
    }
    const always = await testApi(env().hookyard, { secureCookies: 'always' });
    try {
      const b = browser(always.url);
      await b.request('POST', '/console/api/session', { body: { token: always.token } });
      assert.match(b.setCookies[0]!, /; Secure/);
    } finally {
      await always.close();
    }
  });

  test('the cookie authenticates the public API; every change needs the CSRF token (missing or wrong: 403)', async () => {
    const b = browser(t.url);
    const { csrfToken } = (await b.request('POST', '/console/api/session', { body: { token: t.token } })).json as { csrfToken: string };
    assert.equal((await b.request('GET', '/api/v1/app')).status, 200, 'reads need no CSRF token');
    const missing = await b.request('POST', '/api/v1/app', { body: { name: 'no-csrf' } });
    assert.deepEqual([missing.status, (missing.json as { code: string }).code], [403, 'forbidden']);
    assert.equal((await b.request('POST', '/api/v1/app', { body: { name: 'wrong-csrf' }, csrf: csrfToken.replace(/^./, (ch) => (ch === 'A' ? 'B' : 'A')) })).status, 403);
    assert.equal((await b.request('POST', '/api/v1/app', { body: { name: 'short' }, csrf: 'x' })).status, 403);
    const other = browser(t.url);
    const otherCsrf = ((await other.request('POST', '/console/api/session', { body: { token: t.token } })).json as { csrfToken: string }).csrfToken;
    assert.equal((await b.request('POST', '/api/v1/app', { body: { name: 'other-csrf' }, csrf: otherCsrf })).status, 403, "another session's CSRF token");
    const apps = await env().hookyard.applications.list({});
    assert.ok(!apps.data.some((a) => a.name.endsWith('csrf') || a.name === 'short'), 'nothing refused was created');
    const created = await b.request('POST', '/api/v1/app', { body: { name: 'with-csrf' }, csrf: csrfToken });
    assert.equal(created.status, 201);
    assert.equal((await b.request('DELETE', `/api/v1/app/${(created.json as { id: string }).id}`)).status, 403, 'DELETE too');
  });

  test('GET answers the session or 401; sign-out needs CSRF, ends it and clears the cookie', async () => {
    const b = browser(t.url);
    assert.equal((await b.request('GET', '/console/api/session')).status, 401);
    const signedIn = (await b.request('POST', '/console/api/session', { body: { token: t.token } })).json as { csrfToken: string };
    const got = await b.request('GET', '/console/api/session');
    assert.equal(got.status, 200);
    assert.equal((got.json as { csrfToken: string }).csrfToken, signedIn.csrfToken);
    assert.equal((await b.request('DELETE', '/console/api/session')).status, 403);
    const cookie = b.cookie;
    const out = await b.request('DELETE', '/console/api/session', { csrf: signedIn.csrfToken });
    assert.equal(out.status, 204);
    assert.match(b.setCookies[0]!, /^hookyard_session=;.*Max-Age=0/);
    assert.equal(b.cookie, undefined);
    b.cookie = cookie;
    assert.equal((await b.request('GET', '/api/v1/app')).status, 401, 'the old cookie no longer works');
  });

  test('a wrong token does not sign in; a revoked token ends its sessions', async () => {
    const b = browser(t.url);
    assert.equal((await b.request('POST', '/console/api/session', { body: { token: 'hy_wrong' } })).status, 401);
    assert.equal(b.cookie, undefined);
    const { token, record } = await tokenCreate(env().storage, 'session-revoke');
    assert.equal((await b.request('POST', '/console/api/session', { body: { token } })).status, 201);
    assert.equal((await b.request('GET', '/api/v1/app')).status, 200);
    await tokenRevoke(env().storage, record.id);
    assert.equal((await b.request('GET', '/api/v1/app')).status, 401);
  });

  test('expiry slides with use, up to the maximum; an unused session ends after the idle time', async () => {
    const b = browser(t.url);
    await b.request('POST', '/console/api/session', { body: { token: t.token } });
    const start = clock;
    try {
      for (const minutes of [50, 100, 150]) {
        clock = start + minutes * 60_000;
        assert.equal((await b.request('GET', '/api/v1/app')).status, 200, `used after ${minutes} min`);
      }
      clock = start + 3 * HOUR - 1_000;
      const late = await b.request('GET', '/console/api/session');
      assert.equal(new Date((late.json as { expiresAt: string }).expiresAt).getTime(), start + 3 * HOUR, 'never past the maximum');
      clock = start + 3 * HOUR;
      assert.equal((await b.request('GET', '/api/v1/app')).status, 401, 'ended at the maximum');

      const idle = browser(t.url);
      await idle.request('POST', '/console/api/session', { body: { token: t.token } });
      clock += HOUR;
      assert.equal((await idle.request('GET', '/api/v1/app')).status, 401, 'ended after an hour unused');
    } finally {
      clock = Date.now();
    }
  });

  test('a Bearer header needs no CSRF token, and wins over a cookie', async () => {
    const b = browser(t.url);
    await b.request('POST', '/console/api/session', { body: { token: t.token } });
    const res = await b.request('POST', '/api/v1/app', { body: { name: 'bearer' }, headers: { authorization: `Bearer ${t.token}` } });
    assert.equal(res.status, 201);
    assert.equal((await b.request('GET', '/api/v1/app', { headers: { authorization: 'Bearer hy_wrong' } })).status, 401);
  });
});
