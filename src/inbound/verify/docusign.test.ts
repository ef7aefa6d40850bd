import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { inboundRequest, reasonOf, verifyWith } from '../../test/inbound-request.js';

// DocuSign's published algorithm: base64 HMAC-SHA256 of the raw body, keyed with the HMAC key's text as shown.
const secret = 'm0Z0Y2Q4NjMtYjM0Zi00ZGE0LWJjNTgtZjQ2YzQ0NGQ0OTI3=';
const body = JSON.stringify({ event: 'envelope-completed', apiVersion: 'v2.1', data: { envelopeId: 'b6a2d1f0-0c3e-4d0a-9d58-5c1f7e8a2b3c' } });
const sign = (payload = body, key = secret) => createHmac('sha256', key).update(payload).digest('base64');
const now = new Date('2026-12-01T12:00:00Z');
const verify = (h: Record<string, string>, payload = body, config: Record<string, unknown> = { secret }) => verifyWith('docusign', config, inboundRequest(payload, h), now);

test('docusign: any numbered signature may match; the event type is the body’s event', () => {
  assert.deepEqual(verify({ 'X-DocuSign-Signature-1': sign() }), { ok: true, eventType: 'envelope-completed', dedupKey: null, verified: true });
  assert.equal(reasonOf(verify({ 'X-DocuSign-Signature-1': sign(body, 'another key'), 'X-DocuSign-Signature-2': sign() })), 'ok');
});

test('docusign: tampered body, wrong key, missing header refused; no secret means unverified', () => {
  assert.equal(reasonOf(verify({ 'X-DocuSign-Signature-1': sign() }, body.replace('completed', 'voided'))), 'signature_invalid');
  assert.equal(reasonOf(verify({ 'X-DocuSign-Signature-1': sign(body, 'wrong') })), 'signature_invalid');
  assert.equal(reasonOf(verify({ 'X-DocuSign-Signature-1': 'not base64!' })), 'signature_invalid');
  assert.equal(reasonOf(verify({})), 'signature_missing');
  assert.deepEqual(verify({}, body, {}), { ok: true, eventType: 'envelope-completed', dedupKey: null, verified: false });
});
