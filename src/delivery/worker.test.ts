import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { HookyardError } from '../errors.js';
import { TEST_WORKER, attemptsOf, waitForAttempts, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver, type Reply } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { startWorker, type Worker } from './worker.js';
import { createLogger } from '../log.js';

describeEachStorage('delivery worker', (env) => {
  // A nested suite, so its after() (stopping the worker) runs before the storage closes.
  describe('on a loopback receiver', () => {
  let receiver: Receiver;
  let worker: Worker;
  /** Replies by path prefix; tests set entries. */
  const replies = new Map<string, (n: number) => Reply>();
  const seen = new Map<string, number>();

  before(async () => {
    receiver = await startReceiver((r) => {
      const n = (seen.get(r.path) ?? 0) + 1;
      seen.set(r.path, n);
      return replies.get(r.path)?.(n) ?? { status: 200, body: 'thanks' };
    });
    worker = startWorker(env().hookyard, TEST_WORKER, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
  });
  after(async () => {
    await worker.stop(1_000);
    await receiver.close();
  });

  async function appWith(paths: string[], headers?: Record<string, string>) {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'deliver' });
    const endpoints = [];
    for (const path of paths) endpoints.push(await hookyard.endpoints.create(app.id, { url: receiver.origin + path, ...(headers ? { headers } : {}) }));
    return { app, endpoints };
  }

  test('a published message arrives signed (checked by standardwebhooks) and the attempt is recorded in full', async () => {
    const { hookyard, storage } = env();
    const { app, endpoints } = await appWith(['/signed'], { 'x-tenant': 'acme', authorization: 'Bearer s3cret' });
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload: { amount: 42 } });
    const [got] = await receiver.waitFor(1, (r) => r.path === '/signed');
    const secret = (await hookyard.endpoints.secretGet(app.id, endpoints[0]!.id)).key;
    const verified = new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>);
    assert.deepEqual(verified, { amount: 42 });
    assert.equal(got!.headers['webhook-id'], message.id);
    assert.equal(got!.headers['content-type'], 'application/json');
    assert.match(String(got!.headers['user-agent']), /^Hookyard/);
    assert.equal(got!.headers['x-tenant'], 'acme');
    assert.equal(got!.headers.authorization, 'Bearer s3cret');

    const [delivery] = await waitForStates(storage, [message.id]);
    assert.equal(delivery!.state, 'succeeded');
    const [attempt] = await waitForAttempts(storage, [message.id], 1);
    assert.match(attempt!.id, /^atmpt_/);
    assert.equal(attempt!.trigger, 'scheduled');
    assert.equal(attempt!.attempt_number, 1);
    assert.equal(attempt!.succeeded, true);
    assert.equal(attempt!.response_status, 200);
    assert.equal(attempt!.response_body, 'thanks');
    assert.equal(attempt!.response_truncated, false);
    assert.equal(attempt!.error_code, null);
    assert.equal(attempt!.url, receiver.origin + '/signed');
    assert.equal(attempt!.request_headers.authorization, '[redacted]', 'credentials are not stored');
    assert.equal(attempt!.request_headers['x-tenant'], 'acme');
    assert.equal(attempt!.request_headers['webhook-id'], message.id);
    assert.ok(attempt!.response_headers && typeof attempt!.response_headers.date === 'string');
    assert.ok(attempt!.duration_ms >= 0);
  });

  test('during rotation the header carries both signatures, and each secret verifies', async () => {
    const { hookyard } = env();
    const { app, endpoints } = await appWith(['/rotate']);
    const old = (await hookyard.endpoints.secretGet(app.id, endpoints[0]!.id)).key;
    await hookyard.endpoints.secretRotate(app.id, endpoints[0]!.id);
    const next = (await hookyard.endpoints.secretGet(app.id, endpoints[0]!.id)).key;
    await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
    const [got] = await receiver.waitFor(1, (r) => r.path === '/rotate');
    assert.equal(String(got!.headers['webhook-signature']).split(' ').length, 2);
    for (const secret of [old, next]) new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>);
  });

  test('failures retry on the schedule, then succeed; the webhook-id stays the same', async () => {
    const { hookyard, storage } = env();
    replies.set('/flaky', (n) => (n < 3 ? { status: 500, body: 'oops' } : { status: 204 }));
    const { app } = await appWith(['/flaky']);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
    const got = await receiver.waitFor(3, (r) => r.path === '/flaky');
    assert.equal(new Set(got.map((r) => r.headers['webhook-id'])).size, 1);
    const gap1 = got[1]!.at - got[0]!.at;
    const gap2 = got[2]!.at - got[1]!.at;
    assert.ok(gap1 >= 90 && gap1 < 1_500, `first retry after ${gap1} ms`);
    assert.ok(gap2 >= 190 && gap2 < 1_500, `second retry after ${gap2} ms`);
    const [delivery] = await waitForStates(storage, [message.id]);
    assert.equal(delivery!.state, 'succeeded');
    const attempts = await attemptsOf(storage, [message.id]);
    assert.deepEqual(attempts.map((a) => [a.attempt_number, a.response_status, a.succeeded]), [[1, 500, false], [2, 500, false], [3, 204, true]]);
  });

  test('after the last attempt the delivery fails, and the endpoint keeps getting other messages', async () => {
    const { hookyard, storage } = env();
    replies.set('/down', () => ({ status: 503 }));
    const { app } = await appWith(['/down']);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
    const [delivery] = await waitForStates(storage, [message.id]);
    assert.equal(delivery!.state, 'failed');
    assert.equal(delivery!.attempt_count, 3);
    replies.set('/down', () => ({ status: 200 }));
    const { message: second } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
    assert.equal((await waitForStates(storage, [second.id]))[0]!.state, 'succeeded');
  });

  test('Retry-After on 429 is honoured', async () => {
    const { hookyard, storage } = env();
    replies.set('/slow-down', (n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const { app } = await appWith(['/slow-down']);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
    const got = await receiver.waitFor(2, (r) => r.path === '/slow-down');
    const gap = got[1]!.at - got[0]!.at;
    assert.ok(gap >= 950, `retried after ${gap} ms, not after the 100 ms schedule`);
    assert.equal((await waitForStates(storage, [message.id]))[0]!.state, 'succeeded');
  });

  test('410 Gone stops retrying and disables the endpoint with a reason', async () => {
    const { hookyard, storage } = env();
    replies.set('/gone', () => ({ status: 410 }));
    const { app, endpoints } = await appWith(['/gone']);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
    const [delivery] = await waitForStates(storage, [message.id]);
    assert.equal(delivery!.state, 'failed');
    assert.equal(delivery!.attempt_count, 1);
    const endpoint = await hookyard.endpoints.get(app.id, endpoints[0]!.id);
    assert.equal(endpoint.disabled, true);
    assert.match(endpoint.disabledReason ?? '', /410/);
  });

  test('resend queues one manual attempt of a finished delivery; unknown ids are 404', async () => {
    const { hookyard, storage } = env();
    const { app, endpoints } = await appWith(['/resend']);
    const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', eventId: 'evt-resend', payload: {} });
    await waitForStates(storage, [message.id], ['succeeded']);
    await waitForAttempts(storage, [message.id], 1);
    await hookyard.deliveries.resend(app.id, 'evt-resend', endpoints[0]!.id);
    const attempts = await waitForAttempts(storage, [message.id], 2);
    assert.deepEqual(attempts.map((a) => [a.attempt_number, a.trigger]), [[1, 'scheduled'], [2, 'manual']]);
    assert.equal((await waitForStates(storage, [message.id]))[0]!.state, 'succeeded');
    for (const args of [['nope', message.id, endpoints[0]!.id], [app.id, 'nope', endpoints[0]!.id], [app.id, message.id, 'nope']] as [string, string, string][]) {
      await assert.rejects(hookyard.deliveries.resend(...args), (e: HookyardError) => e.code === 'not_found');
    }
  });

  test('recover re-queues the failed deliveries of an endpoint in a time range', async () => {
    const { hookyard, storage } = env();
    replies.set('/recover', () => ({ status: 500 }));
    const since = new Date(Date.now() - 1_000);
    const { app, endpoints } = await appWith(['/recover']);
    const results = await hookyard.messages.publishBatch(app.id, [1, 2, 3].map((n) => ({ eventType: 'a.b', payload: { n } })));
    const ids = results.map((r) => r.message.id);
    await waitForStates(storage, ids, ['failed']);
    replies.set('/recover', () => ({ status: 200 }));
    assert.deepEqual(await hookyard.deliveries.recover(app.id, endpoints[0]!.id, { since: new Date(Date.now() + 60_000) }), { requeued: 0 });
    assert.deepEqual(await hookyard.deliveries.recover(app.id, endpoints[0]!.id, { since }), { requeued: 3 });
    const rows = await waitForStates(storage, ids, ['succeeded']);
    assert.ok(rows.every((r) => r.attempt_count === 4));
    const manual = (await attemptsOf(storage, ids)).filter((a) => a.trigger === 'manual');
    assert.equal(manual.length, 3);
    await assert.rejects(hookyard.deliveries.recover(app.id, 'nope', { since }), (e: HookyardError) => e.code === 'not_found');
  });
  });
});
