import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { signingSecretGenerate } from '../secrets/signing-secret.js';
import { sign, verify } from './sign.js';

const input = { id: 'msg_2abc', timestamp: 1_700_000_000, body: '{"type":"invoice.paid","amount":4200}' };

test('a signature verifies with the standardwebhooks package, alone and next to a rotated-out one', () => {
  const current = signingSecretGenerate();
  const old = signingSecretGenerate();
  const header = sign([current, old], input);
  assert.match(header, /^v1,[A-Za-z0-9+/=]+ v1,[A-Za-z0-9+/=]+$/);
  const headers = { 'webhook-id': input.id, 'webhook-timestamp': String(input.timestamp), 'webhook-signature': header };
  for (const secret of [current, old]) {
    // The package checks the timestamp against its own clock, so sign "now" for it.
    const now = Math.floor(Date.now() / 1000);
    const fresh = { ...input, timestamp: now };
    new Webhook(secret).verify(fresh.body, { ...headers, 'webhook-timestamp': String(now), 'webhook-signature': sign([current, old], fresh) });
  }
  assert.throws(() => new Webhook(signingSecretGenerate()).verify(input.body, headers));
});

test('verify: accepts any listed secret, refuses tampering, stale timestamps and junk', () => {
  const a = signingSecretGenerate();
  const b = signingSecretGenerate();
  const header = sign([a], input);
  const nowSeconds = input.timestamp + 10;
  assert.deepEqual(verify([b, a], input, header, { nowSeconds }), { ok: true });
  assert.deepEqual(verify([b], input, header, { nowSeconds }), { ok: false, reason: 'signature' });
  assert.deepEqual(verify([a], { ...input, body: input.body + ' ' }, header, { nowSeconds }), { ok: false, reason: 'signature' });
  assert.deepEqual(verify([a], input, header, { nowSeconds: input.timestamp + 301 }), { ok: false, reason: 'timestamp' });
  assert.deepEqual(verify([a], input, 'v2,abc', { nowSeconds }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verify([a], input, `v1,short ${header}`, { nowSeconds }), { ok: true });
});
