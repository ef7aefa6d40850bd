import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_WORKER, attemptsOf, deliveriesOf, waitForAttempts, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver, type Reply } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { startWorker, type Worker } from './worker.js';

// Slow and hostile receivers, all on loopback. A long retry schedule keeps failures from retrying mid-test.
describeEachStorage('delivery to hostile receivers', (env) => {
  describe('on a loopback receiver', () => {
    let receiver: Receiver;
    let worker: Worker;
    before(async () => {
      receiver = await startReceiver((r): Reply => {
        if (r.path.startsWith('/hang')) return { hang: true };
        if (r.path === '/big') return { bigBody: 5 * 1024 * 1024 };
        if (r.path === '/close') return { destroy: true };
        return { status: 200 };
      });
      worker = startWorker(env().hookyard, { ...TEST_WORKER, attemptTimeoutMs: 600, leaseMs: 5_000, retrySchedule: [60_000], concurrency: 8, endpointConcurrency: 2 });
    });
    after(async () => {
      await worker.stop(0);
      await receiver.close();
    });

    async function publishTo(paths: string[], count = 1) {
      const { hookyard } = env();
      const app = await hookyard.applications.create({ name: 'hostile' });
      for (const path of paths) await hookyard.endpoints.create(app.id, { url: receiver.origin + path });
      const results = await hookyard.messages.publishBatch(app.id, Array.from({ length: count }, (_, n) => ({ eventType: 'a.b', payload: { n } })));
      return results.map((r) => r.message.id);
    }

    test('a receiver that hangs is cut off at the attempt timeout', async () => {
      const ids = await publishTo(['/hang-1']);
      const [attempt] = await waitForAttempts(env().storage, ids, 1, 5_000);
      assert.equal(attempt!.error_code, 'timeout');
      assert.equal(attempt!.response_status, null);
      assert.equal(attempt!.succeeded, false);
      assert.ok(attempt!.duration_ms >= 550 && attempt!.duration_ms < 3_000, `took ${attempt!.duration_ms} ms`);
    });

    test('stopping gives back the lease of an attempt cut off after the grace period, unrecorded and uncounted', async () => {
      const { hookyard, storage } = env();
      // Its own worker, so that stopping it leaves the suite's worker running; a 30 s attempt timeout outlasts the grace period.
      const app = await hookyard.applications.create({ name: 'stopping' });
      await hookyard.endpoints.create(app.id, { url: receiver.origin + '/hang-stop' });
      const own = startWorker(hookyard, { ...TEST_WORKER, attemptTimeoutMs: 30_000, leaseMs: 60_000, concurrency: 4 });
      await worker.stop(0); // the suite's worker must not take the delivery first
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
      await receiver.waitFor(1, (r) => r.path === '/hang-stop');
      const started = Date.now();
      await own.stop(200);
      assert.ok(Date.now() - started < 5_000, 'stop is bounded by the grace period, not the attempt timeout');
      const [delivery] = await deliveriesOf(storage, [message.id]);
      assert.equal(delivery!.state, 'pending');
      assert.equal(delivery!.attempt_count, 0);
      const { rows } = await storage.query<{ due: boolean }>('select next_attempt_at <= now() as due from hookyard.delivery where message_id = $1', [message.id]);
      assert.equal(rows[0]!.due, true, 'due again at once, not at the end of the lease');
      assert.equal((await attemptsOf(storage, [message.id])).length, 0);
      worker = startWorker(hookyard, { ...TEST_WORKER, attemptTimeoutMs: 600, leaseMs: 5_000, retrySchedule: [60_000], concurrency: 8, endpointConcurrency: 2 });
    });

    test('the shortest lease the settings allow (attempt timeout + 1 s) still delivers', async () => {
      const { hookyard, storage } = env();
      const app = await hookyard.applications.create({ name: 'tight-lease' });
      await hookyard.endpoints.create(app.id, { url: receiver.origin + '/tight' });
      await worker.stop(0); // this test's worker alone takes the deliveries
      const own = startWorker(hookyard, { ...TEST_WORKER, attemptTimeoutMs: 1_000, leaseMs: 2_000 });
      try {
        const ids = (await hookyard.messages.publishBatch(app.id, Array.from({ length: 20 }, (_, n) => ({ eventType: 'a.b', payload: { n } })))).map((r) => r.message.id);
        const rows = await waitForStates(storage, ids, ['succeeded'], 10_000);
        assert.equal(rows.length, 20);
        assert.ok(rows.every((r) => r.attempt_count === 1), 'each sent once, none given back and re-claimed');
      } finally {
        await own.stop(1_000);
        worker = startWorker(hookyard, { ...TEST_WORKER, attemptTimeoutMs: 600, leaseMs: 5_000, retrySchedule: [60_000], concurrency: 8, endpointConcurrency: 2 });
      }
    });

    test('a 5 MB response is cut at the cap and flagged truncated', async () => {
      const ids = await publishTo(['/big']);
      const [attempt] = await waitForAttempts(env().storage, ids, 1, 5_000);
      assert.equal(attempt!.response_status, 200);
      assert.equal(attempt!.succeeded, true);
      assert.equal(attempt!.response_truncated, true);
      assert.equal(attempt!.response_body!.length, 16 * 1024);
    });

    test('a receiver that closes the socket is recorded as reset', async () => {
      const ids = await publishTo(['/close']);
      const [attempt] = await waitForAttempts(env().storage, ids, 1, 5_000);
      assert.equal(attempt!.error_code, 'reset');
      assert.ok(attempt!.error_message);
    });

    test('endpoints that time out do not hold up healthy ones', async () => {
      // 3 of 6 endpoints hang; each may hold 2 of the worker's 8 slots, so healthy ones always have room.
      // Their backlog (60 attempts at 600 ms, 6 at a time) needs about 6 s; the healthy 60 must not wait for it.
      const ids = await publishTo(['/hang-a', '/hang-b', '/hang-c', '/ok-a', '/ok-b', '/ok-c'], 20);
      const started = Date.now();
      await receiver.waitFor(60, (r) => r.path.startsWith('/ok') && ids.includes(String(r.headers['webhook-id'])), 10_000);
      const elapsed = Date.now() - started;
      const hung = receiver.received.filter((r) => r.path.startsWith('/hang-') && r.path !== '/hang-1' && ids.includes(String(r.headers['webhook-id']))).length;
      assert.ok(hung > 0, 'the hanging endpoints were tried meanwhile');
      assert.ok(hung < 54, `healthy deliveries finished only after ${hung} of 60 hanging attempts (${elapsed} ms)`);
    });
  });
});
