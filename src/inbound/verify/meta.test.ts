import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

// Meta's published algorithm: 'sha256=' + hex HMAC-SHA256 of the raw body with the app secret.
const config = { secret: 'a9c3f7e1b5d2a8c4e6f0b2d4a6c8e0f2', verifyToken: 'my-verify-token-5b1e' };
const now = new Date('2026-12-01T12:00:00Z');
const body = '{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{}}]}]}';
const sig = (payload: string, key = config.secret) => 'sha256=' + createHmac('sha256', key).update(payload).digest('hex');
const handshake = (query: Record<string, string>) => verifyWith('meta', config, inboundRequest('', {}, { method: 'GET', query }), now);

test('meta: the subscribe handshake answers hub.challenge when the verify token matches', () => {
  const v = handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': config.verifyToken, 'hub.challenge': '1158201444' });
  assert.deepEqual(v, { ok: true, eventType: null, dedupKey: null, verified: true, reply: { status: 200, contentType: 'text/plain; charset=utf-8', body: '1158201444' } });
  assert.equal(reasonOf(handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1' })), 'credentials_invalid');
  assert.equal(reasonOf(handshake({ 'hub.mode': 'subscribe', 'hub.challenge': '1' })), 'credentials_invalid');
  assert.equal(reasonOf(handshake({ 'hub.mode': 'unsubscribe', 'hub.verify_token': config.verifyToken, 'hub.challenge': '1' })), 'malformed');
  assert.equal(reasonOf(handshake({})), 'malformed');
});

test('meta: signed POSTs are accepted with the object as event type; tampered, wrong secret, unsigned refused', () => {
  const post = (payload: string, h: Record<string, string>) => verifyWith('meta', config, inboundRequest(payload, h), now);
  assert.deepEqual(post(body, { 'X-Hub-Signature-256': sig(body) }), { ok: true, eventType: 'whatsapp_business_account', dedupKey: null, verified: true });
  assert.equal(reasonOf(post(body + ' ', { 'X-Hub-Signature-256': sig(body) })), 'signature_invalid');
  assert.equal(reasonOf(post(body, { 'X-Hub-Signature-256': sig(body, 'wrong') })), 'signature_invalid');
  // The verify token is not the signing key.
  assert.equal(reasonOf(post(body, { 'X-Hub-Signature-256': sig(body, config.verifyToken) })), 'signature_invalid');
  assert.equal(reasonOf(post(body, {})), 'signature_missing');
});
