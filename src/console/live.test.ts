import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startWorker } from '../delivery/worker.js';
import { openHookyard } from '../hookyard.js';
import { LIVE_CHANNEL } from '../live/notice.js';
import { testApi, type TestApi } from '../test/api.js';
import { browser } from '../test/browser.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { sseOpen, type SseClient, type SseEvent } from '../test/sse.js';
import { describeEachStorage, TEST_ALLOW_CIDRS, TEST_SECRET_KEY } from '../test/storages.js';

/**
 * GET /console/api/events: server-sent events of what any process wrote (migration 023's NOTIFYs
 * through src/live/), for console and portal sessions only, scoped to a portal's application.
 */
type Items = { items: Record<string, unknown>[] };
const itemsOf = (e: SseEvent) => (e.data as Items).items ?? [];
const has = (kind: string, match: Record<string, unknown>) => (e: SseEvent) =>
  e.event === kind && itemsOf(e).some((i) => Object.entries(match).every(([k, v]) => i[k] === v));

describeEachStorage('live updates (server-sent events)', (env) => {
  let t: TestApi;
  let receiver: Receiver;
  const streams: SseClient[] = [];
  before(async () => {
    t = await testApi(env().hookyard, { authFailureBurst: 1000 });
    receiver = await startReceiver();
  });
  after(async () => {
    streams.forEach((s) => s.close());
    await t.close();
    await receiver.close();
  });

  async function signIn(token: string, api = t): Promise<string> {
    const b = browser(api.url);
    const res = await b.request('POST', '/console/api/session', { body: { token } });
    assert.equal(res.status, 201, res.text);
    return b.cookie!;
  }
  async function open(cookie: string, api = t): Promise<SseClient> {
    const s = await sseOpen(`${api.url}/console/api/events`, { cookie });
    streams.push(s);
    return s;
  }
  async function appWithEndpoint(uid: string) {
    const app = (await t.call('POST', '/api/v1/app', { name: uid, uid })).json as { id: string };
    const ep = (await t.call('POST', `/api/v1/app/${app.id}/endpoint`, { url: `${receiver.origin}/${uid}` })).json as { id: string };
    return { appId: app.id, endpointId: ep.id };
  }
  const publish = async (appId: string) => ((await t.call('POST', `/api/v1/app/${appId}/msg`, { eventType: 'test.live', payload: { n: 1 } })).json as { id: string }).id;

  // First, before any test opens a stream: an open stream's process renews its listener row every
  // 20 s, and a renewal between this test's delete and its publish made the publish notify.
  test('writers NOTIFY only while some process serves a stream (hookyard.live_listener)', async () => {
    const { appId } = await appWithEndpoint('live-quiet');
    const heard: string[] = [];
    const unlisten = await env().storage.listen(LIVE_CHANNEL, (p) => heard.push(p));
    try {
      await env().storage.query('delete from hookyard.live_listener');
      await publish(appId);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(heard.length, 0, 'no stream anywhere: no NOTIFY');
      await env().storage.query(`insert into hookyard.live_listener (id, until) values ('lst_test', now() + interval '1 minute')`);
      const msgId = await publish(appId);
      for (let i = 0; i < 100 && !heard.some((p) => p.includes(msgId)); i++) await new Promise((r) => setTimeout(r, 20));
      assert.ok(heard.some((p) => p.includes(msgId)), 'a listener row: the publish notifies');
      // A batch too large for one notification goes as several, each within PostgreSQL's 8000 bytes.
      heard.length = 0;
      await env().storage.query(`select hookyard.live_notify('attempt', (select jsonb_agg(jsonb_build_object('app', 'app_' || repeat('x', 27), 'msg', 'msg_' || g)) from generate_series(1, 500) g))`);
      for (let i = 0; i < 100 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
      assert.ok(heard.length > 1, `several notifications (${heard.length})`);
      assert.ok(heard.every((p) => Buffer.byteLength(p) < 8000));
      assert.equal(heard.flatMap((p) => (JSON.parse(p) as { r: unknown[] }).r).length, 500, 'every item, once');
    } finally {
      await env().storage.query(`delete from hookyard.live_listener where id = 'lst_test'`);
      await unlisten();
    }
  });

  test('needs a console session: 401 without one, and a Bearer token is not one', async () => {
    const none = await fetch(`${t.url}/console/api/events`);
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as { code: string }).code, 'authentication_failed');
    const bearer = await fetch(`${t.url}/console/api/events`, { headers: { authorization: `Bearer ${t.token}` } });
    assert.equal(bearer.status, 401);
    const stale = await fetch(`${t.url}/console/api/events`, { headers: { cookie: `hookyard_session=${'x'.repeat(43)}` } });
    assert.equal(stale.status, 401);
  });

  test('a console stream: retry hint, ready, then the message and the attempt of a publish', async () => {
    const { appId, endpointId } = await appWithEndpoint('live-a');
    const s = await open(await signIn(t.token));
    assert.equal(s.status, 200);
    assert.match(s.headers.get('content-type') ?? '', /^text\/event-stream/);
    await s.waitFor((e) => e.event === 'ready');
    assert.match(s.text(), /^retry: \d+\n/);
    const worker = startWorker(env().hookyard, { pollIntervalMs: 50, flushDelayMs: 5 });
    try {
      const msgId = await publish(appId);
      await s.waitFor(has('message', { appId, msgId }));
      const attempt = await s.waitFor(has('attempt', { appId, msgId, endpointId }));
      assert.equal(itemsOf(attempt).find((i) => i.msgId === msgId)!.state, 'succeeded');
    } finally {
      await worker.stop(1_000);
    }
    // Ids and states only: nothing of the payload, the URL or any secret.
    assert.doesNotMatch(JSON.stringify(s.events), /"n":1|whsec_|live-a"|\/live-a/);
  });

  test('a portal stream gets its own application\'s events and never another\'s', async () => {
    const mine = await appWithEndpoint('live-mine');
    const other = await appWithEndpoint('live-other');
    const { token } = (await t.call('POST', `/api/v1/auth/app-portal-access/${mine.appId}`, {})).json as { token: string };
    const portal = await open(await signIn(token));
    const operator = await open(await signIn(t.token));
    await Promise.all([portal.waitFor((e) => e.event === 'ready'), operator.waitFor((e) => e.event === 'ready')]);
    // The other application's changes first: were any to reach the portal, they would come first.
    const otherMsg = await publish(other.appId);
    await t.call('PATCH', `/api/v1/app/${other.appId}/endpoint/${other.endpointId}`, { description: 'changed' });
    await t.call('POST', '/ingest/api/v1/source', { name: 'Partner', type: 'generic-webhook' });
    const myMsg = await publish(mine.appId);
    await t.call('PATCH', `/api/v1/app/${mine.appId}/endpoint/${mine.endpointId}`, { description: 'changed' });
    await portal.waitFor(has('message', { msgId: myMsg }));
    await portal.waitFor(has('endpoint', { endpointId: mine.endpointId }));
    await operator.waitFor(has('message', { msgId: otherMsg }));
    await operator.waitFor(has('endpoint', { endpointId: other.endpointId }));
    await operator.waitFor(has('endpoint', { endpointId: mine.endpointId }));
    const seen = portal.events.flatMap(itemsOf);
    assert.ok(seen.length >= 2);
    assert.ok(seen.every((i) => i.appId === mine.appId), `only the portal's application: ${JSON.stringify(seen)}`);
    assert.ok(!portal.events.some((e) => e.event === 'source-request'));
  });

  test('streams are capped per session; sign-out ends the session\'s streams', async () => {
    const capped = await testApi(env().hookyard, { liveStreamsPerSession: 1 });
    try {
      const b = browser(capped.url);
      const signedIn = (await b.request('POST', '/console/api/session', { body: { token: t.token } })).json as { csrfToken: string };
      const first = await sseOpen(`${capped.url}/console/api/events`, { cookie: b.cookie! });
      await first.waitFor((e) => e.event === 'ready');
      const second = await fetch(`${capped.url}/console/api/events`, { headers: { cookie: b.cookie! } });
      assert.equal(second.status, 429);
      assert.ok(second.headers.get('retry-after'));
      await b.request('DELETE', '/console/api/session', { csrf: signedIn.csrfToken });
      await first.waitFor((e) => e.event === 'end');
      await first.ended;
    } finally {
      await capped.close();
    }
  });

  test('an expired session ends its stream', async () => {
    const short = await testApi(env().hookyard, { sessionIdleMs: 1_000 });
    try {
      const s = await sseOpen(`${short.url}/console/api/events`, { cookie: await signIn(t.token, short) });
      await s.waitFor((e) => e.event === 'ready');
      const end = await s.waitFor((e) => e.event === 'end', 5_000);
      assert.deepEqual(end.data, { reason: 'session_ended' });
      await s.ended;
    } finally {
      await short.close();
    }
  });

  test('the server\'s close ends open streams at once instead of waiting out its grace time', async () => {
    const other = await testApi(env().hookyard);
    const cookie = await signIn(t.token, other);
    const s = [await sseOpen(`${other.url}/console/api/events`, { cookie }), await sseOpen(`${other.url}/console/api/events`, { cookie })];
    await Promise.all(s.map((x) => x.waitFor((e) => e.event === 'ready')));
    const started = performance.now();
    await other.server.close(10_000);
    const took = performance.now() - started;
    await Promise.all(s.map((x) => x.ended));
    assert.ok(took < 3_000, `closed in ${Math.round(took)} ms`);
    assert.deepEqual(other.api.live.stats(), { streams: 0, listening: false });
  });
});

// Scaled out: the API serving the stream and the worker writing the attempt are different
// Hookyards (own pools, own LISTEN connections) on one PostgreSQL database.
describeEachStorage('live updates across processes', (env) => {
  test('an attempt written by a second Hookyard on the same database reaches the stream', async () => {
    const t = await testApi(env().hookyard);
    const receiver = await startReceiver();
    const second = await openHookyard({ databaseUrl: env().url!, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false, poolSize: 2 });
    const worker = startWorker(second, { pollIntervalMs: 50, flushDelayMs: 5 });
    try {
      const b = browser(t.url);
      await b.request('POST', '/console/api/session', { body: { token: t.token } });
      const s = await sseOpen(`${t.url}/console/api/events`, { cookie: b.cookie! });
      await s.waitFor((e) => e.event === 'ready');
      const app = await second.applications.create({ name: 'Elsewhere' });
      const ep = await second.endpoints.create(app.id, { url: `${receiver.origin}/elsewhere` });
      const { message } = await second.messages.publish(app.id, { eventType: 'test.live', payload: { n: 2 } });
      await s.waitFor(has('message', { appId: app.id, msgId: message.id }));
      await s.waitFor(has('attempt', { appId: app.id, endpointId: ep.id, msgId: message.id, state: 'succeeded' }));
      s.close();
    } finally {
      await worker.stop(1_000);
      await second.close();
      await t.close();
      await receiver.close();
    }
  });
}, {}, ['postgres']);
