import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

// Shopify's published algorithm: base64 HMAC-SHA256 of the raw body with the app's client secret.
const secret = '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';
const body = '{"id":820982911946154508,"email":"jon@example.com","total_price":"19.99"}';
const shopifySign = (payload: string, key = secret) => createHmac('sha256', key).update(payload, 'utf8').digest('base64');
const now = new Date('2026-12-01T12:00:00Z');
const headers = (payload = body, key = secret) => ({
  'X-Shopify-Hmac-Sha256': shopifySign(payload, key),
  'X-Shopify-Topic': 'orders/create',
  'X-Shopify-Webhook-Id': 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043',
});
const verify = (h: Record<string, string>, payload = body, key = secret) => verifyWith('shopify', { secret: key }, inboundRequest(payload, h), now);

test('shopify: accepted when right; the topic becomes a Hookyard event type, dedup on the webhook id', () => {
  assert.deepEqual(verify(headers()), { ok: true, eventType: 'orders.create', dedupKey: 'b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', verified: true });
});

test('shopify: tampered body, wrong secret, missing or garbled header are refused', () => {
  assert.equal(reasonOf(verify(headers(), body.replace('19.99', '0.01'))), 'signature_invalid');
  assert.equal(reasonOf(verify(headers(), body, 'another')), 'signature_invalid');
  const { 'X-Shopify-Hmac-Sha256': _gone, ...unsigned } = headers();
  assert.equal(reasonOf(verify(unsigned)), 'signature_missing');
  const hex = createHmac('sha256', secret).update(body).digest('hex');
  assert.equal(reasonOf(verify({ ...headers(), 'X-Shopify-Hmac-Sha256': hex })), 'signature_invalid');
  assert.equal(reasonOf(verify({ ...headers(), 'X-Shopify-Hmac-Sha256': '!!!' })), 'signature_invalid');
});
