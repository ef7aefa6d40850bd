import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TEST_WORKER, waitForAttempts, waitForStates } from '../test/delivery.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { startWorker, type Worker } from './worker.js';

// The guard end to end, probed only with loopback spellings: nothing here may reach a non-loopback address.
describeEachStorage('delivery SSRF guard', (env) => {
  describe('with the default (empty) allowlist', () => {
    let receiver: Receiver;
    let worker: Worker;
    before(async () => {
      receiver = await startReceiver();
      // Explicitly empty: by default the worker would take the Hookyard's own list, which admits loopback here.
      worker = startWorker(env().hookyard, { ...TEST_WORKER, allowCidrs: '', retrySchedule: [] });
    });
    after(async () => {
      await worker.stop(1_000);
      await receiver.close();
    });

    test('loopback in every spelling is refused, recorded as blocked, and the receiver sees nothing', async () => {
      const { hookyard, storage } = env();
      const app = await hookyard.applications.create({ name: 'ssrf' });
      const hosts = ['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]', '0.0.0.0', '2130706433', 'localhost'];
      for (const host of hosts) await hookyard.endpoints.create(app.id, { url: `http://${host}:${receiver.port}/ssrf` });
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
      const rows = await waitForStates(storage, [message.id], ['failed']);
      assert.equal(rows.length, hosts.length);
      const attempts = await waitForAttempts(storage, [message.id], hosts.length);
      for (const a of attempts) {
        assert.equal(a.error_code, 'blocked', `${a.url}: ${a.error_message}`);
        assert.equal(a.response_status, null);
      }
      assert.equal(receiver.received.length, 0);
    });

    test('require HTTPS refuses http:// URLs', async () => {
      const { hookyard, storage } = env();
      await worker.stop(1_000);
      worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [], requireHttps: true });
      const app = await hookyard.applications.create({ name: 'https-only' });
      await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/plain` });
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
      const [attempt] = await waitForAttempts(storage, [message.id], 1);
      assert.equal(attempt!.error_code, 'blocked');
      assert.match(attempt!.error_message ?? '', /HTTPS/);
      assert.equal(receiver.received.length, 0);
    });
  });
  // The endpoint service refuses 0.0.0.0 at creation unless allowed; the worker's own (empty) list is what is tested here.
}, { allowCidrs: '127.0.0.0/8,::1/128,0.0.0.0/32' });
