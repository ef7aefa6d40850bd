import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { startWorker, type Worker } from '../delivery/worker.js';
import { createLogger } from '../log.js';
import { testApi, type TestApi } from '../test/api.js';
import { TEST_WORKER } from '../test/delivery.js';
import { startReceiver, type Receiver } from '../test/receiver.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * Each source type end to end over HTTP, signed by an independent signer (the provider's own
 * library where there is one, else its published algorithm with node's crypto): accepted when
 * right, forwarded and verifiable at the receiver; refused with the right status and a log row
 * when tampered, stale, signed with another secret, or unsigned.
 */
describeEachStorage('source types over HTTP', (env) => {
  describe('with a worker and a loopback receiver', () => {
    let t: TestApi;
    let receiver: Receiver;
    let worker: Worker;
    before(async () => {
      t = await testApi(env().hookyard);
      receiver = await startReceiver();
      worker = startWorker(env().hookyard, TEST_WORKER, createLogger(process.env.HOOKYARD_TEST_LOG ?? 'silent'));
    });
    after(async () => {
      await worker.stop(1_000);
      await receiver.close();
      await t.close();
    });

    async function sourceWith(type: string, config: Record<string, unknown>, path: string) {
      const source = (await t.call('POST', '/ingest/api/v1/source', { name: type, type, config })).json as { id: string; ingestUrl: string; appId: string };
      const ep = (await t.call('POST', `/ingest/api/v1/source/${source.id}/endpoint`, { url: receiver.origin + path })).json as { id: string };
      const secret = ((await t.call('GET', `/ingest/api/v1/source/${source.id}/endpoint/${ep.id}/secret`)).json as { key: string }).key;
      return { source, secret };
    }
    const post = async (url: string, headers: Record<string, string>, body: string) => {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      return { status: res.status, json: (await res.json()) as { status?: string; code?: string; challenge?: string } };
    };
    async function reasons(sourceId: string): Promise<string[]> {
      await t.api.inboundLog.flush();
      const rows = ((await t.call('GET', `/ingest/api/v1/source/${sourceId}/request?outcome=rejected`)).json as { data: { reason: string }[] }).data;
      return rows.map((r) => r.reason).sort();
    }
    async function forwardedTo(path: string, secret: string, body: string) {
      const [got] = await receiver.waitFor(1, (r) => r.path === path);
      assert.equal(got!.body, body);
      new Webhook(secret).verify(got!.body, got!.headers as Record<string, string>);
      return got!;
    }

    test('stripe (stripe.webhooks.generateTestHeaderString)', async () => {
      const secret = 'whsec_test_2b0c9a1e7d4c3b8a6f0e1d2c3b4a5968';
      const { source, secret: epSecret } = await sourceWith('stripe', { secret }, '/stripe');
      const body = JSON.stringify({ id: 'evt_1', object: 'event', type: 'invoice.paid', data: { object: {} } });
      const now = Math.floor(Date.now() / 1000);
      const header = (o: { payload?: string; secret?: string; timestamp?: number } = {}) => Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: now, ...o });
      assert.equal((await post(source.ingestUrl, { 'stripe-signature': header() }, body)).status, 200);
      const got = await forwardedTo('/stripe', epSecret, body);
      assert.ok(got);
      assert.equal((await post(source.ingestUrl, { 'stripe-signature': header() }, body.replace('paid', 'void'))).status, 401);
      assert.equal((await post(source.ingestUrl, { 'stripe-signature': header({ timestamp: now - 600 }) }, body)).status, 401);
      assert.equal((await post(source.ingestUrl, { 'stripe-signature': header({ secret: 'whsec_other' }) }, body)).status, 401);
      assert.equal((await post(source.ingestUrl, {}, body)).status, 401);
      assert.deepEqual(await reasons(source.id), ['signature_invalid', 'signature_invalid', 'signature_missing', 'timestamp_stale']);
    });

    test('svix / Standard Webhooks (standardwebhooks sign)', async () => {
      const secret = 'whsec_' + Buffer.alloc(32, 9).toString('base64');
      const { source, secret: epSecret } = await sourceWith('svix', { secret }, '/svix');
      const body = JSON.stringify({ type: 'user.created', data: { id: 'u_1' } });
      const headers = (at: Date, s = secret, id = 'msg_src_1') => ({ 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(s).sign(id, at, body) });
      assert.equal((await post(source.ingestUrl, headers(new Date()), body)).status, 200);
      await forwardedTo('/svix', epSecret, body);
      assert.equal((await post(source.ingestUrl, headers(new Date()), body)).json.status, 'duplicate', 'webhook-id is the dedup key');
      assert.equal((await post(source.ingestUrl, headers(new Date()), body + ' ')).status, 401);
      assert.equal((await post(source.ingestUrl, headers(new Date(Date.now() - 600_000), secret, 'm2'), body)).status, 401);
      assert.equal((await post(source.ingestUrl, headers(new Date(), 'whsec_' + Buffer.alloc(32, 1).toString('base64'), 'm3'), body)).status, 401);
      assert.equal((await post(source.ingestUrl, { 'webhook-id': 'm4', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, body)).status, 401);
      assert.equal((await reasons(source.id)).length, 4);
    });

    test('shopify (base64 HMAC-SHA256 of the body, its published algorithm)', async () => {
      const secret = 'shpss_0123456789abcdef';
      const { source, secret: epSecret } = await sourceWith('shopify', { secret }, '/shopify');
      const body = JSON.stringify({ id: 820982911946154500, email: 'jon@example.com' });
      const hmac = (b: string, s = secret) => createHmac('sha256', s).update(b).digest('base64');
      const headers = { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043' };
      assert.equal((await post(source.ingestUrl, { ...headers, 'x-shopify-hmac-sha256': hmac(body) }, body)).status, 200);
      await forwardedTo('/shopify', epSecret, body);
      assert.equal((await post(source.ingestUrl, { ...headers, 'x-shopify-hmac-sha256': hmac(body) }, body + '\n')).status, 401);
      assert.equal((await post(source.ingestUrl, { ...headers, 'x-shopify-hmac-sha256': hmac(body, 'other') }, body)).status, 401);
      assert.equal((await post(source.ingestUrl, headers, body)).status, 401);
      assert.equal((await reasons(source.id)).length, 3);
    });

    test('slack: the url_verification challenge is answered, not forwarded; events are', async () => {
      const secret = '8f742231b10e8888abcd99yyyzzz85a5';
      const { source, secret: epSecret } = await sourceWith('slack', { secret }, '/slack');
      const sign = (b: string, ts: number, s = secret) => ({ 'x-slack-request-timestamp': String(ts), 'x-slack-signature': `v0=${createHmac('sha256', s).update(`v0:${ts}:${b}`).digest('hex')}` });
      const now = Math.floor(Date.now() / 1000);
      const challenge = JSON.stringify({ token: 't', challenge: 'c-123', type: 'url_verification' });
      const answered = await post(source.ingestUrl, sign(challenge, now), challenge);
      assert.equal(answered.status, 200);
      assert.equal(answered.json.challenge, 'c-123');
      const event = JSON.stringify({ type: 'event_callback', event_id: 'Ev1', event: { type: 'app_mention', text: 'hi' } });
      assert.equal((await post(source.ingestUrl, sign(event, now), event)).status, 200);
      await forwardedTo('/slack', epSecret, event);
      assert.equal(receiver.received.filter((r) => r.path === '/slack').length, 1, 'the challenge was not forwarded');
      assert.equal((await post(source.ingestUrl, sign(event, now - 600), event)).status, 401);
      assert.equal((await post(source.ingestUrl, sign(event, now, 'other'), event)).status, 401);
      await t.api.inboundLog.flush();
      const outcomes = ((await t.call('GET', `/ingest/api/v1/source/${source.id}/request`)).json as { data: { outcome: string }[] }).data.map((r) => r.outcome).sort();
      assert.deepEqual(outcomes, ['accepted', 'handshake', 'rejected', 'rejected']);
    });
  });
});
