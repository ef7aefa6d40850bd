import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startWorker } from '../delivery/worker.js';
import { testApi } from '../test/api.js';
import { TEST_WORKER, waitForAttempts } from '../test/delivery.js';
import { startReceiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

interface Troubled {
  id: string;
  appId: string;
  appName: string;
  url: string;
  disabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  consecutiveFailures: number;
}

/** The dashboard's list of endpoints to look at: failing now, or disabled, with what a table needs. */
describeEachStorage('GET /console/api/stats: endpoints.troubled', (env) => {
  test('failing endpoints (still retrying) and disabled ones are listed, failing first, with app and URL; healthy and operational ones are not', { timeout: 60_000 }, async () => {
    const { hookyard } = env();
    const receiver = await startReceiver((r) => ({ status: r.path === '/fail' ? 500 : 200 }));
    const api = await testApi(hookyard);
    const worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [60_000] });
    try {
      const app = await hookyard.applications.create({ name: 'Shop' });
      const ok = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/ok` });
      const failing = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/fail` });
      const off = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/off`, disabled: true });
      assert.equal((await api.call('POST', '/api/v1/operational-webhook/endpoint', { url: `${receiver.origin}/fail`, disabled: true })).status, 201);
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
      await waitForAttempts(hookyard.storage, [message.id], 2);

      const res = await api.call('GET', '/console/api/stats');
      assert.equal(res.status, 200);
      const troubled = (res.json as { endpoints: { troubled: Troubled[] } }).endpoints.troubled;
      assert.deepEqual(troubled.map((e) => e.id), [failing.id, off.id], 'failing first, then disabled; not the healthy one, nor the disabled operational endpoint');
      const [f, d] = troubled as [Troubled, Troubled];
      assert.deepEqual([f.appId, f.appName, f.url, f.disabled, f.consecutiveFailures], [app.id, 'Shop', `${receiver.origin}/fail`, false, 0], 'failing, nothing failed for good yet');
      assert.ok(f.failingSince && Date.parse(f.failingSince) <= Date.now(), 'since when');
      assert.deepEqual([d.url, d.disabled], [`${receiver.origin}/off`, true]);
      assert.ok(!troubled.some((e) => e.id === ok.id));
    } finally {
      await worker.stop(1_000);
      await api.close();
      await receiver.close();
    }
  });
});
