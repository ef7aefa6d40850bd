import { createHmac } from 'node:crypto';
import { SECRET_PREFIX } from '../secrets/signing-secret.js';

/**
 * The HMAC key of the GitHub, Stripe and plain formats: the secret as the
 * receiver holds it, `whsec_…` included, as UTF-8 bytes. Those receivers'
 * libraries (`@octokit/webhooks-methods`, `stripe`) take the secret as a string
 * and key the HMAC with it, so pasting what `GET …/secret` answers just works.
 */
export function hmacHex(secret: string, content: string): string {
  return createHmac('sha256', secret).update(content).digest('hex');
}

/** The secrets an HMAC format can sign with: `whsec_` ones (an ed25519 key left over from a rotation is skipped). */
export function hmacSecrets(secrets: string[]): string[] {
  return secrets.filter((s) => s.startsWith(SECRET_PREFIX));
}
