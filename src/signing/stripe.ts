import { hmacHex, hmacSecrets } from './hmac.js';

/**
 * Stripe's `Stripe-Signature` value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of
 * "t.body">`, one `v1=` per secret that signs now, newest first, so a
 * rotated-out secret keeps verifying through its grace window (Stripe's
 * libraries accept any matching `v1`). Pure: the timestamp is a parameter.
 */
export function stripeSignature(secrets: string[], { timestamp, body }: { timestamp: number; body: string }): string | null {
  const keys = hmacSecrets(secrets);
  if (keys.length === 0) return null;
  return [`t=${timestamp}`, ...keys.map((secret) => `v1=${hmacHex(secret, `${timestamp}.${body}`)}`)].join(',');
}
