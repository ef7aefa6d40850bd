import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { endpointFor } from '../test/fixtures.js';
import { attemptService } from './service.js';

describeEachStorage('attempt list filters', (env) => {
  test('event types, channel and tag filter attempts by their message', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'filters' });
    const ep = await endpointFor(hookyard, app.id);
    const sent = [
      await hookyard.messages.publish(app.id, { eventType: 'invoice.paid', payload: { n: 0 }, channels: ['eu'], tags: ['vip'] }),
      await hookyard.messages.publish(app.id, { eventType: 'invoice.failed', payload: { n: 1 }, channels: ['us'] }),
      await hookyard.messages.publish(app.id, { eventType: 'user.created', payload: { n: 2 }, channels: ['eu'], tags: ['trial'] }),
    ];
    // One recorded attempt per delivery, written as the worker would.
    await storage.query(
      `insert into hookyard.attempt (id, delivery_id, message_id, endpoint_id, attempt_number, url, succeeded, duration_ms)
       select 'atmpt_' || d.message_id, d.id, d.message_id, d.endpoint_id, 1, 'http://127.0.0.1:9/hook', true, 5
         from hookyard.delivery d where d.endpoint_id = $1`,
      [ep.id],
    );
    const attempts = attemptService(storage);
    const ids = async (q: Parameters<typeof attempts.listByEndpoint>[2]) =>
      (await attempts.listByEndpoint(app.id, ep.id, q)).data.map((a) => sent.findIndex((s) => s.message.id === a.messageId)).sort();

    assert.deepEqual(await ids({}), [0, 1, 2]);
    assert.deepEqual(await ids({ eventTypes: ['invoice.paid', 'invoice.failed'] }), [0, 1]);
    assert.deepEqual(await ids({ channel: 'eu' }), [0, 2]);
    assert.deepEqual(await ids({ tag: 'vip' }), [0]);
    assert.deepEqual(await ids({ channel: 'eu', eventTypes: ['user.created'] }), [2]);
    assert.deepEqual(await ids({ tag: 'none' }), []);
  });
});
