import { createHmac, timingSafeEqual } from 'node:crypto';
import { signingSecretKey } from '../secrets/signing-secret.js';
import { ED25519_SECRET_PREFIX, ed25519Sign } from './ed25519.js';

/**
 * Standard Webhooks signatures: HMAC-SHA256 over `${id}.${timestamp}.${body}`,
 * base64, prefixed `v1,`. Pure: the timestamp is a parameter, never read here.
 */
export interface SignInput {
  /** The webhook-id header: the message id, stable across retries. */
  id: string;
  /** Seconds since the epoch, as sent in webhook-timestamp. */
  timestamp: number;
  /** The exact body bytes sent. */
  body: string;
}

function mac(key: Buffer, { id, timestamp, body }: SignInput): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

/**
 * The webhook-signature header value: one entry per secret, space-separated, in
 * the order given (newest first by convention): `v1,<base64 HMAC>` for a
 * `whsec_` secret, `v1a,<base64 ed25519>` for a `whsk_` key (ed25519.ts), so a
 * rotation between the two signs with both through its grace window.
 */
export function sign(secrets: string[], input: SignInput): string {
  return secrets
    .map((secret) =>
      secret.startsWith(ED25519_SECRET_PREFIX)
        ? ed25519Sign(secret, `${input.id}.${input.timestamp}.${input.body}`)
        : `v1,${mac(signingSecretKey(secret), input)}`,
    )
    .join(' ');
}

export interface VerifyOptions {
  /** Now, in seconds since the epoch; the caller's clock. */
  nowSeconds: number;
  /** Largest accepted distance between now and the timestamp (s); 5 minutes like the spec's reference libraries. */
  toleranceSeconds?: number;
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'timestamp' | 'signature' | 'malformed' };

/**
 * Checks a webhook-signature header against any of `secrets`. Every entry is
 * compared in constant time, so timing does not reveal how close a guess was.
 */
export function verify(secrets: string[], input: SignInput, header: string, { nowSeconds, toleranceSeconds = 300 }: VerifyOptions): VerifyResult {
  if (!Number.isSafeInteger(input.timestamp)) return { ok: false, reason: 'malformed' };
  if (Math.abs(nowSeconds - input.timestamp) > toleranceSeconds) return { ok: false, reason: 'timestamp' };
  const offered = header
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  if (offered.length === 0) return { ok: false, reason: 'malformed' };
  let match = false;
  for (const secret of secrets) {
    const expected = Buffer.from(mac(signingSecretKey(secret), input), 'base64');
    for (const candidate of offered) {
      // Not short-circuiting keeps the work the same whichever entry matches.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) match = true;
    }
  }
  return match ? { ok: true } : { ok: false, reason: 'signature' };
}
