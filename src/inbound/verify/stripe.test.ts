import assert from 'node:assert/strict';
import { test } from 'node:test';
import Stripe from 'stripe';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

const secret = 'whsec_test_5f2b0c9a1e7d4c3b8a6f0e1d2c3b4a59';
const body = JSON.stringify({ id: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', object: 'event', type: 'invoice.paid', data: { object: {} } }, null, 2);
const t = 1_764_590_400; // 2025-12-01T12:00:00Z
const now = new Date(t * 1000 + 30_000);
const header = (opts: { payload?: string; secret?: string; timestamp?: number } = {}) =>
  Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: t, ...opts });
const verify = (h: Record<string, string>, payload = body, s = secret, at = now) => verifyWith('stripe', { secret: s }, inboundRequest(payload, h), at);

test('stripe: a header from stripe.webhooks.generateTestHeaderString is accepted; type and id come from the body', () => {
  assert.deepEqual(verify({ 'Stripe-Signature': header() }), { ok: true, eventType: 'invoice.paid', dedupKey: 'evt_1NG8Du2eZvKYlo2CUI79vXWy', verified: true });
});

test('stripe: any of several v1 signatures may match (a secret being rolled)', () => {
  const old = header({ secret: 'whsec_rolled_out_one' });
  const v1 = header().split(',').find((p) => p.startsWith('v1='))!;
  assert.equal(reasonOf(verify({ 'Stripe-Signature': `${old},${v1}` })), 'ok');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': `${old},v1=00ff` })), 'signature_invalid');
});

test('stripe: 300 s tolerance either side of now', () => {
  assert.equal(reasonOf(verify({ 'Stripe-Signature': header() }, body, secret, new Date((t + 300) * 1000))), 'ok');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': header() }, body, secret, new Date((t + 301) * 1000))), 'timestamp_stale');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': header() }, body, secret, new Date((t - 301) * 1000))), 'timestamp_stale');
});

test('stripe: tampered body, wrong secret, missing header, missing t or v1 are refused', () => {
  assert.equal(reasonOf(verify({ 'Stripe-Signature': header() }, body.replace('paid', 'void'))), 'signature_invalid');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': header() }, body, 'whsec_wrong')), 'signature_invalid');
  assert.equal(reasonOf(verify({})), 'signature_missing');
  const v1 = header().split(',').find((p) => p.startsWith('v1='))!;
  assert.equal(reasonOf(verify({ 'Stripe-Signature': v1 })), 'timestamp_missing');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': `t=${t}` })), 'signature_missing');
  assert.equal(reasonOf(verify({ 'Stripe-Signature': `t=soon,${v1}` })), 'malformed');
  // The timestamp is signed: moving it to look fresh breaks the signature.
  assert.equal(reasonOf(verify({ 'Stripe-Signature': `t=${t + 1},${v1}` })), 'signature_invalid');
});
