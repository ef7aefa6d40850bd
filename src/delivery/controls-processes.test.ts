import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { TEST_WORKER, attemptsOf, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { arrivalPeak, arrivalRate, workerExited, workerSpawn } from '../test/worker-spawn.js';

// The rate limit and max_in_flight hold for two worker processes together (migration 014): the
// arrival rate and the requests open at once, measured at a loopback receiver.
describeEachStorage(
  'delivery controls across two worker processes',
  (env) => {
    describe('on a loopback receiver', () => {
      let receiver: Receiver;
      const workers: ChildProcess[] = [];
      /** Requests open at once per path, and the most seen. */
      const open = new Map<string, number>();
      const peak = new Map<string, number>();
      const delayMs = new Map<string, number>();
      before(async () => {
        receiver = await startReceiver((r) => {
          const n = (open.get(r.path) ?? 0) + 1;
          open.set(r.path, n);
          peak.set(r.path, Math.max(peak.get(r.path) ?? 0, n));
          const delay = delayMs.get(r.path) ?? 0;
          setTimeout(() => open.set(r.path, open.get(r.path)! - 1), delay);
          return { status: 200, delayMs: delay };
        });
        const options = { ...TEST_WORKER, concurrency: 16, endpointConcurrency: 8 };
        workers.push(await workerSpawn(env().url!, options), await workerSpawn(env().url!, options));
      });
      after(async () => {
        for (const w of workers) w.kill('SIGTERM');
        await Promise.all(workers.map(workerExited));
        await receiver.close();
        assert.deepEqual(workers.map((w) => w.exitCode), [0, 0], 'both workers stopped cleanly');
      });

      async function publishTo(path: string, endpoint: { rateLimit?: number; maxInFlight?: number }, messages: number): Promise<string[]> {
        const { hookyard } = env();
        const app = await hookyard.applications.create({ name: path });
        await hookyard.endpoints.create(app.id, { url: receiver.origin + path, ...endpoint });
        const results = await hookyard.messages.publishBatch(app.id, Array.from({ length: messages }, (_, n) => ({ eventType: 'a.b', payload: { n } })));
        return results.map((r) => r.message.id);
      }

      test('rateLimit 5: 40 messages arrive at 5 per second, not faster, none failed', async () => {
        const ids = await publishTo('/rate', { rateLimit: 5 }, 40);
        const got = await receiver.waitFor(40, (r) => r.path === '/rate', 20_000);
        const times = got.map((r) => r.at);
        const rate = arrivalRate(times);
        const inOneSecond = arrivalPeak(times, 1_000);
        const inTwoSeconds = arrivalPeak(times, 2_000);
        console.log(`rateLimit 5, two worker processes: ${rate.toFixed(2)} deliveries/s over ${((Math.max(...times) - Math.min(...times)) / 1000).toFixed(2)} s, at most ${inOneSecond} in any 1 s, ${inTwoSeconds} in any 2 s`);
        assert.ok(rate <= 5.5 && rate >= 2.5, `measured ${rate.toFixed(2)}/s`);
        // Claims are paced 200 ms apart; arrivals are not exactly: one delivery held up ~200 ms on a busy machine
        // lands beside the next, so a 1 s window can hold 7. Over 2 s: 10 paced, one burst step, one held-up
        // arrival (unlimited, all 40 would land within a fraction of a second).
        assert.ok(inTwoSeconds <= 12, `${inTwoSeconds} arrivals within two seconds`);
        await waitForStates(env().storage, ids, ['succeeded']);
        assert.ok((await attemptsOf(env().storage, ids)).every((a) => a.succeeded), 'waiting for the rate limit fails no attempt');
      });

      test('maxInFlight 2: never more than 2 requests open at once across both workers; without it, more', async () => {
        delayMs.set('/cap', 200);
        delayMs.set('/uncapped', 200);
        const capped = await publishTo('/cap', { maxInFlight: 2 }, 20);
        const uncapped = await publishTo('/uncapped', {}, 20);
        const got = await receiver.waitFor(20, (r) => r.path === '/cap', 20_000);
        await waitForStates(env().storage, [...capped, ...uncapped], ['succeeded'], 20_000);
        const rate = arrivalRate(got.map((r) => r.at));
        console.log(`maxInFlight 2, receiver answering in 200 ms, two worker processes: ${rate.toFixed(2)} deliveries/s, at most ${peak.get('/cap')} open at once (without maxInFlight: ${peak.get('/uncapped')})`);
        assert.equal(peak.get('/cap'), 2);
        assert.ok(peak.get('/uncapped')! > 2, `uncapped peak ${peak.get('/uncapped')}`);
        // 2 at a time, 200 ms each: at most 10 per second.
        assert.ok(rate <= 11 && rate >= 4, `measured ${rate.toFixed(2)}/s`);
      });
    });
  },
  {},
  ['postgres'],
);
