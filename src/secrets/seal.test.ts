import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { HookyardError } from '../errors.js';
import { createSealer, parseSecretKey } from './seal.js';
import { signingSecretGenerate, signingSecretKey, signingSecretNormalize } from './signing-secret.js';

test('sealing round-trips and hides the plaintext', () => {
  const sealer = createSealer(randomBytes(32));
  const secret = 'whsec_' + randomBytes(24).toString('base64');
  const sealed = sealer.seal(secret, 'ep_1');
  assert.ok(!sealed.includes(Buffer.from(secret)));
  assert.ok(!sealed.includes(Buffer.from(secret.slice(6))));
  assert.equal(sealer.open(sealed, 'ep_1'), secret);
  assert.notDeepEqual(sealer.seal(secret, 'ep_1'), sealed, 'a fresh nonce every time');
});

test('a sealed value opens only with its key and its row', () => {
  const key = randomBytes(32);
  const sealed = createSealer(key).seal('whsec_abc', 'ep_1');
  assert.throws(() => createSealer(key).open(sealed, 'ep_2'), (e: HookyardError) => e.code === 'secret_key' && !e.message.includes('abc'));
  assert.throws(() => createSealer(randomBytes(32)).open(sealed, 'ep_1'), HookyardError);
  const tampered = Buffer.from(sealed);
  tampered[14]! ^= 1;
  assert.throws(() => createSealer(key).open(tampered, 'ep_1'), HookyardError);
});

test('the secret key must be 32 bytes, as base64 or hex, and errors do not echo it', () => {
  const key = randomBytes(32);
  assert.deepEqual(parseSecretKey(key.toString('base64')), key);
  assert.deepEqual(parseSecretKey(key.toString('hex')), key);
  const short = randomBytes(16).toString('base64');
  assert.throws(() => parseSecretKey(short), (e: Error) => !e.message.includes(short));
  assert.throws(() => createSealer(randomBytes(31)), HookyardError);
});

test('signing secrets: generated with 24 random bytes, supplied ones checked and normalised', () => {
  const s = signingSecretGenerate();
  assert.match(s, /^whsec_[A-Za-z0-9+/]{32}$/);
  assert.equal(signingSecretKey(s).length, 24);
  const raw = randomBytes(32).toString('base64');
  assert.equal(signingSecretNormalize(raw), 'whsec_' + raw);
  assert.equal(signingSecretNormalize('whsec_' + raw), 'whsec_' + raw);
  const tooShort = randomBytes(16).toString('base64');
  assert.throws(() => signingSecretNormalize(tooShort), (e: HookyardError) => e.code === 'validation' && !e.message.includes(tooShort));
  assert.throws(() => signingSecretNormalize('whsec_not base64!'), HookyardError);
  assert.throws(() => signingSecretNormalize(randomBytes(65).toString('base64')), HookyardError);
});
