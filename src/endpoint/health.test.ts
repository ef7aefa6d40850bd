import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker, type Worker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { endpointHealthPass } from '../maintenance/endpoint-health.js';
import { TEST_WORKER, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { endpointHealthSettingSet } from './sql.js';

const DAY = 24 * 3600_000;
// The injected clock: attempts are stamped with it, and so are the health counters and disabledAt.
let clock = new Date('2031-03-01T00:00:00.000Z');

describeEachStorage(
  'endpoint health',
  (env) => {
    describe('with a worker and a loopback receiver', () => {
      let receiver: Receiver;
      let worker: Worker;
      /** Paths that answer 500; everything else gets 200. */
      const failing = new Set<string>();

      before(async () => {
        receiver = await startReceiver((r) => ({ status: failing.has(r.path) ? 500 : 200 }));
        // Two attempts per delivery (one retry after 20 ms), so a delivery fails for good quickly.
        worker = startWorker(env().hookyard, { ...TEST_WORKER, retrySchedule: [20] }, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
      });
      after(async () => {
        await worker.stop(1_000);
        await receiver.close();
      });

      async function publish(appId: string, n = 1): Promise<string[]> {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push((await env().hookyard.messages.publish(appId, { eventType: 'health.check', payload: { i } })).message.id);
        return ids;
      }

      test('a delivery that fails for good counts one; a success resets the count; the times come from the injected clock', async () => {
        const { hookyard, storage } = env();
        failing.add('/flaky');
        const app = await hookyard.applications.create({ name: 'flaky' });
        const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/flaky` });
        assert.deepEqual(ep.health, { disabledAt: null, consecutiveFailures: 0, failingSince: null, lastSuccessAt: null, lastFailureAt: null });

        clock = new Date('2031-03-01T10:00:00.000Z');
        const first = await publish(app.id, 2);
        await waitForStates(storage, first, ['failed']);
        let now = await hookyard.endpoints.get(app.id, ep.id);
        assert.equal(now.health.consecutiveFailures, 2, 'two deliveries failed for good (each after two attempts)');
        assert.equal(now.health.failingSince?.toISOString(), clock.toISOString());
        assert.equal(now.health.lastFailureAt?.toISOString(), clock.toISOString());
        assert.equal(now.health.lastSuccessAt, null);
        assert.equal(now.disabled, false);

        failing.delete('/flaky');
        clock = new Date('2031-03-01T11:00:00.000Z');
        const second = await publish(app.id);
        await waitForStates(storage, second, ['succeeded']);
        now = await hookyard.endpoints.get(app.id, ep.id);
        assert.equal(now.health.consecutiveFailures, 0, 'a success resets the count');
        assert.equal(now.health.failingSince, null);
        assert.equal(now.health.lastSuccessAt?.toISOString(), clock.toISOString());
        assert.equal(now.health.lastFailureAt?.toISOString(), '2031-03-01T10:00:00.000Z', 'the last failure is kept');
      });

      test('auto-disable by count: the endpoint\'s own threshold, then the server-wide one', async () => {
        const { hookyard, storage } = env();
        failing.add('/dead');
        const app = await hookyard.applications.create({ name: 'dead' });
        const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/dead`, failureThreshold: 3 });
        assert.equal(ep.failureThreshold, 3);
        clock = new Date('2031-03-02T08:00:00.000Z');
        const ids = await publish(app.id, 2);
        await waitForStates(storage, ids, ['failed']);
        assert.equal((await hookyard.endpoints.get(app.id, ep.id)).disabled, false, 'two of three: still enabled');
        const third = await publish(app.id);
        await waitForStates(storage, third, ['failed']);
        const off = await hookyard.endpoints.get(app.id, ep.id);
        assert.equal(off.disabled, true);
        assert.match(off.disabledReason ?? '', /3 deliveries in a row failed \(the threshold is 3\)/);
        assert.equal(off.health.disabledAt?.toISOString(), clock.toISOString());
        assert.equal(off.health.consecutiveFailures, 3);

        // The server-wide threshold applies to endpoints without their own.
        await endpointHealthSettingSet(storage, 2);
        try {
          const other = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/dead` });
          const more = await publish(app.id, 2);
          await waitForStates(storage, more, ['failed', 'pending']);
          await waitFor(async () => (await hookyard.endpoints.get(app.id, other.id)).disabled);
          assert.match((await hookyard.endpoints.get(app.id, other.id)).disabledReason ?? '', /threshold is 2/);
        } finally {
          await endpointHealthSettingSet(storage, 50);
        }
      });

      test('re-enabling resets the counters', async () => {
        const { hookyard, storage } = env();
        failing.add('/again');
        const app = await hookyard.applications.create({ name: 'again' });
        const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/again`, failureThreshold: 1 });
        await waitForStates(storage, await publish(app.id), ['failed']);
        await waitFor(async () => (await hookyard.endpoints.get(app.id, ep.id)).disabled);
        const on = await hookyard.endpoints.patch(app.id, ep.id, { disabled: false });
        assert.equal(on.disabled, false);
        assert.equal(on.disabledReason, null);
        assert.deepEqual([on.health.consecutiveFailures, on.health.failingSince, on.health.disabledAt], [0, null, null]);
        assert.notEqual(on.health.lastFailureAt, null, 'the last failure stays on record');
      });

      test('messages published while disabled are kept pending and delivered after re-enabling', async () => {
        const { hookyard, storage } = env();
        failing.add('/parked');
        const app = await hookyard.applications.create({ name: 'parked' });
        const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/parked`, failureThreshold: 1 });
        const [dead] = await publish(app.id);
        await waitFor(async () => (await hookyard.endpoints.get(app.id, ep.id)).disabled);
        const whileOff = await publish(app.id, 3);
        const before = receiver.received.filter((r) => r.path === '/parked').length;
        await new Promise((r) => setTimeout(r, 300));
        assert.equal(receiver.received.filter((r) => r.path === '/parked').length, before, 'nothing is sent to a disabled endpoint');
        assert.deepEqual((await waitForStates(storage, whileOff, ['pending'])).map((d) => d.attempt_count), [0, 0, 0], 'kept pending, not cancelled');

        failing.delete('/parked');
        await hookyard.endpoints.patch(app.id, ep.id, { disabled: false });
        const rows = await waitForStates(storage, whileOff, ['succeeded']);
        assert.equal(rows.length, 3);
        const got = receiver.received.filter((r) => r.path === '/parked' && whileOff.includes(String(r.headers['webhook-id'])));
        assert.deepEqual(new Set(got.map((r) => r.headers['webhook-id'])), new Set(whileOff));
        assert.equal((await waitForStates(storage, [dead!]))[0]!.state, 'failed', 'what failed for good before stays failed (recover re-sends it)');
      });

      test('the health pass disables an endpoint failing without a success for the duration, once', async () => {
        const { hookyard, storage } = env();
        failing.add('/slow-death');
        const app = await hookyard.applications.create({ name: 'slow death' });
        const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/slow-death` });
        const start = new Date('2031-04-01T00:00:00.000Z');
        clock = start;
        await waitForStates(storage, await publish(app.id), ['failed']);
        const at = (ms: number) => ({ storage, now: () => new Date(start.getTime() + ms) });
        const failingMs = 5 * DAY;
        // The pass is server-wide: endpoints of the tests above that fail still are disabled too.
        await endpointHealthPass(at(4 * DAY), { failingMs });
        assert.equal((await hookyard.endpoints.get(app.id, ep.id)).disabled, false, 'failing for four days: still enabled');
        assert.ok((await endpointHealthPass(at(5 * DAY + 1), { failingMs })).disabled >= 1);
        const off = await hookyard.endpoints.get(app.id, ep.id);
        assert.equal(off.disabled, true);
        assert.match(off.disabledReason ?? '', /failed without a success since 2031-04-01T00:00:00Z/);
        assert.equal(off.health.disabledAt?.toISOString(), new Date(start.getTime() + 5 * DAY + 1).toISOString());
        assert.deepEqual(await endpointHealthPass(at(6 * DAY), { failingMs }), { disabled: 0 }, 'idempotent');
      });
    });

    test('failureThreshold is validated', async () => {
      const { hookyard } = env();
      const app = await hookyard.applications.create({ name: 'bad threshold' });
      for (const failureThreshold of [0, -1, 1.5, 'x', 2_000_000]) {
        await assert.rejects(hookyard.endpoints.create(app.id, { url: 'http://127.0.0.1:9/', failureThreshold } as never), { code: 'validation' }, String(failureThreshold));
      }
    });
  },
  { now: () => clock },
);

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not true after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
