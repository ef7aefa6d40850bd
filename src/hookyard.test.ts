import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { openHookyard } from './hookyard.js';
import { TEST_WORKER } from './test/delivery.js';
import { startReceiver, type Receiver } from './test/receiver.js';
import { storageKinds, testDatabase, TEST_ALLOW_CIDRS, TEST_SECRET_KEY, type TestDatabase } from './test/storages.js';

// A second pool exists only on PostgreSQL opened from a URL.
if (storageKinds().includes('postgres')) {
  describe('the delivery worker on connections of its own [postgres]', () => {
    let db: TestDatabase;
    let receiver: Receiver;
    before(async () => {
      db = await testDatabase('postgres');
      receiver = await startReceiver();
    });
    after(async () => {
      await receiver.close();
      await db.close();
    });

    test('a publish holding every API connection cannot starve delivery, and a local publish still wakes the worker at once', async () => {
      // One API connection, two of the worker's; polling so slow that only a wake-up can explain a prompt delivery.
      const hookyard = await openHookyard({ databaseUrl: db.url!, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false, poolSize: 1, workerPoolSize: 2 });
      const worker = hookyard.startWorker({ ...TEST_WORKER, pollIntervalMs: 60_000 });
      try {
        const app = await hookyard.applications.create({ name: 'own-pool' });
        await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/own-pool` });
        const first = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
        await receiver.waitFor(1, (r) => r.headers['webhook-id'] === first.message.id, 5_000);

        // The API's only connection is busy for 3 s (a slow request, a stalled publish)...
        const busy = hookyard.storage.transaction((tx) => tx.query('select pg_sleep(3)'));
        // ...and a message committed elsewhere (another API process) is still delivered meanwhile.
        const other = await openHookyard({ databaseUrl: db.url!, secretKey: TEST_SECRET_KEY, allowCidrs: TEST_ALLOW_CIDRS, migrate: false, poolSize: 1 });
        try {
          const started = Date.now();
          const second = await other.messages.publish(app.id, { eventType: 'a.b', payload: { n: 2 } });
          await receiver.waitFor(1, (r) => r.headers['webhook-id'] === second.message.id, 2_500);
          assert.ok(Date.now() - started < 2_500);
        } finally {
          await other.close();
        }
        await busy;

        const { rows } = await db.storage.query<{ name: string }>(
          `select distinct application_name as name from pg_stat_activity where datname = current_database() and application_name like 'hookyard-worker%' order by 1`,
        );
        assert.deepEqual(rows.map((r) => r.name), ['hookyard-worker', 'hookyard-worker-listen']);
      } finally {
        await worker.stop(1_000);
        await hookyard.close();
      }
    });
  });
}
