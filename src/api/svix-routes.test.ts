import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiException, MessageStatus, Svix, type MessageOut } from 'svix';
import { startWorker } from '../delivery/worker.js';
import { cleanOnce } from '../maintenance/cleaner.js';
import { TEST_WORKER, waitForAttempts, waitForStates } from '../test/delivery.js';
import { testApi, type TestApi } from '../test/api.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Svix's routes beyond the core: content expunge (message and attempt), list-attempted-messages,
 * precheck, and per-message payload retention. Every call goes through the `svix` SDK.
 */
describeEachStorage('svix SDK contract (expunge, attempted messages, precheck, retention)', (env) => {
  let t: TestApi;
  let svix: Svix;
  let receiver: Receiver;
  before(async () => {
    t = await testApi(env().hookyard);
    svix = new Svix(t.token, { serverUrl: t.url });
    receiver = await startReceiver((r) => (r.path === '/leaky'
      ? { status: 200, headers: { 'x-session': 'sess-9f8e7d' }, body: 'receiver said: card 4242-4242' }
      : { status: 200, body: 'ok' }));
  });
  after(async () => {
    await receiver.close();
    await t.close();
  });

  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
      return { code: 0, body: undefined as unknown };
    } catch (error) {
      assert.ok(error instanceof ApiException, String(error));
      return { code: (error as ApiException<unknown>).code, body: (error as ApiException<unknown>).body };
    }
  };
  const payloadColumn = async (id: string) =>
    (await env().storage.query<{ payload: string | null }>('select payload from hookyard.message where id = $1', [id])).rows[0]!.payload;

  test('precheck: active only when an enabled endpoint would get the message', async () => {
    const app = await svix.application.create({ name: 'precheck' });
    assert.deepEqual(await svix.message.precheck(app.id, { eventType: 'invoice.paid' }), { active: false });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook', filterTypes: ['invoice.paid'], channels: ['eu'] });
    assert.equal((await svix.message.precheck(app.id, { eventType: 'invoice.paid', channels: ['eu', 'us'] })).active, true);
    // The same rule as fan-out: an endpoint with channels gets only messages that share one.
    assert.equal((await svix.message.precheck(app.id, { eventType: 'invoice.paid' })).active, false);
    assert.equal((await svix.message.precheck(app.id, { eventType: 'invoice.failed', channels: ['eu'] })).active, false);
    await svix.endpoint.patch(app.id, ep.id, { disabled: true });
    assert.equal((await svix.message.precheck(app.id, { eventType: 'invoice.paid', channels: ['eu'] })).active, false);
    await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/all' });
    assert.equal((await svix.message.precheck(app.uid ?? app.id, { eventType: 'anything.at_all' })).active, true);
    // A precheck publishes nothing.
    assert.equal((await svix.message.list(app.id)).data.length, 0);

    assert.equal((await failure(svix.message.precheck('app_unknown', { eventType: 'a.b' }))).code, 404);
    const bad = await t.call('POST', `/api/v1/app/${app.id}/msg/precheck/active`, { eventType: 'a b' });
    assert.equal(bad.status, 422);
    const extra = await t.call('POST', `/api/v1/app/${app.id}/msg/precheck/active`, { eventType: 'a.b', payload: {} });
    assert.deepEqual((extra.json as { detail: { loc: unknown[] }[] }).detail.map((d) => d.loc), [['body', 'payload']]);
  });

  test('listAttemptedMessages: EndpointMessageOut with status, filters, with_content and every page once', async () => {
    const app = await svix.application.create({ name: 'attempted' });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook', uid: 'main' });
    const other = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/other', filterTypes: ['user.deleted'] });
    const sent: MessageOut[] = [];
    for (let i = 0; i < 5; i++) {
      sent.push(await svix.message.create(app.id, {
        eventType: i % 2 ? 'user.deleted' : 'user.created', payload: { i, big: 1234567890123456789n.toString() },
        channels: i === 0 ? ['eu'] : null, tags: i === 1 ? ['gdpr'] : null,
      }));
    }
    const list = await svix.messageAttempt.listAttemptedMessages(app.id, 'main');
    assert.deepEqual(list.data.map((m) => m.id), sent.map((m) => m.id).reverse());
    const newest = list.data[0]!;
    assert.deepEqual([newest.eventType, newest.payload, newest.status, newest.statusText], ['user.created', { i: 4, big: '1234567890123456789' }, MessageStatus.Pending, 'pending']);
    assert.ok(newest.timestamp instanceof Date && newest.nextAttempt instanceof Date);

    assert.deepEqual((await svix.messageAttempt.listAttemptedMessages(app.id, other.id)).data.map((m) => m.id), [sent[3]!.id, sent[1]!.id]);
    const ids = async (options: Parameters<typeof svix.messageAttempt.listAttemptedMessages>[2]) =>
      (await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, options)).data.map((m) => sent.findIndex((s) => s.id === m.id));
    assert.deepEqual(await ids({ eventTypes: ['user.deleted'] }), [3, 1]);
    assert.deepEqual(await ids({ channel: 'eu' }), [0]);
    assert.deepEqual(await ids({ tag: 'gdpr' }), [1]);
    assert.deepEqual(await ids({ status: MessageStatus.Pending }), [4, 3, 2, 1, 0]);
    assert.deepEqual(await ids({ status: MessageStatus.Success }), []);
    assert.deepEqual(await ids({ before: new Date(Date.now() - HOUR) }), []);
    assert.deepEqual(await ids({ after: new Date(Date.now() - HOUR) }), [4, 3, 2, 1, 0]);
    assert.deepEqual((await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { withContent: false })).data.map((m) => m.payload), [{}, {}, {}, {}, {}]);

    const seen: string[] = [];
    let iterator: string | null | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { limit: 2, iterator });
      seen.push(...page.data.map((m) => m.id));
      if (page.done) break;
      iterator = page.iterator;
    }
    assert.deepEqual(seen, sent.map((m) => m.id).reverse());
    // prevIterator walks back to the page before.
    const second = await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { limit: 2, iterator: (await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { limit: 2 })).iterator });
    const back = await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { limit: 2, iterator: second.prevIterator });
    assert.deepEqual(back.data.map((m) => m.id), [sent[4]!.id, sent[3]!.id]);

    // The exact payload text, as for every read of a message.
    const raw = await fetch(`${t.url}/api/v1/app/${app.id}/endpoint/main/msg?limit=1`, { headers: { authorization: `Bearer ${t.token}` } });
    assert.match(await raw.text(), /"payload":\{"i":4,"big":"1234567890123456789"\},/);
    assert.equal((await failure(svix.messageAttempt.listAttemptedMessages(app.id, 'ep_unknown'))).code, 404);
    assert.equal((await t.call('GET', `/api/v1/app/${app.id}/endpoint/main/msg?status=9`)).status, 422);
  });

  test('message.expungeContent: the payload is gone, reads show {"expired": true}, waiting deliveries are cancelled, resend is refused', async () => {
    const app = await svix.application.create({ name: 'expunge' });
    const ep = await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
    const keep = await svix.message.create(app.id, { eventType: 'a.b', payload: { keep: true } });
    const msg = await svix.message.create(app.id, { eventType: 'a.b', eventId: 'evt-secret', payload: { ssn: '078-05-1120' } });

    await svix.message.expungeContent(app.id, 'evt-secret');
    assert.equal(await payloadColumn(msg.id), null);
    assert.notEqual(await payloadColumn(keep.id), null);
    assert.deepEqual((await svix.message.get(app.id, msg.id)).payload, { expired: true });
    assert.deepEqual((await svix.message.get(app.id, msg.id, { withContent: false })).payload, {});
    assert.deepEqual((await svix.message.list(app.id)).data.map((m) => m.payload), [{ expired: true }, { keep: true }]);
    const attempted = await svix.messageAttempt.listAttemptedMessages(app.id, ep.id);
    assert.deepEqual(attempted.data.map((m) => [m.payload, m.status]), [[{ expired: true }, MessageStatus.Canceled], [{ keep: true }, MessageStatus.Pending]]);
    const { rows } = await env().storage.query<{ n: number }>(`select count(*)::int as n from hookyard.message where payload like '%078-05%'`);
    assert.equal(rows[0]!.n, 0);

    // Nothing left to send: resend answers Svix's 400, recover leaves it cancelled.
    const resend = await failure(svix.messageAttempt.resend(app.id, msg.id, ep.id));
    assert.equal(resend.code, 400);
    assert.equal((resend.body as { code: string }).code, 'missing_payload');
    await svix.endpoint.recover(app.id, ep.id, { since: new Date(Date.now() - HOUR) });
    assert.equal((await svix.messageAttempt.listAttemptedMessages(app.id, ep.id, { status: MessageStatus.Canceled })).data.length, 1);

    await svix.message.expungeContent(app.id, msg.id); // again: nothing to do, still 204
    assert.equal((await failure(svix.message.expungeContent(app.id, 'msg_unknown'))).code, 404);
    assert.equal((await failure(svix.message.expungeContent('app_unknown', msg.id))).code, 404);
  });

  test('messageAttempt.expungeContent: the response body becomes "EXPUNGED" and its headers go', async () => {
    const { hookyard, storage } = env();
    const app = await svix.application.create({ name: 'attempt-expunge' });
    await svix.endpoint.create(app.id, { url: `${receiver.origin}/leaky` });
    const msg = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } });
    const worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [] });
    try {
      await waitForAttempts(storage, [msg.id], 1);
    } finally {
      await worker.stop(1_000);
    }
    const [attempt] = (await svix.messageAttempt.listByMsg(app.id, msg.id)).data;
    assert.equal(attempt!.response, 'receiver said: card 4242-4242');

    await svix.messageAttempt.expungeContent(app.id, msg.id, attempt!.id);
    assert.equal((await svix.messageAttempt.get(app.id, msg.id, attempt!.id)).response, 'EXPUNGED');
    assert.equal((await svix.messageAttempt.listByMsg(app.id, msg.id)).data[0]!.response, 'EXPUNGED');
    const { rows } = await storage.query<{ response_body: string; response_headers: unknown; status: number }>(
      'select response_body, response_headers, response_status as status from hookyard.attempt where id = $1', [attempt!.id]);
    assert.deepEqual(rows, [{ response_body: 'EXPUNGED', response_headers: null, status: 200 }]);
    const leaks = await storage.query<{ n: number }>(`select count(*)::int as n from hookyard.attempt where response_body like '%4242%' or response_headers::text like '%sess-9f8e7d%'`);
    assert.equal(leaks.rows[0]!.n, 0);

    assert.equal((await failure(svix.messageAttempt.expungeContent(app.id, msg.id, 'atmpt_unknown'))).code, 404);
    assert.equal((await failure(svix.messageAttempt.expungeContent(app.id, 'msg_unknown', attempt!.id))).code, 404);
  });

  test('payloadRetentionPeriod and payloadRetentionHours: the cleaner removes the payload when it runs out', async () => {
    const { storage } = env();
    const app = await svix.application.create({ name: 'retention' });
    await svix.endpoint.create(app.id, { url: 'http://127.0.0.1:9/hook' });
    const hours = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 'hours' }, payloadRetentionHours: 2 });
    const days = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 'days' }, payloadRetentionPeriod: 1 });
    const plain = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 'plain' } });
    const clean = (at: number) => cleanOnce({ storage, now: () => new Date(at) }, { retentionMs: 90 * DAY, idempotencyRetentionMs: DAY, batchSize: 1 });

    assert.equal((await clean(Date.now() + HOUR)).payloads, 0);
    assert.equal((await clean(Date.now() + 3 * HOUR)).payloads, 1);
    assert.equal(await payloadColumn(hours.id), null);
    assert.deepEqual((await svix.message.get(app.id, hours.id)).payload, { expired: true });
    assert.deepEqual((await svix.message.get(app.id, days.id)).payload, { n: 'days' });
    await waitForStates(storage, [hours.id], ['cancelled'], 1_000);

    assert.equal((await clean(Date.now() + 25 * HOUR)).payloads, 1);
    assert.equal(await payloadColumn(days.id), null);
    assert.deepEqual((await svix.message.get(app.id, plain.id)).payload, { n: 'plain' });
    assert.equal((await clean(Date.now() + 60 * DAY)).payloads, 0);
    const { rows } = await storage.query<{ n: number }>('select count(*)::int as n from hookyard.payload_expiry');
    assert.equal(rows[0]!.n, 0);

    // Both at once is refused, naming the field.
    const both = await t.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: {}, payloadRetentionPeriod: 5, payloadRetentionHours: 5 });
    assert.equal(both.status, 422);
    assert.deepEqual((both.json as { detail: { loc: unknown[] }[] }).detail[0]!.loc, ['body', 'payloadRetentionHours']);
    assert.equal((await t.call('POST', `/api/v1/app/${app.id}/msg`, { eventType: 'a.b', payload: {}, payloadRetentionPeriod: 91 })).status, 422);
  });
});
