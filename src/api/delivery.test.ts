import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Svix, Webhook } from 'svix';
import { startWorker, type Worker } from '../delivery/worker.js';
import { describeEachStorage } from '../test/storages.js';
import { testApi, type TestApi } from '../test/api.js';
import { startReceiver, type Receiver } from '../test/receiver.js';

/**
 * End to end with the official SDK: publish through the API, deliver from a
 * worker to a loopback receiver, verify with svix's own Webhook.verify, and
 * read the attempts back; rotation, recover and resend.
 */
describeEachStorage('svix SDK contract (delivery)', (env) => {
  let t: TestApi;
  let svix: Svix;
  let worker: Worker;
  let receiver: Receiver;
  let failing = false;
  before(async () => {
    t = await testApi(env().hookyard);
    svix = new Svix(t.token, { serverUrl: t.url });
    receiver = await startReceiver((r) => (failing && r.path.startsWith('/flaky') ? { status: 500 } : { status: 200 }));
    worker = startWorker(env().hookyard, { allowCidrs: '127.0.0.0/8', retrySchedule: [50, 50], retryJitter: 0, pollIntervalMs: 50, flushDelayMs: 5 });
  });
  // The storage helper closes the database in its own after hook, which runs
  // before this file's, so the worker and server stop in the last test instead
  // (a worker whose database is already gone would wait on it).
  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    failing = false;
    await worker.stop(1_000);
    await t.close();
    await receiver.close();
  }
  after(stop);

  const until = async <T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> => {
    const end = Date.now() + ms;
    for (;;) {
      const value = await fn();
      if (value !== undefined) return value;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const headersOf = (h: Record<string, string | string[] | undefined>) =>
    Object.fromEntries(Object.entries(h).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));

  test('a message arrives signed so that svix Webhook.verify accepts it; attempts and destinations are listed', async () => {
    const app = await svix.application.create({ name: 'e2e', uid: 'e2e' });
    await svix.eventType.create({ name: 'invoice.paid', description: 'paid' });
    const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/ok`, filterTypes: ['invoice.paid'] });
    const { key } = await svix.endpoint.getSecret(app.id, ep.id);
    const msg = await svix.message.create('e2e', { eventType: 'invoice.paid', eventId: 'inv-1', payload: { id: 'inv-1', amount: 42 } });
    const [got] = await receiver.waitFor(1, (r) => r.path === '/ok');
    const verified = new Webhook(key).verify(got!.body, headersOf(got!.headers)) as { id: string };
    assert.equal(verified.id, 'inv-1');
    assert.equal(got!.headers['webhook-id'] ?? got!.headers['svix-id'], msg.id);

    const attempts = await until(async () => {
      const page = await svix.messageAttempt.listByMsg(app.id, msg.id);
      return page.data.length ? page : undefined;
    }, 'an attempt');
    const attempt = attempts.data[0]!;
    assert.deepEqual([attempt.status, attempt.responseStatusCode, attempt.endpointId, attempt.msgId], [0, 200, ep.id, msg.id]);
    assert.equal((await svix.messageAttempt.get(app.id, msg.id, attempt.id)).id, attempt.id);
    assert.ok((await svix.messageAttempt.listByEndpoint(app.id, ep.id)).data.some((a) => a.id === attempt.id));
    const dest = await until(async () => {
      const d = (await svix.messageAttempt.listAttemptedDestinations(app.id, 'inv-1')).data[0];
      return d?.status === 0 ? d : undefined;
    }, 'destination success');
    assert.equal(dest.id, ep.id);
    assert.equal((await svix.endpoint.getStats(app.id, ep.id)).success, 1);
  });

  test('after rotation a message carries both signatures, and each secret verifies it', async () => {
    const app = await svix.application.create({ name: 'rot' });
    const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/rot` });
    const oldKey = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    await svix.endpoint.rotateSecret(app.id, ep.id, {});
    const newKey = (await svix.endpoint.getSecret(app.id, ep.id)).key;
    await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 1 } });
    const [got] = await receiver.waitFor(1, (r) => r.path === '/rot');
    const signature = String(got!.headers['webhook-signature'] ?? got!.headers['svix-signature']);
    assert.equal(signature.split(' ').filter((s) => s.startsWith('v1,')).length, 2);
    for (const key of [oldKey, newKey]) new Webhook(key).verify(got!.body, headersOf(got!.headers));
  });

  test('recover re-queues failed deliveries; resend sends a message again', async () => {
    failing = true;
    const app = await svix.application.create({ name: 'rec' });
    const ep = await svix.endpoint.create(app.id, { url: `${receiver.origin}/flaky` });
    const since = new Date(Date.now() - 1_000);
    const msg = await svix.message.create(app.id, { eventType: 'a.b', payload: { n: 2 } });
    await until(async () => {
      const d = (await svix.messageAttempt.listAttemptedDestinations(app.id, msg.id)).data[0];
      return d?.status === 2 ? d : undefined;
    }, 'the delivery to fail');
    const failures = (await svix.messageAttempt.listByMsg(app.id, msg.id)).data;
    assert.ok(failures.length >= 1 && failures.every((a) => a.status === 2 && a.responseStatusCode === 500));

    failing = false;
    const before = receiver.received.filter((r) => r.path === '/flaky').length;
    const task = await svix.endpoint.recover(app.id, ep.id, { since });
    assert.equal(task.status, 'finished');
    await receiver.waitFor(before + 1, (r) => r.path === '/flaky');
    await until(async () => ((await svix.messageAttempt.listAttemptedDestinations(app.id, msg.id)).data[0]?.status === 0 ? true : undefined), 'recovered');

    await svix.messageAttempt.resend(app.id, msg.id, ep.id);
    await receiver.waitFor(before + 2, (r) => r.path === '/flaky');
    await until(async () => ((await svix.messageAttempt.listByMsg(app.id, msg.id)).data.some((a) => a.triggerType === 1) ? true : undefined), 'a manual attempt');
  });

  test('the worker and the API stop within their grace time', async () => {
    const started = Date.now();
    await stop();
    assert.ok(Date.now() - started < 5_000);
  });
});
