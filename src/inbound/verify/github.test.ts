import { sign } from '@octokit/webhooks-methods';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

const secret = 'It’s a Secret to Everybody';
const body = '{"ref":"refs/heads/main","head_commit":{"author":{"name":"Ada"}}}';
const now = new Date('2026-12-01T12:00:00Z');
const headers = async (payload = body, key = secret) => ({
  'X-Hub-Signature-256': await sign(key, payload),
  'X-GitHub-Event': 'push',
  'X-GitHub-Delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958',
});

test('github: a body signed by @octokit/webhooks-methods is accepted with its event and delivery id', async () => {
  const v = verifyWith('github', { secret }, inboundRequest(body, await headers()), now);
  assert.deepEqual(v, { ok: true, eventType: 'push', dedupKey: '72d3162e-cc78-11e3-81ab-4c9367dc0958', verified: true });
});

test('github: the ping GitHub sends at hook creation is accepted', async () => {
  const ping = '{"zen":"Keep it logically awesome.","hook_id":1}';
  const v = verifyWith('github', { secret }, inboundRequest(ping, { ...(await headers(ping)), 'X-GitHub-Event': 'ping' }), now);
  assert.equal(v.ok && v.eventType, 'ping');
});

test('github: tampered body, wrong secret, missing or garbled header are refused', async () => {
  const h = await headers();
  assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(body.replace('main', 'evil'), h), now)), 'signature_invalid');
  assert.equal(reasonOf(verifyWith('github', { secret: 'another secret' }, inboundRequest(body, h), now)), 'signature_invalid');
  const { 'X-Hub-Signature-256': _gone, ...unsigned } = h;
  assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(body, unsigned), now)), 'signature_missing');
  for (const empty of ['', '  ']) {
    assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(body, { ...h, 'X-Hub-Signature-256': empty }), now)), 'signature_missing', `an empty header (${JSON.stringify(empty)}) is a missing one`);
  }
  const sig = h['X-Hub-Signature-256'];
  for (const bad of [sig.slice('sha256='.length), 'sha1=' + sig.slice(7), sig + 'zz', sig.slice(0, -2), 'sha256=']) {
    assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(body, { ...h, 'X-Hub-Signature-256': bad }), now)), 'signature_invalid', bad);
  }
});

test('github: verification runs over the raw bytes, not a re-encoding of them', async () => {
  // Invalid UTF-8 would change if the body were decoded and re-encoded before hashing.
  const raw = new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]);
  const { createHmac } = await import('node:crypto');
  const signature = 'sha256=' + createHmac('sha256', secret).update(raw).digest('hex');
  assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(raw, { 'X-Hub-Signature-256': signature }), now)), 'ok');
  assert.equal(reasonOf(verifyWith('github', { secret }, inboundRequest(Buffer.from(Buffer.from(raw).toString('utf8')), { 'X-Hub-Signature-256': signature }), now)), 'signature_invalid');
});

test('github: without a secret (Svix allows none), requests are accepted and marked unverified', () => {
  for (const config of [{}, { secret: null }]) {
    const v = verifyWith('github', config, inboundRequest(body, { 'X-GitHub-Event': 'push' }), now);
    assert.deepEqual(v, { ok: true, eventType: 'push', dedupKey: null, verified: false });
  }
});
