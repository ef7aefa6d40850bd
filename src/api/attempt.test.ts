import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { Svix } from 'svix';
import { startWorker } from '../delivery/worker.js';
import { TEST_WORKER, waitForAttempts } from '../test/delivery.js';
import { testApi } from '../test/api.js';
import { startReceiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

interface AttemptJson {
  id: string;
  response: string;
  responseStatusCode: number;
  status: number;
  errorClass: string | null;
  errorMessage: string | null;
}

/** A loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

// Every connection here goes to loopback; the blocked case is refused by the worker's guard before connecting.
describeEachStorage('attempts say why they failed', (env) => {
  test('blocked, refused and non-2xx attempts carry errorClass and errorMessage; with no response, `response` says why', async () => {
    const { hookyard, storage } = env();
    const t = await testApi(hookyard);
    const receiver = await startReceiver((r) => (r.path === '/busy' ? { status: 503, body: 'try later' } : { status: 200, body: 'ok' }));
    const port = await closedPort();
    try {
      const app = await hookyard.applications.create({ name: 'why' });
      const blocked = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/blocked`, uid: 'blocked' });
      const { message: first } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 1 } });
      // The worker's allowlist is empty: the guard refuses 127.0.0.1 before connecting.
      // Explicitly empty: by default the worker would take the Hookyard's own list, which admits loopback here.
      let worker = startWorker(hookyard, { ...TEST_WORKER, allowCidrs: '', retrySchedule: [] });
      await waitForAttempts(storage, [first.id], 1);
      await worker.stop(1_000);
      assert.equal(receiver.received.length, 0);

      await hookyard.endpoints.patch(app.id, blocked.id, { disabled: true });
      await hookyard.endpoints.create(app.id, { url: `http://127.0.0.1:${port}/`, uid: 'closed' });
      await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/busy`, uid: 'busy' });
      await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/ok`, uid: 'ok' });
      const { message: second } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 2 } });
      worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [] });
      await waitForAttempts(storage, [second.id], 3);
      await worker.stop(1_000);

      const byEndpoint = async (uid: string) => {
        const res = await t.call('GET', `/api/v1/app/${app.id}/attempt/endpoint/${uid}`);
        assert.equal(res.status, 200);
        return (res.json as { data: AttemptJson[] }).data[0]!;
      };
      const b = await byEndpoint('blocked');
      assert.deepEqual([b.status, b.responseStatusCode, b.errorClass], [2, 0, 'blocked']);
      assert.equal(b.errorMessage, 'blocked: 127.0.0.1 is a loopback address; allow it with HOOKYARD_ALLOW_CIDRS (the allowCidrs option)');
      assert.equal(b.response, b.errorMessage, 'with no response, the reason is in Svix\'s response field');

      const c = await byEndpoint('closed');
      assert.deepEqual([c.errorClass, c.errorMessage, c.response], ['refused', `refused: 127.0.0.1:${port} refused the connection (ECONNREFUSED)`, c.errorMessage]);

      const busy = await byEndpoint('busy');
      assert.deepEqual([busy.responseStatusCode, busy.response, busy.errorClass, busy.errorMessage], [503, 'try later', 'status', 'status: the endpoint answered 503']);

      const ok = await byEndpoint('ok');
      assert.deepEqual([ok.status, ok.response, ok.errorClass, ok.errorMessage], [0, 'ok', null, null]);

      // The official SDK reads the same attempts; `response` is what its users see.
      const svix = new Svix(t.token, { serverUrl: t.url });
      const listed = await svix.messageAttempt.listByEndpoint(app.id, 'blocked');
      assert.match(listed.data[0]!.response, /^blocked: 127\.0\.0\.1 is a loopback address/);
      assert.equal(listed.data[0]!.msg, undefined, 'no message unless asked for');

      // Svix's with_msg: each attempt carries the message it delivered, its payload unless with_content=false.
      const withMsg = await svix.messageAttempt.listByEndpoint(app.id, 'ok', { withMsg: true });
      assert.deepEqual([withMsg.data[0]!.msg?.id, withMsg.data[0]!.msg?.eventType, withMsg.data[0]!.msg?.payload], [second.id, 'a.b', { n: 2 }]);
      const noContent = await svix.messageAttempt.listByEndpoint(app.id, 'ok', { withMsg: true, withContent: false });
      assert.deepEqual([noContent.data[0]!.msg?.id, noContent.data[0]!.msg?.payload, noContent.data[0]!.response], [second.id, {}, '{}']);
    } finally {
      await t.close();
      await receiver.close();
    }
  });

  test('one attempt (GET …/attempt/{attempt_id}) has its request and response headers, sensitive ones redacted, the signature kept', async () => {
    const { hookyard, storage } = env();
    const t = await testApi(hookyard);
    const receiver = await startReceiver(() => ({ status: 500, headers: { 'x-receiver': 'sad', 'retry-after': '5' }, body: 'no' }));
    try {
      const app = await hookyard.applications.create({ name: 'detail' });
      const secret = `whsec_${Buffer.alloc(24, 3).toString('base64')}`;
      const ep = await hookyard.endpoints.create(app.id, { url: `${receiver.origin}/hook`, secret, headers: { 'X-Team': 'core', 'X-Api-Key': 'hush-hush', 'X-Marked': 'also-hush' } });
      await hookyard.endpoints.headersUpdate(app.id, ep.id, { 'X-Team': 'core', 'X-Api-Key': 'hush-hush', 'X-Marked': 'also-hush' }, ['X-Marked']);
      const { message } = await hookyard.messages.publish(app.id, { eventType: 'a.b', payload: { n: 3 } });
      const worker = startWorker(hookyard, { ...TEST_WORKER, retrySchedule: [] });
      await waitForAttempts(storage, [message.id], 1);
      await worker.stop(1_000);
      const sent = receiver.received[0]!;

      const listed = await t.call('GET', `/api/v1/app/${app.id}/attempt/msg/${message.id}`);
      const item = (listed.json as { data: Record<string, unknown>[] }).data[0]!;
      assert.equal('requestHeaders' in item, false, 'lists stay as Svix\'s');
      const res = await t.call('GET', `/api/v1/app/${app.id}/msg/${message.id}/attempt/${item.id as string}`);
      assert.equal(res.status, 200);
      const a = res.json as AttemptJson & { requestHeaders: Record<string, string>; responseHeaders: Record<string, string> | null; responseTruncated: boolean };
      assert.deepEqual([a.responseStatusCode, a.errorClass, a.errorMessage], [500, 'status', 'status: the endpoint answered 500']);
      assert.equal(a.requestHeaders['x-team'], 'core');
      assert.equal(a.requestHeaders['x-api-key'], '[redacted]', 'a credential-like name is redacted');
      assert.equal(a.requestHeaders['x-marked'], '[redacted]', 'a header the owner marked sensitive is redacted');
      assert.equal(a.requestHeaders['content-type'], 'application/json');
      assert.equal(a.requestHeaders['webhook-id'], message.id);
      assert.equal(a.requestHeaders['webhook-signature'], sent.headers['webhook-signature'], 'the signature as sent (it is no secret)');
      assert.equal(a.responseHeaders?.['x-receiver'], 'sad');
      assert.equal(a.responseHeaders?.['retry-after'], '5');
      assert.equal(a.responseTruncated, false);
      const text = JSON.stringify(res.json);
      for (const hidden of ['hush-hush', 'also-hush', secret, secret.slice(6)]) assert.ok(!text.includes(hidden), `${hidden.slice(0, 8)}… is not in the answer`);

      // The official SDK still reads it (the extension fields are extra).
      const svix = new Svix(t.token, { serverUrl: t.url });
      assert.equal((await svix.messageAttempt.get(app.id, message.id, a.id)).responseStatusCode, 500);
      // Expunging the content takes the response headers with it.
      assert.equal((await t.call('DELETE', `/api/v1/app/${app.id}/msg/${message.id}/attempt/${a.id}/content`)).status, 204);
      const expunged = (await t.call('GET', `/api/v1/app/${app.id}/msg/${message.id}/attempt/${a.id}`)).json as typeof a;
      assert.deepEqual([expunged.response, expunged.responseHeaders], ['EXPUNGED', null]);
      assert.equal(expunged.requestHeaders['x-team'], 'core');
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});
