import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inboundRequest, verifyWith } from '../../test/inbound-request.js';

test('generic-webhook: anything is accepted, and marked unverified', () => {
  const now = new Date('2026-12-01T12:00:00Z');
  for (const body of ['', '<xml/>', '{"type":"a"}']) {
    assert.deepEqual(verifyWith('generic-webhook', {}, inboundRequest(body, { 'content-type': 'text/xml' }), now), { ok: true, eventType: null, dedupKey: null, verified: false });
  }
});
