import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import Stripe from 'stripe';
import { inboundFixture } from '../test/inbound.js';
import { describeEachStorage } from '../test/storages.js';

/**
 * Each source type end to end over HTTP, signed by an independent signer (the provider's own
 * library where there is one, else its published algorithm with node's crypto): accepted when
 * right, forwarded and verifiable at the receiver; refused with the right status and a log row
 * when tampered, stale, signed with another secret, or unsigned.
 */
describeEachStorage('source types over HTTP', (env) => {
  describe('with a worker and a loopback receiver', () => {
    const fixture = inboundFixture(env);
    const sourceWith = (type: string, config: Record<string, unknown>, path: string) => fixture().sourceWith({ name: type, type, config }, path);
    const post = (url: string, headers: Record<string, string>, body: string) => fixture().send(url, headers, body) as Promise<{ status: number; json: { status?: string; code?: string; challenge?: string } }>;
    const reasons = async (sourceId: string) => (await fixture().rejections(sourceId)).map(([, reason]) => reason).sort();
    const forwardedTo = (path: string, secret: string, body: string) => fixture().forwardedTo(path, secret, body);

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
      assert.equal(fixture().receiver.received.filter((r) => r.path === '/slack').length, 1, 'the challenge was not forwarded');
      assert.equal((await post(source.ingestUrl, sign(event, now - 600), event)).status, 401);
      assert.equal((await post(source.ingestUrl, sign(event, now, 'other'), event)).status, 401);
      const outcomes = (await fixture().logOf(source.id)).map((r) => r.outcome).sort();
      assert.deepEqual(outcomes, ['accepted', 'handshake', 'rejected', 'rejected']);
    });
  });
});
