import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Svix } from 'svix';
import { redactHeaders } from '../delivery/attempt.js';
import { startWorker } from '../delivery/worker.js';
import { testApi } from '../test/api.js';
import { attemptsOf, TEST_WORKER, waitForAttempts } from '../test/delivery.js';
import { startReceiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';
import { headerIsSensitive } from './model.js';

test('the sensitivity rule: credential-style names, whole words for the short ones, and marked names', () => {
  for (const name of ['Authorization', 'Cookie', 'X-Api-Key', 'x-apikey', 'X-Auth-Token', 'x-custom-auth', 'x-api-sig', 'X-Hub-Signature', 'x-session-id', 'X-Client-Secret', 'x_private_key', 'x-jwt']) {
    assert.ok(headerIsSensitive(name), name);
  }
  for (const name of ['X-Tenant', 'X-Region', 'x-author-name', 'x-design', 'Accept-Language', 'x-keyboard']) assert.equal(headerIsSensitive(name), false, name);
  assert.ok(headerIsSensitive('X-Partner-Ref', ['x-partner-ref']));
  assert.deepEqual(
    redactHeaders({ 'x-custom-auth': 'a', 'x-api-sig': 'b', 'x-partner-ref': 'c', 'x-tenant': 't', 'webhook-signature': 'v1,sig' }, ['x-partner-ref']),
    { 'x-custom-auth': '[redacted]', 'x-api-sig': '[redacted]', 'x-partner-ref': '[redacted]', 'x-tenant': 't', 'webhook-signature': 'v1,sig' },
    'Hookyard\'s own signature stays readable: it is not a secret, and it is what a receiver checks',
  );
});

describeEachStorage('sensitive endpoint headers', (env) => {
  test('GET headers lists sensitive names without their values; marks are kept with their headers; attempts redact them all', async () => {
    const { hookyard, storage } = env();
    const t = await testApi(hookyard);
    const receiver = await startReceiver();
    try {
      const app = await hookyard.applications.create({ name: 'sensitive' });
      const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/in`, uid: 'ep' });
      const path = `/api/v1/app/${app.id}/endpoint/ep/headers`;
      const put = await t.call('PUT', path, {
        headers: { Authorization: 'Bearer s3cret', 'X-Tenant': 't1', 'x-custom-auth': 'c1', 'x-api-sig': 'g1', 'X-Partner-Ref': 'p1' },
        sensitive: ['X-Partner-Ref'],
      });
      assert.equal(put.status, 204);
      const read = async () => (await t.call('GET', path)).json as { headers: Record<string, string>; sensitive: string[] };
      assert.deepEqual(await read(), { headers: { 'X-Tenant': 't1' }, sensitive: ['Authorization', 'x-api-sig', 'x-custom-auth', 'X-Partner-Ref'] });
      assert.ok(!JSON.stringify(await read()).includes('s3cret'));

      // The official SDK reads the same shape.
      const svix = new Svix(t.token, { serverUrl: t.url });
      const viaSdk = await svix.endpoint.getHeaders(app.id, ep.id);
      assert.deepEqual(viaSdk.headers, { 'X-Tenant': 't1' });

      assert.equal((await t.call('PATCH', path, { headers: { 'X-Region': 'eu' }, sensitive: ['x-region'] })).status, 204);
      assert.deepEqual((await read()).headers, { 'X-Tenant': 't1' });
      const wrong = await t.call('PATCH', path, { headers: {}, sensitive: ['X-Nope'] });
      assert.equal(wrong.status, 422);
      assert.deepEqual((wrong.json as { detail: { loc: unknown[] }[] }).detail[0]!.loc, ['body', 'sensitive', 0]);

      // The library API is trusted and sees the values.
      assert.equal((await hookyard.endpoints.headersGet(app.id, ep.id)).Authorization, 'Bearer s3cret');

      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: {} });
      const worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [] });
      await waitForAttempts(storage, [message.id], 1);
      await worker.stop(1_000);
      const [seen] = await receiver.waitFor(1);
      assert.deepEqual([seen!.headers.authorization, seen!.headers['x-custom-auth'], seen!.headers['x-partner-ref'], seen!.headers['x-region']], ['Bearer s3cret', 'c1', 'p1', 'eu'], 'the receiver gets the real values');
      const [attempt] = await attemptsOf(storage, [message.id]);
      const stored = attempt!.request_headers;
      for (const name of ['authorization', 'x-custom-auth', 'x-api-sig', 'x-partner-ref', 'x-region']) assert.equal(stored[name], '[redacted]', name);
      assert.equal(stored['x-tenant'], 't1');
      assert.ok(!JSON.stringify(stored).includes('s3cret'));

      // Removing a marked header drops its mark: set again, it is not sensitive unless its name says so.
      await t.call('PATCH', path, { headers: { 'X-Partner-Ref': null } });
      await t.call('PATCH', path, { headers: { 'X-Partner-Ref': 'p2' } });
      assert.equal((await read()).headers['X-Partner-Ref'], 'p2');
      // PUT replaces the marks with its own.
      await t.call('PUT', path, { headers: { 'X-Region': 'us' } });
      assert.deepEqual(await read(), { headers: { 'X-Region': 'us' }, sensitive: [] });
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});
