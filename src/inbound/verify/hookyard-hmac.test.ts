import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

const secret = 'generic-hmac-secret-7c1d';
const body = '<order id="42"><total>19.99</total></order>';
const now = new Date('2026-12-01T12:00:00Z');
const mac = (algorithm: string, encoding: 'hex' | 'base64', payload = body, key = secret) => createHmac(algorithm, key).update(payload).digest(encoding);
const verify = (config: Record<string, unknown>, h: Record<string, string>, payload = body) => verifyWith('hookyard-hmac', { secret, ...config }, inboundRequest(payload, h), now);

test('hookyard-hmac: every algorithm and encoding, bare by default in X-Webhook-Signature', () => {
  for (const algorithm of ['sha256', 'sha512', 'sha1'] as const) {
    for (const encoding of ['hex', 'base64'] as const) {
      const config = { algorithm, encoding };
      assert.equal(reasonOf(verify(config, { 'X-Webhook-Signature': mac(algorithm, encoding) })), 'ok', `${algorithm} ${encoding}`);
      assert.equal(reasonOf(verify(config, { 'X-Webhook-Signature': mac(algorithm, encoding, body + '\n') })), 'signature_invalid', `${algorithm} ${encoding}`);
      // Another algorithm's digest of the same body does not pass.
      const other = algorithm === 'sha256' ? 'sha512' : 'sha256';
      assert.equal(reasonOf(verify(config, { 'X-Webhook-Signature': mac(other, encoding) })), 'signature_invalid');
    }
  }
  assert.equal(reasonOf(verify({}, { 'X-Webhook-Signature': mac('sha256', 'hex').toUpperCase() })), 'ok');
});

test('hookyard-hmac: a configured header and prefix (sha256=<hex> in X-Hub-Signature-256)', () => {
  const config = { headerName: 'X-Hub-Signature-256', prefix: 'sha256=' };
  assert.equal(reasonOf(verify(config, { 'X-Hub-Signature-256': 'sha256=' + mac('sha256', 'hex') })), 'ok');
  assert.equal(reasonOf(verify(config, { 'X-Hub-Signature-256': mac('sha256', 'hex') })), 'signature_invalid');
  assert.equal(reasonOf(verify(config, { 'X-Webhook-Signature': 'sha256=' + mac('sha256', 'hex') })), 'signature_missing');
});

test('hookyard-hmac: wrong secret and missing header refused; event type and dedup headers as configured', () => {
  assert.equal(reasonOf(verify({}, { 'X-Webhook-Signature': mac('sha256', 'hex', body, 'nope') })), 'signature_invalid');
  assert.equal(reasonOf(verify({}, {})), 'signature_missing');
  const v = verify({ eventTypeHeader: 'X-Event', dedupHeader: 'X-Delivery' }, { 'X-Webhook-Signature': mac('sha256', 'hex'), 'X-Event': 'order/paid', 'X-Delivery': 'd-1' });
  assert.deepEqual(v, { ok: true, eventType: 'order.paid', dedupKey: 'd-1', verified: true });
  const json = '{"type":"invoice.created"}';
  assert.deepEqual(verify({}, { 'X-Webhook-Signature': mac('sha256', 'hex', json) }, json), { ok: true, eventType: 'invoice.created', dedupKey: null, verified: true });
});
