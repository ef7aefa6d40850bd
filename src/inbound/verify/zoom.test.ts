import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

// Zoom's published algorithm: 'v0=' + hex HMAC-SHA256 of `v0:{x-zm-request-timestamp}:{body}` with the secret token.
const secret = 'zoom-secret-token-Qx8Jb1bQ0B2lRg';
const t = 1_764_590_400;
const now = new Date(t * 1000);
const zoomHeaders = (body: string, opts: { ts?: number; key?: string } = {}) => {
  const { ts = t, key = secret } = opts;
  return { 'x-zm-request-timestamp': String(ts), 'x-zm-signature': 'v0=' + createHmac('sha256', key).update(`v0:${ts}:${body}`).digest('hex') };
};
const verify = (body: string, h: Record<string, string>, at = now) => verifyWith('zoom', { secret }, inboundRequest(body, h), at);
const eventBody = JSON.stringify({ event: 'meeting.started', event_ts: 1764590400000, payload: { object: { id: '123' } } });

test('zoom: a signed event is accepted with its event type', () => {
  assert.deepEqual(verify(eventBody, zoomHeaders(eventBody)), { ok: true, eventType: 'meeting.started', dedupKey: null, verified: true });
});

test('zoom: endpoint.url_validation is answered with plainToken and its HMAC, only when signed', () => {
  const body = JSON.stringify({ payload: { plainToken: 'qgg8vlvZRS6UYooatFL8Aw' }, event_ts: 1654503849680, event: 'endpoint.url_validation' });
  const v = verify(body, zoomHeaders(body));
  assert.ok(v.ok && v.reply);
  assert.equal(v.reply.contentType, 'application/json');
  assert.deepEqual(JSON.parse(v.reply.body), {
    plainToken: 'qgg8vlvZRS6UYooatFL8Aw',
    encryptedToken: createHmac('sha256', secret).update('qgg8vlvZRS6UYooatFL8Aw').digest('hex'),
  });
  // Unsigned, it would be an HMAC oracle: refused.
  assert.equal(reasonOf(verify(body, {})), 'signature_missing');
  assert.equal(reasonOf(verify(body, zoomHeaders(body, { key: 'guess' }))), 'signature_invalid');
});

test('zoom: stale timestamp, tampered body, wrong secret, missing headers', () => {
  assert.equal(reasonOf(verify(eventBody, zoomHeaders(eventBody), new Date((t + 301) * 1000))), 'timestamp_stale');
  assert.equal(reasonOf(verify(eventBody.replace('123', '124'), zoomHeaders(eventBody))), 'signature_invalid');
  assert.equal(reasonOf(verify(eventBody, zoomHeaders(eventBody, { key: 'other' }))), 'signature_invalid');
  assert.equal(reasonOf(verify(eventBody, { 'x-zm-signature': zoomHeaders(eventBody)['x-zm-signature'] })), 'timestamp_missing');
  assert.equal(reasonOf(verify(eventBody, { 'x-zm-request-timestamp': String(t) })), 'signature_missing');
});
