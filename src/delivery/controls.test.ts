import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '../log.js';
import { TEST_WORKER, attemptsOf, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver, type Reply } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { arrivalRate } from '../test/worker-spawn.js';
import { startWorker, type Worker } from './worker.js';

// Per-endpoint delivery controls (migration 014) with one worker in this process, on both storages.
describeEachStorage('delivery controls', (env) => {
  describe('on a loopback receiver', () => {
    let receiver: Receiver;
    let worker: Worker;
    /** Replies by path: the n-th request to a message (by webhook-id) at that path. */
    const replies = new Map<string, (n: number, payload: { n: number }) => Reply>();
    const seen = new Map<string, number>();
    const open = new Map<string, number>();
    const peak = new Map<string, number>();

    before(async () => {
      receiver = await startReceiver((r) => {
        const key = `${r.path} ${String(r.headers['webhook-id'])}`;
        const n = (seen.get(key) ?? 0) + 1;
        seen.set(key, n);
        const reply = replies.get(r.path)?.(n, JSON.parse(r.body) as { n: number }) ?? { status: 200 };
        const o = (open.get(r.path) ?? 0) + 1;
        open.set(r.path, o);
        peak.set(r.path, Math.max(peak.get(r.path) ?? 0, o));
        setTimeout(() => open.set(r.path, open.get(r.path)! - 1), 'delayMs' in reply ? (reply.delayMs ?? 0) : 0);
        return reply;
      });
      worker = startWorker(env().hookyard, { ...TEST_WORKER, retrySchedule: [150, 150] }, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
    });
    after(async () => {
      await worker.stop(1_000);
      await receiver.close();
    });

    /** One app with these endpoints; messages published one by one, in order. */
    async function setUp(endpoints: { path: string; rateLimit?: number; maxInFlight?: number; fifo?: boolean }[]) {
      const { hookyard } = env();
      const app = await hookyard.applications.create({ name: 'controls' });
      for (const { path, ...controls } of endpoints) await hookyard.endpoints.create(app.id, { url: receiver.origin + path, ...controls });
      return {
        app,
        async publish(count: number): Promise<string[]> {
          const ids: string[] = [];
          for (let n = 0; n < count; n++) ids.push((await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n } })).message.id);
          return ids;
        },
      };
    }

    const arrivals = (path: string) => receiver.received.filter((r) => r.path === path);
    const order = (path: string) => arrivals(path).map((r) => (JSON.parse(r.body) as { n: number }).n);

    test('the endpoint shows its controls, and a PUT without them resets them', async () => {
      const { hookyard } = env();
      const app = await hookyard.applications.create({ name: 'shown' });
      const e = await hookyard.endpoints.create(app.id, { url: receiver.origin + '/shown', rateLimit: 3, maxInFlight: 1, fifo: true });
      assert.deepEqual([e.rateLimit, e.maxInFlight, e.fifo], [3, 1, true]);
      const patched = await hookyard.endpoints.patch(app.id, e.id, { maxInFlight: 4 });
      assert.deepEqual([patched.rateLimit, patched.maxInFlight, patched.fifo], [3, 4, true]);
      const put = await hookyard.endpoints.update(app.id, e.id, { url: receiver.origin + '/shown' });
      assert.deepEqual([put.rateLimit, put.maxInFlight, put.fifo], [null, null, false]);
      await assert.rejects(hookyard.endpoints.patch(app.id, e.id, { maxInFlight: 0 }), /maxInFlight/);
    });

    test('rateLimit 10: 12 messages arrive at no more than 10 per second', async () => {
      const { publish } = await setUp([{ path: '/rate10', rateLimit: 10 }]);
      const ids = await publish(12);
      const got = await receiver.waitFor(12, (r) => r.path === '/rate10');
      // From the second arrival on: the first may arrive late (a new connection; on PGlite, the thread still
      // publishing the rest), which shortens the span and reads as too fast although every claim was paced.
      const rate = arrivalRate(got.map((r) => r.at).sort((a, b) => a - b).slice(1));
      console.log(`rateLimit 10, one worker [${env().kind}]: ${rate.toFixed(2)} deliveries/s`);
      // Never faster; how much slower depends on how busy the machine is (the PGlite thread most of all).
      assert.ok(rate <= 11, `measured ${rate.toFixed(2)}/s`);
      await waitForStates(env().storage, ids, ['succeeded']);
      // Waiting for the rate is not a failure: no attempt failed (a lease that ran out on a very busy machine may repeat one).
      assert.ok((await attemptsOf(env().storage, ids)).every((a) => a.succeeded));
    });

    test('maxInFlight 1: one request at a time', async () => {
      replies.set('/one', () => ({ status: 200, delayMs: 60 }));
      const { publish } = await setUp([{ path: '/one', maxInFlight: 1 }]);
      const ids = await publish(8);
      await waitForStates(env().storage, ids, ['succeeded']);
      assert.equal(peak.get('/one'), 1);
    });

    test('fifo: a retrying message holds the later ones of its endpoint only, and they follow in publish order', async () => {
      // Message 0 fails twice at /fifo, then succeeds.
      replies.set('/fifo', (n, payload) => (payload.n === 0 && n <= 2 ? { status: 500 } : { status: 200 }));
      const { publish } = await setUp([{ path: '/fifo', fifo: true }, { path: '/fifo-other' }]);
      const ids = await publish(6);
      await waitForStates(env().storage, ids, ['succeeded'], 20_000);
      assert.deepEqual(order('/fifo'), [0, 0, 0, 1, 2, 3, 4, 5], 'attempted in publish order, the retries of 0 first');
      // The other endpoint of the same app had every message before /fifo had its first success.
      const firstSuccessAt = arrivals('/fifo')[2]!.at;
      assert.equal(arrivals('/fifo-other').length, 6);
      assert.ok(arrivals('/fifo-other').every((r) => r.at < firstSuccessAt), 'the other endpoint was not held');
    });

    test('deliverAt: the message is not delivered before its time, then at once; other messages are not held', async () => {
      const { hookyard, storage } = env();
      const { app, publish } = await setUp([{ path: '/later' }]);
      const deliverAt = new Date(Date.now() + 1_500);
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 99 }, deliverAt: deliverAt.toISOString() });
      assert.equal(message.deliverAt?.toISOString(), deliverAt.toISOString());
      assert.equal((await hookyard.messages.get(app.id, message.id)).deliverAt?.toISOString(), deliverAt.toISOString());
      const [now] = await publish(1);
      await waitForStates(storage, [now!], ['succeeded']);
      const [got] = await receiver.waitFor(1, (r) => r.path === '/later' && r.headers['webhook-id'] === message.id, 10_000);
      assert.ok(got!.at >= deliverAt.getTime(), `arrived ${deliverAt.getTime() - got!.at} ms early`);
      const plain = arrivals('/later').find((r) => r.headers['webhook-id'] === now);
      assert.ok(plain && plain.at < got!.at, 'the unscheduled message, published later, arrived first');
      console.log(`deliverAt [${env().kind}]: arrived ${got!.at - deliverAt.getTime()} ms after its time`);
      assert.ok(got!.at - deliverAt.getTime() < 5_000);
    });

    test('deliverAt: more than 24 hours ahead, in the past, or not a date is refused', async () => {
      const { hookyard } = env();
      const app = await hookyard.applications.create({ name: 'refused' });
      const at = (ms: number) => new Date(Date.now() + ms).toISOString();
      await assert.rejects(hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {}, deliverAt: at(25 * 3600_000) }), /deliverAt must be at most 24 hours ahead/);
      await assert.rejects(hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {}, deliverAt: at(-3600_000) }), /deliverAt must not lie in the past/);
      await assert.rejects(hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {}, deliverAt: 'tomorrow' }), /deliverAt/);
      assert.equal((await hookyard.messages.list(app.id)).data.length, 0);
    });

    test('fifo: a message that fails for good lets the next one go', async () => {
      replies.set('/fifo-dead', (_, payload) => (payload.n === 1 ? { status: 500 } : { status: 200 }));
      const { publish } = await setUp([{ path: '/fifo-dead', fifo: true }]);
      const ids = await publish(4);
      const rows = await waitForStates(env().storage, ids, ['succeeded', 'failed'], 20_000);
      assert.deepEqual(rows.map((r) => r.state), ['succeeded', 'failed', 'succeeded', 'succeeded']);
      assert.deepEqual(order('/fifo-dead'), [0, 1, 1, 1, 2, 3]);
      const attempts = await attemptsOf(env().storage, ids);
      assert.equal(attempts.length, 6);
    });
  });
});
