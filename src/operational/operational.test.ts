import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { ApiException, Svix } from 'svix';
import { startWorker, type Worker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { testApi, type TestApi } from '../test/api.js';
import { TEST_WORKER } from '../test/delivery.js';
import { startReceiver, type Received, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { OPERATIONAL_APP_ID } from './model.js';

interface OperationalEvent {
  type: string;
  data: Record<string, unknown>;
}

describeEachStorage('operational webhooks', (env) => {
  describe('through the svix SDK, with a worker and a loopback receiver', () => {
    let t: TestApi;
    let svix: Svix;
    let receiver: Receiver;
    let worker: Worker;
    /** How many times each path has been called; `replies` decides the status by path and count. */
    const calls = new Map<string, number>();
    const replies = new Map<string, (n: number) => number>();
    let opsSecret = '';

    before(async () => {
      receiver = await startReceiver((r) => {
        const n = (calls.get(r.path) ?? 0) + 1;
        calls.set(r.path, n);
        return { status: replies.get(r.path)?.(n) ?? 200 };
      });
      // Five attempts per delivery, so a fourth failure (message.attempt.failing) comes before the last.
      worker = startWorker(env().hookyard, { ...TEST_WORKER, retrySchedule: [10, 10, 10, 10] }, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
      t = await testApi(env().hookyard);
      svix = new Svix(t.token, { serverUrl: t.url });
      const ops = await svix.operationalWebhookEndpoint.create({ url: `${receiver.origin}/ops`, uid: 'ops-all', description: 'everything' });
      opsSecret = (await svix.operationalWebhookEndpoint.getSecret(ops.id)).key;
    });
    after(async () => {
      await worker.stop(1_000);
      await t.close();
      await receiver.close();
    });

    const status = async (p: Promise<unknown>) => {
      try {
        await p;
        return 'ok';
      } catch (error) {
        assert.ok(error instanceof ApiException, String(error));
        return (error as ApiException<unknown>).code;
      }
    };

    /** Operational events received at `path`, each verified with standardwebhooks and the endpoint's secret. */
    function events(path = '/ops', secret = opsSecret): OperationalEvent[] {
      return receiver.received
        .filter((r: Received) => r.path === path)
        .map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>) as OperationalEvent);
    }
    async function waitForEvent(match: (e: OperationalEvent) => boolean, path = '/ops', secret = opsSecret): Promise<OperationalEvent> {
      const deadline = Date.now() + 15_000;
      for (;;) {
        const found = events(path, secret).find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such event at ${path}; got ${JSON.stringify(events(path, secret).map((e) => e.type))}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    const operationalMessages = async () =>
      (await env().storage.query<{ n: number }>('select count(*)::int as n from hookyard.message where app_id = $1', [OPERATIONAL_APP_ID])).rows[0]!.n;

    test('every svix.operationalWebhookEndpoint method', async () => {
      const created = await svix.operationalWebhookEndpoint.create({
        url: `${receiver.origin}/ops-sdk`, uid: 'ops-sdk', description: 'sdk', filterTypes: ['endpoint.deleted'], metadata: { team: 'infra' }, rateLimit: 10,
      });
      assert.match(created.id, /^ep_/);
      assert.deepEqual([created.uid, created.description, created.filterTypes, created.metadata, created.rateLimit, created.disabled], ['ops-sdk', 'sdk', ['endpoint.deleted'], { team: 'infra' }, 10, false]);
      assert.ok(created.createdAt instanceof Date);
      assert.equal((await svix.operationalWebhookEndpoint.get('ops-sdk')).id, created.id);
      const list = await svix.operationalWebhookEndpoint.list({ limit: 50 });
      assert.deepEqual(new Set(list.data.map((e) => e.uid)), new Set(['ops-all', 'ops-sdk']));
      const updated = await svix.operationalWebhookEndpoint.update(created.id, { url: `${receiver.origin}/ops-sdk2`, uid: 'ops-sdk', filterTypes: ['endpoint.created', 'endpoint.deleted'] });
      assert.deepEqual([updated.url, updated.filterTypes, updated.description], [`${receiver.origin}/ops-sdk2`, ['endpoint.created', 'endpoint.deleted'], '']);
      const secret = (await svix.operationalWebhookEndpoint.getSecret(created.id)).key;
      assert.match(secret, /^whsec_/);
      await svix.operationalWebhookEndpoint.rotateSecret(created.id, {});
      assert.notEqual((await svix.operationalWebhookEndpoint.getSecret(created.id)).key, secret);
      await svix.operationalWebhookEndpoint.updateHeaders(created.id, { headers: { 'X-Team': 'infra', Authorization: 'Bearer x' } });
      assert.deepEqual(await svix.operationalWebhookEndpoint.getHeaders(created.id), { headers: { 'X-Team': 'infra' }, sensitive: ['Authorization'] });
      // Bad input is a 4xx, and operational endpoints are not an application of the caller's.
      assert.equal(await status(svix.operationalWebhookEndpoint.create({ url: `${receiver.origin}/x`, filterTypes: ['invoice.paid'] })), 422);
      assert.equal(await status(svix.operationalWebhookEndpoint.create({ url: 'not a url' })), 422);
      assert.equal(await status(svix.operationalWebhookEndpoint.create({ url: `${receiver.origin}/x`, uid: 'ops-sdk' })), 409);
      assert.equal(await status(svix.application.get(OPERATIONAL_APP_ID)), 404);
      assert.ok(!(await svix.application.list({ limit: 250 })).data.some((a) => a.id === OPERATIONAL_APP_ID));
      await svix.operationalWebhookEndpoint.delete(created.id);
      assert.equal(await status(svix.operationalWebhookEndpoint.get(created.id)), 404);
      assert.equal(await status(svix.operationalWebhookEndpoint.delete(created.id)), 404);
    });

    test('endpoint.created, .updated, .disabled (manual), .enabled and .deleted, signed with Standard Webhooks; filterTypes per endpoint', async () => {
      const only = await svix.operationalWebhookEndpoint.create({ url: `${receiver.origin}/ops-deleted`, filterTypes: ['endpoint.deleted'] });
      const onlySecret = (await svix.operationalWebhookEndpoint.getSecret(only.id)).key;
      const app = await svix.application.create({ name: 'ops events', uid: 'ops-events-app' });
      const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/app-ok`, uid: 'main' });
      const ids = { appId: app.id, appUid: 'ops-events-app', endpointId: ep.id, endpointUid: 'main' };
      assert.deepEqual(await waitForEvent((e) => e.type === 'endpoint.created' && e.data.endpointId === ep.id), { type: 'endpoint.created', data: ids });
      await svix.endpoint.patch(app.id, ep.id, { description: 'changed' });
      assert.deepEqual(await waitForEvent((e) => e.type === 'endpoint.updated' && e.data.endpointId === ep.id), { type: 'endpoint.updated', data: ids });
      await svix.endpoint.patch(app.id, ep.id, { disabled: true });
      const disabled = await waitForEvent((e) => e.type === 'endpoint.disabled' && e.data.endpointId === ep.id);
      assert.deepEqual(disabled, { type: 'endpoint.disabled', data: { ...ids, failSince: null, trigger: 'manual' } });
      await svix.endpoint.patch(app.id, ep.id, { disabled: false });
      assert.deepEqual(await waitForEvent((e) => e.type === 'endpoint.enabled' && e.data.endpointId === ep.id), { type: 'endpoint.enabled', data: ids });
      await svix.endpoint.delete(app.id, ep.id);
      assert.deepEqual(await waitForEvent((e) => e.type === 'endpoint.deleted' && e.data.endpointId === ep.id), { type: 'endpoint.deleted', data: ids });
      // The filtered endpoint got the deletion only.
      await waitForEvent((e) => e.data.endpointId === ep.id, '/ops-deleted', onlySecret);
      assert.deepEqual(events('/ops-deleted', onlySecret).map((e) => e.type), ['endpoint.deleted']);
      await svix.operationalWebhookEndpoint.delete(only.id);
    });

    test('message.attempt.failing, .exhausted and endpoint.disabled (automatic, failSince) from the worker; .recovered after a failing', async () => {
      const app = await svix.application.create({ name: 'ops attempts', uid: 'ops-attempts-app' });
      replies.set('/app-bad', () => 500);
      const bad = await svix.endpoint.create(app.id, { url: `${receiver.origin}/app-bad` });
      await env().hookyard.endpoints.patch(app.id, bad.id, { failureThreshold: 1 });
      const msg = await svix.message.create(app.id, { eventType: 'a.b', eventId: 'evt-ops-1', payload: {} });
      const failing = await waitForEvent((e) => e.type === 'message.attempt.failing' && e.data.msgId === msg.id);
      const lastAttempt = failing.data.lastAttempt as { id: string; responseStatusCode: number; timestamp: string };
      assert.deepEqual({ ...failing.data, lastAttempt: undefined }, { appId: app.id, appUid: 'ops-attempts-app', endpointId: bad.id, msgId: msg.id, msgEventId: 'evt-ops-1', lastAttempt: undefined });
      assert.match(lastAttempt.id, /^atmpt_/);
      assert.equal(lastAttempt.responseStatusCode, 500);
      assert.ok(!Number.isNaN(Date.parse(lastAttempt.timestamp)));
      const attempts = await svix.messageAttempt.listByMsg(app.id, msg.id);
      assert.ok(attempts.data.some((a) => a.id === lastAttempt.id), 'lastAttempt names a real attempt');
      const exhausted = await waitForEvent((e) => e.type === 'message.attempt.exhausted' && e.data.msgId === msg.id);
      assert.equal((exhausted.data.lastAttempt as { responseStatusCode: number }).responseStatusCode, 500);
      const off = await waitForEvent((e) => e.type === 'endpoint.disabled' && e.data.endpointId === bad.id);
      assert.equal(off.data.trigger, 'automatic');
      assert.ok(typeof off.data.failSince === 'string' && !Number.isNaN(Date.parse(off.data.failSince)), 'failSince is a time');
      assert.equal(events().filter((e) => e.type === 'message.attempt.failing' && e.data.msgId === msg.id).length, 1, 'failing is sent once');

      // Fails four times, then answers: failing, then recovered.
      replies.set('/app-flaky', (n) => (n <= 4 ? 503 : 200));
      const flaky = await svix.endpoint.create(app.id, { url: `${receiver.origin}/app-flaky` });
      const second = await svix.message.create(app.id, { eventType: 'a.b', payload: {} });
      await waitForEvent((e) => e.type === 'message.attempt.failing' && e.data.msgId === second.id);
      const recovered = await waitForEvent((e) => e.type === 'message.attempt.recovered' && e.data.msgId === second.id);
      assert.equal(recovered.data.endpointId, flaky.id);
      assert.equal((recovered.data.lastAttempt as { responseStatusCode: number }).responseStatusCode, 200);
      assert.ok(!events().some((e) => e.type === 'message.attempt.exhausted' && e.data.msgId === second.id));
    });

    test('none is emitted when the change rolls back', async () => {
      const app = await svix.application.create({ name: 'ops rollback' });
      await svix.endpoint.create(app.id, { url: `${receiver.origin}/app-ok`, uid: 'taken' });
      const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/app-ok`, uid: 'other' });
      const before = await operationalMessages();
      // A uid conflict fails the statement after the disabling and the events: all of it rolls back.
      assert.equal(await status(svix.endpoint.patch(app.id, ep.id, { uid: 'taken', disabled: true })), 409);
      assert.equal(await status(svix.endpoint.create(app.id, { url: `${receiver.origin}/app-ok`, uid: 'taken' })), 409);
      assert.equal(await operationalMessages(), before, 'no operational message was stored');
      assert.equal((await svix.endpoint.get(app.id, ep.id)).disabled, false);
    });
  });
});
