import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';
import { sourceTypes } from './index.js';
import { STANDARD_WEBHOOKS_TYPES } from './svix.js';

const secret = 'whsec_' + randomBytes(24).toString('base64');
const body = '{"type":"user.created","data":{"id":"user_29w83sxmDNGwOuEthce5gg56FcC"}}';
const now = new Date('2026-12-01T12:00:00Z');
const id = 'msg_2mK9eXy5nUqRgPbfm5UlGpSFvqv';
const headers = (opts: { at?: Date; key?: string; payload?: string; names?: 'webhook' | 'svix' } = {}) => {
  const { at = now, key = secret, payload = body, names = 'webhook' } = opts;
  return {
    [`${names}-id`]: id,
    [`${names}-timestamp`]: String(Math.floor(at.getTime() / 1000)),
    [`${names}-signature`]: new Webhook(key).sign(id, at, payload),
  };
};
const verify = (type: string, h: Record<string, string>, payload = body, s = secret) => verifyWith(type, { secret: s }, inboundRequest(payload, h), now);

test('svix: a standardwebhooks signature is accepted, under webhook-* and svix-* names; type from the body, dedup on the id', () => {
  for (const names of ['webhook', 'svix'] as const) {
    assert.deepEqual(verify('svix', headers({ names })), { ok: true, eventType: 'user.created', dedupKey: id, verified: true });
  }
});

test('svix: the secret works with or without whsec_, and several signatures are accepted', () => {
  assert.equal(reasonOf(verify('svix', headers(), body, secret.slice('whsec_'.length))), 'ok');
  const other = new Webhook('whsec_' + randomBytes(24).toString('base64')).sign(id, now, body);
  const h = headers();
  assert.equal(reasonOf(verify('svix', { ...h, 'webhook-signature': `v1a,aW52YWxpZA== ${other} ${h['webhook-signature']}` })), 'ok');
  assert.equal(reasonOf(verify('svix', { ...h, 'webhook-signature': other })), 'signature_invalid');
});

test('svix: ±5 minutes', () => {
  assert.equal(reasonOf(verify('svix', headers({ at: new Date(now.getTime() - 300_000) }))), 'ok');
  assert.equal(reasonOf(verify('svix', headers({ at: new Date(now.getTime() - 301_000) }))), 'timestamp_stale');
  assert.equal(reasonOf(verify('svix', headers({ at: new Date(now.getTime() + 301_000) }))), 'timestamp_stale');
});

test('svix: tampered body, wrong secret, missing headers, a changed id are refused', () => {
  const h = headers();
  assert.equal(reasonOf(verify('svix', h, body.replace('created', 'deleted'))), 'signature_invalid');
  assert.equal(reasonOf(verify('svix', h, body, 'whsec_' + randomBytes(24).toString('base64'))), 'signature_invalid');
  assert.equal(reasonOf(verify('svix', { ...h, 'webhook-id': 'msg_other' })), 'signature_invalid');
  const { 'webhook-signature': _s, ...noSignature } = h;
  assert.equal(reasonOf(verify('svix', noSignature)), 'signature_missing');
  const { 'webhook-timestamp': _t, ...noTimestamp } = h;
  assert.equal(reasonOf(verify('svix', noTimestamp)), 'timestamp_missing');
  const { 'webhook-id': _i, ...noId } = h;
  assert.equal(reasonOf(verify('svix', noId)), 'malformed');
  assert.equal(reasonOf(verify('svix', { ...h, 'webhook-signature': 'v2,abc' })), 'signature_invalid');
});

test('svix: every Standard Webhooks type of the svix SDK is registered with the same verifier', () => {
  assert.ok(STANDARD_WEBHOOKS_TYPES.includes('clerk') && STANDARD_WEBHOOKS_TYPES.includes('resend'));
  for (const type of STANDARD_WEBHOOKS_TYPES) {
    assert.equal(sourceTypes[type]?.type, type);
    assert.equal(reasonOf(verify(type, headers())), 'ok', type);
    assert.equal(reasonOf(verify(type, headers(), body + ' ')), 'signature_invalid', type);
  }
});
