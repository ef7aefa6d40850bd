import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

// Slack's published algorithm: 'v0=' + hex HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret.
const secret = '8f742231b10e8888abcd99yyyzzz85a5';
const t = 1_764_590_400;
const now = new Date(t * 1000 + 5_000);
const slackHeaders = (body: string, opts: { ts?: number; key?: string } = {}) => {
  const { ts = t, key = secret } = opts;
  return {
    'X-Slack-Request-Timestamp': String(ts),
    'X-Slack-Signature': 'v0=' + createHmac('sha256', key).update(`v0:${ts}:${body}`).digest('hex'),
  };
};
const verify = (body: string, h: Record<string, string>, at = now) => verifyWith('slack', { secret }, inboundRequest(body, h), at);

const eventBody = JSON.stringify({ type: 'event_callback', event_id: 'Ev0PV52K21', event: { type: 'app_mention', text: 'hi' } });

test('slack: an Events API callback is accepted with the inner event type and the event id', () => {
  assert.deepEqual(verify(eventBody, slackHeaders(eventBody)), { ok: true, eventType: 'app_mention', dedupKey: 'Ev0PV52K21', verified: true });
});

test('slack: url_verification is answered with its challenge, once its signature verifies', () => {
  const body = JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P', type: 'url_verification' });
  const v = verify(body, slackHeaders(body));
  assert.ok(v.ok && v.reply);
  assert.equal(v.reply.status, 200);
  assert.deepEqual(JSON.parse(v.reply.body), { challenge: '3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P' });
  assert.equal(reasonOf(verify(body, slackHeaders(body, { key: 'wrong' }))), 'signature_invalid');
});

test('slack: a form-encoded slash command is verified over its raw bytes; its event type is the command', () => {
  const body = 'token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&command=%2Fdeploy&text=prod+now&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2F1234';
  assert.deepEqual(verify(body, slackHeaders(body)), { ok: true, eventType: 'deploy', dedupKey: null, verified: true });
  const interactive = 'payload=' + encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [] }));
  assert.equal(verify(interactive, slackHeaders(interactive)).ok && (verify(interactive, slackHeaders(interactive)) as { eventType: string }).eventType, 'block_actions');
});

test('slack: 5 minute window, tampered body, wrong secret, missing headers', () => {
  assert.equal(reasonOf(verify(eventBody, slackHeaders(eventBody), new Date((t + 300) * 1000))), 'ok');
  assert.equal(reasonOf(verify(eventBody, slackHeaders(eventBody), new Date((t + 301) * 1000))), 'timestamp_stale');
  assert.equal(reasonOf(verify(eventBody, slackHeaders(eventBody), new Date((t - 301) * 1000))), 'timestamp_stale');
  assert.equal(reasonOf(verify(eventBody.replace('hi', 'ho'), slackHeaders(eventBody))), 'signature_invalid');
  assert.equal(reasonOf(verify(eventBody, slackHeaders(eventBody, { key: 'not-the-secret' }))), 'signature_invalid');
  const { 'X-Slack-Signature': _s, ...noSignature } = slackHeaders(eventBody);
  assert.equal(reasonOf(verify(eventBody, noSignature)), 'signature_missing');
  const { 'X-Slack-Request-Timestamp': _t, ...noTimestamp } = slackHeaders(eventBody);
  assert.equal(reasonOf(verify(eventBody, noTimestamp)), 'timestamp_missing');
  // A fresh timestamp on an old signature: the timestamp is signed.
  assert.equal(reasonOf(verify(eventBody, { ...slackHeaders(eventBody, { ts: t - 3600 }), 'X-Slack-Request-Timestamp': String(t) })), 'signature_invalid');
});
