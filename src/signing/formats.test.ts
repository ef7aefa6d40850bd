import assert from 'node:assert/strict';
import { createHmac, createPublicKey, verify as cryptoVerify } from 'node:crypto';
import { test } from 'node:test';
import { verify as octokitVerify } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { signingSecretGenerate } from '../secrets/signing-secret.js';
import { ED25519_PUBLIC_PREFIX, ed25519PublicKey, ed25519SecretGenerate, ed25519SecretNormalize } from './ed25519.js';
import { DEFAULT_HEADER_NAMES, signatureHeaders, SVIX_HEADER_NAMES, type SignedContent } from './format.js';
import { githubSignature } from './github.js';
import { plainSignature } from './plain.js';
import { stripeSignature } from './stripe.js';

const body = '{"type":"invoice.paid","data":{"amount":12.50,"note":"caf\u00e9 \u2603"}}';
const content = (timestamp: number): SignedContent => ({ id: 'msg_2abc', timestamp, body, eventType: 'invoice.paid' });
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** An ed25519 whpk_ key as a node KeyObject: the receiver's side, built only from the public key. */
function receiverKey(whpk: string) {
  const x = Buffer.from(whpk.slice(ED25519_PUBLIC_PREFIX.length), 'base64');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: x.toString('base64url') }, format: 'jwk' });
}

test('github: X-Hub-Signature-256 verifies with @octokit/webhooks-methods, with the secret as GET …/secret shows it', async () => {
  const secret = signingSecretGenerate();
  const signature = githubSignature([secret, signingSecretGenerate()], body)!;
  assert.match(signature, /^sha256=[0-9a-f]{64}$/);
  assert.equal(await octokitVerify(secret, body, signature), true);
  assert.equal(await octokitVerify(signingSecretGenerate(), body, signature), false);
  assert.equal(await octokitVerify(secret, body + ' ', signature), false);
});

test('stripe: Stripe-Signature passes stripe.webhooks.constructEvent, and both secrets verify during a grace window', () => {
  const current = signingSecretGenerate();
  const old = signingSecretGenerate();
  const t = nowSeconds();
  const header = stripeSignature([current, old], { timestamp: t, body })!;
  assert.match(header, /^t=\d+,v1=[0-9a-f]{64},v1=[0-9a-f]{64}$/);
  for (const secret of [current, old]) {
    const event = Stripe.webhooks.constructEvent(body, header, secret);
    assert.equal((event as unknown as { type: string }).type, 'invoice.paid');
  }
  assert.throws(() => Stripe.webhooks.constructEvent(body, header, signingSecretGenerate()));
  // A timestamp outside Stripe's tolerance (300 s) is refused by the receiver.
  const stale = stripeSignature([current], { timestamp: t - 600, body })!;
  assert.throws(() => Stripe.webhooks.constructEvent(body, stale, current));
});

test('plain: X-Signature is the hex HMAC-SHA256 of the body under the secret', () => {
  const secret = signingSecretGenerate();
  const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(body, 'utf8')).digest('hex');
  assert.equal(plainSignature([secret], body), expected);
  assert.notEqual(plainSignature([signingSecretGenerate()], body), expected);
});

test('ed25519: v1a verifies with node crypto.verify over {id}.{timestamp}.{body} using only the whpk_ key', () => {
  const key = ed25519SecretGenerate();
  assert.match(key, /^whsk_[A-Za-z0-9+/]{86}==$/);
  const whpk = ed25519PublicKey(key);
  assert.match(whpk, /^whpk_[A-Za-z0-9+/]{43}=$/);
  const c = content(nowSeconds());
  const headers = signatureHeaders('standard', DEFAULT_HEADER_NAMES.standard, [key], c)!;
  const [scheme, b64] = headers['webhook-signature']!.split(',');
  assert.equal(scheme, 'v1a');
  const signed = Buffer.from(`${c.id}.${c.timestamp}.${c.body}`);
  assert.equal(cryptoVerify(null, signed, receiverKey(whpk), Buffer.from(b64!, 'base64')), true);
  assert.equal(cryptoVerify(null, Buffer.from(`${c.id}.${c.timestamp + 1}.${c.body}`), receiverKey(whpk), Buffer.from(b64!, 'base64')), false);
  assert.equal(cryptoVerify(null, signed, receiverKey(ed25519PublicKey(ed25519SecretGenerate())), Buffer.from(b64!, 'base64')), false);
});

test('ed25519 keys: a caller\'s whsk_ is checked (length, public half) without echoing it', () => {
  const key = ed25519SecretGenerate();
  assert.equal(ed25519SecretNormalize(key), key);
  const bytes = Buffer.from(key.slice(5), 'base64');
  const mismatched = 'whsk_' + Buffer.concat([bytes.subarray(0, 32), Buffer.alloc(32, 1)]).toString('base64');
  const short = 'whsk_' + bytes.subarray(0, 32).toString('base64');
  for (const bad of [mismatched, short, 'whsk_not base64!']) {
    assert.throws(() => ed25519SecretNormalize(bad), (e: Error) => !e.message.includes(bad.slice(5, 20)));
  }
});

test('standard during a switch from HMAC to ed25519: v1 verifies with standardwebhooks, v1a with the public key, in one header', () => {
  const next = ed25519SecretGenerate();
  const old = signingSecretGenerate();
  const c = content(nowSeconds());
  const headers = signatureHeaders('standard', DEFAULT_HEADER_NAMES.standard, [next, old], c)!;
  assert.match(headers['webhook-signature']!, /^v1a,\S+ v1,\S+$/);
  assert.deepEqual(new Webhook(old).verify(body, headers), JSON.parse(body));
  const v1a = headers['webhook-signature']!.split(' ')[0]!.slice(4);
  assert.equal(cryptoVerify(null, Buffer.from(`${c.id}.${c.timestamp}.${body}`), receiverKey(ed25519PublicKey(next)), Buffer.from(v1a, 'base64')), true);
});

test('header names: svix-* for the standard format verify with standardwebhooks after renaming; an event header carries the type', () => {
  const secret = signingSecretGenerate();
  const c = content(nowSeconds());
  const headers = signatureHeaders('standard', { ...DEFAULT_HEADER_NAMES.standard, ...SVIX_HEADER_NAMES, event: 'x-event-type' }, [secret], c)!;
  assert.deepEqual(Object.keys(headers).sort(), ['svix-id', 'svix-signature', 'svix-timestamp', 'x-event-type']);
  assert.equal(headers['x-event-type'], 'invoice.paid');
  const renamed = { 'webhook-id': headers['svix-id']!, 'webhook-timestamp': headers['svix-timestamp']!, 'webhook-signature': headers['svix-signature']! };
  assert.deepEqual(new Webhook(secret).verify(body, renamed), JSON.parse(body));
});

test('an HMAC format with only an ed25519 key cannot sign: null, never an unsigned request', () => {
  const key = ed25519SecretGenerate();
  for (const format of ['github', 'stripe', 'plain'] as const) {
    assert.equal(signatureHeaders(format, DEFAULT_HEADER_NAMES[format], [key], content(1_700_000_000)), null);
  }
  // A leftover ed25519 key in its grace window is skipped; the HMAC secret signs.
  const secret = signingSecretGenerate();
  const headers = signatureHeaders('github', DEFAULT_HEADER_NAMES.github, [secret, key], content(1_700_000_000))!;
  assert.equal(headers['x-github-event'], 'invoice.paid');
  assert.equal(headers['x-github-delivery'], 'msg_2abc');
  assert.equal(headers['x-hub-signature-256'], githubSignature([secret], body));
});
