import { createPrivateKey, createPublicKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { validationError } from '../errors.js';

/**
 * Standard Webhooks' asymmetric scheme (`v1a`), as Svix serialises it: the
 * signing key is `whsk_` + base64 of the 64-byte ed25519 secret key (32-byte
 * seed, then the 32-byte public key), the verifying key `whpk_` + base64 of
 * the public key, and the signature is ed25519 over `{id}.{timestamp}.{body}`,
 * sent as `v1a,<base64>` in webhook-signature beside any `v1,` entries.
 */
export const ED25519_SECRET_PREFIX = 'whsk_';
export const ED25519_PUBLIC_PREFIX = 'whpk_';

// An ed25519 PKCS#8 DER is this fixed header and the 32-byte seed (RFC 8410).
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex');

function keysOfSeed(seed: Buffer): { privateKey: KeyObject; publicKey: Buffer } {
  const privateKey = createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, seed]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(privateKey).export({ format: 'jwk' });
  return { privateKey, publicKey: Buffer.from(jwk.x!, 'base64url') };
}

/** A new signing key from 32 random bytes (the caller's randomness; crypto.randomBytes by default). */
export function ed25519SecretGenerate(random: (n: number) => Buffer = randomBytes): string {
  const seed = random(32);
  return ED25519_SECRET_PREFIX + Buffer.concat([seed, keysOfSeed(seed).publicKey]).toString('base64');
}

/**
 * Checks a caller's `whsk_` key: base64 of 64 bytes whose second half is the
 * public key of the first (Svix checks the pair by signing a test message).
 * The key never goes into the message.
 */
export function ed25519SecretNormalize(input: string, loc: (string | number)[] = ['body', 'secret']): string {
  const body = input.slice(ED25519_SECRET_PREFIX.length);
  const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(body) && body.length % 4 === 0 ? Buffer.from(body, 'base64') : Buffer.alloc(0);
  if (bytes.length !== 64) throw validationError('an ed25519 key must be whsk_ followed by base64 of 64 bytes (seed and public key)', loc);
  if (!keysOfSeed(bytes.subarray(0, 32)).publicKey.equals(bytes.subarray(32))) {
    throw validationError('the ed25519 key\'s public half does not match its seed', loc);
  }
  return ED25519_SECRET_PREFIX + body;
}

/** The verifying key (`whpk_…`) of a signing key: what `GET …/secret` answers for an ed25519 endpoint, as Svix does. */
export function ed25519PublicKey(secret: string): string {
  return ED25519_PUBLIC_PREFIX + Buffer.from(secret.slice(ED25519_SECRET_PREFIX.length), 'base64').subarray(32).toString('base64');
}

// Parsing a key costs more than signing with it; keys are few, so each is parsed once per process.
const parsed = new Map<string, KeyObject>();

/** `v1a,<base64 ed25519 signature of content>`. Pure apart from the key cache. */
export function ed25519Sign(secret: string, content: string): string {
  let key = parsed.get(secret);
  if (!key) {
    key = keysOfSeed(Buffer.from(secret.slice(ED25519_SECRET_PREFIX.length), 'base64').subarray(0, 32)).privateKey;
    if (parsed.size >= 10_000) parsed.clear();
    parsed.set(secret, key);
  }
  return `v1a,${sign(null, Buffer.from(content), key).toString('base64')}`;
}
