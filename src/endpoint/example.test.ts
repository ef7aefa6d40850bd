import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeEachStorage } from '../test/storages.js';
import { deliveredTo, endpointFor, unique } from '../test/fixtures.js';
import { endpointSendExample } from './example.js';

describeEachStorage('send example', (env) => {
  test('sends the example of the highest schema version to that endpoint only', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'examples' });
    const target = await endpointFor(hookyard, app.id);
    await endpointFor(hookyard, app.id);
    const name = unique('order.shipped');
    await hookyard.eventTypes.create({
      name,
      description: 'two versions',
      schemas: {
        '1': { type: 'object', examples: [{ v: 1 }] },
        '10': { type: 'object', examples: [{ v: 10, i: 0 }, { v: 10, i: 1 }] },
        '2': { type: 'object', examples: [{ v: 2 }] },
      },
    });
    const message = await endpointSendExample(hookyard, app.id, target.id, { eventType: name, exampleIndex: 1 });
    assert.deepEqual((await hookyard.messages.get(app.id, message.id)).payload, { v: 10, i: 1 }, 'version 10 outranks 2 numerically');
    assert.deepEqual(await deliveredTo(storage, message.id), [target.id]);
    await assert.rejects(endpointSendExample(hookyard, app.id, target.id, { eventType: name, exampleIndex: 2 }), { code: 'validation' });
  });

  test('svix.ping and event types without examples send a placeholder', async () => {
    const { hookyard } = env();
    const app = await hookyard.applications.create({ name: 'ping' });
    const ep = await endpointFor(hookyard, app.id);
    const ping = await endpointSendExample(hookyard, app.id, ep.id, { eventType: 'svix.ping' });
    assert.equal((ping.payload as { example: boolean }).example, true);
    const name = unique('plain');
    await hookyard.eventTypes.create({ name, description: 'no schema' });
    const plain = await endpointSendExample(hookyard, app.id, ep.id, { eventType: name });
    assert.equal((plain.payload as { eventType: string }).eventType, name);
  });
});

const FIXED = new Date('2031-05-06T07:08:09.010Z');
describeEachStorage('send example: through publish, on the injected clock', (env) => {
  test('the example is a message like any other: timestamped by the clock Hookyard was opened with; a missing endpoint is 404', async () => {
    const { hookyard, storage } = env();
    const app = await hookyard.applications.create({ name: 'clock' });
    const ep = await endpointFor(hookyard, app.id, { filterTypes: ['only.this'], channels: ['elsewhere'] });
    const message = await endpointSendExample(hookyard, app.id, ep.id, { eventType: 'svix.ping' });
    assert.equal(message.timestamp.toISOString(), FIXED.toISOString());
    assert.equal((await hookyard.messages.get(app.id, message.id)).timestamp.toISOString(), FIXED.toISOString());
    assert.deepEqual(await deliveredTo(storage, message.id), [ep.id], 'to that endpoint, whatever its filters say');
    await assert.rejects(endpointSendExample(hookyard, app.id, 'ep_missing', { eventType: 'svix.ping' }), { code: 'not_found', message: /endpoint/ });
    await assert.rejects(endpointSendExample(hookyard, 'app_missing', ep.id, { eventType: 'svix.ping' }), { code: 'not_found', message: /application/ });
  });
}, { now: () => new Date(FIXED) });
