import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

const token = 'tok_3a9f1c7e5b2d8a4c6e0f';
const now = new Date('2026-12-01T12:00:00Z');
const verify = (config: Record<string, unknown>, h: Record<string, string>) => verifyWith('hookyard-header-token', { token, ...config }, inboundRequest('a=1', h), now);

test('hookyard-header-token: X-Webhook-Token by default; a Bearer prefix in Authorization when configured', () => {
  assert.deepEqual(verify({}, { 'X-Webhook-Token': token }), { ok: true, eventType: null, dedupKey: null, verified: true });
  assert.equal(reasonOf(verify({}, { 'X-Webhook-Token': token + 'x' })), 'credentials_invalid');
  assert.equal(reasonOf(verify({}, { 'X-Webhook-Token': token.slice(0, -1) })), 'credentials_invalid');
  assert.equal(reasonOf(verify({}, {})), 'credentials_invalid');
  const bearer = { headerName: 'Authorization', prefix: 'Bearer ' };
  assert.equal(reasonOf(verify(bearer, { Authorization: `Bearer ${token}` })), 'ok');
  assert.equal(reasonOf(verify(bearer, { Authorization: token })), 'credentials_invalid');
  assert.equal(reasonOf(verify(bearer, { 'X-Webhook-Token': token })), 'credentials_invalid');
});
