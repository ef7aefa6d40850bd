import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createSealer, type Sealer } from '../secrets/seal.js';
import type { Claimed } from './model.js';
import { SecretCache } from './secret-cache.js';

const claimed = (endpointId: string, sealedSecrets: string[]): Claimed => ({
  id: 1, messageId: 'msg_1', endpointId, attemptCount: 1, trigger: 'scheduled', oneShot: false,
  payload: '{}', url: 'http://127.0.0.1:9/', headers: {}, endpointDisabled: false, sealedSecrets,
});

/** The real sealer, counting how often it opens. */
function counting(sealer: Sealer) {
  let opens = 0;
  return { sealer: { seal: sealer.seal, open: (s: Buffer, c: string) => (opens++, sealer.open(s, c)) }, opens: () => opens };
}

test('each sealed secret is opened once; rows of one claim share the result', () => {
  const real = createSealer(Buffer.alloc(32, 1));
  const sealed = [real.seal('whsec_new', 'ep_a').toString('hex'), real.seal('whsec_old', 'ep_a').toString('hex')];
  const { sealer, opens } = counting(real);
  const cache = new SecretCache(sealer);
  const claim = sealed; // one array per endpoint per claim
  assert.deepEqual(cache.open(claimed('ep_a', claim)), { ok: true, secrets: ['whsec_new', 'whsec_old'] });
  cache.open(claimed('ep_a', claim));
  assert.equal(opens(), 2);
  cache.open(claimed('ep_a', [...sealed])); // the next claim: a new array, same sealed values
  assert.equal(opens(), 2, 'opened by sealed value, not again');
});

test('a secret sealed under another key fails with the endpoint named, never the secret or the key', () => {
  const other = createSealer(Buffer.alloc(32, 2));
  const sealed = other.seal('whsec_topsecret', 'ep_b').toString('hex');
  const cache = new SecretCache(createSealer(Buffer.alloc(32, 1)));
  const result = cache.open(claimed('ep_b', [sealed]));
  assert.equal(result.ok, false);
  assert.ok(!result.ok && /ep_b/.test(result.reason) && /secret key/.test(result.reason), !result.ok ? result.reason : '');
  assert.ok(!result.ok && !result.reason.includes('topsecret') && !result.reason.includes(sealed.slice(0, 16)));
  assert.deepEqual(cache.open(claimed('ep_c', [])), { ok: false, reason: 'ep_c has no active signing secret' });
});
