import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Webhook } from 'standardwebhooks';
import type { Claimed } from './model.js';
import { redactHeaders, requestHeaders } from './attempt.js';

const SECRET = 'whsec_' + Buffer.alloc(24, 3).toString('base64');

function claimed(headers: Record<string, string>): Claimed {
  return {
    id: 1, messageId: 'msg_1', endpointId: 'ep_1', attemptCount: 1, trigger: 'scheduled', oneShot: false,
    payload: '{"a":1}', url: 'http://127.0.0.1:9/', headers, endpointDisabled: false, sealedSecrets: [],
  };
}

test('custom headers pass, reserved ones are dropped even if a stored row has them, and ours win', () => {
  const headers = requestHeaders(
    claimed({ 'X-Tenant': 't1', Host: 'evil.test', 'Webhook-Signature': 'v1,forged', 'svix-id': 'x', 'Content-Length': '1' }),
    [SECRET],
    Math.floor(Date.now() / 1000),
  )!;
  assert.equal(headers['x-tenant'], 't1');
  assert.equal(headers.host, undefined);
  assert.equal(headers['svix-id'], undefined);
  assert.equal(headers['content-length'], undefined);
  assert.equal(headers['content-type'], 'application/json');
  assert.notEqual(headers['webhook-signature'], 'v1,forged');
  // The signature that replaced the forged one is the real thing.
  assert.deepEqual(new Webhook(SECRET).verify('{"a":1}', headers), { a: 1 });
});

test('stored request headers hide values whose names look like credentials', () => {
  assert.deepEqual(redactHeaders({ Authorization: 'Bearer x', 'X-Api-Key': 'k', 'X-Tenant': 't' }), { Authorization: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Tenant': 't' });
});
