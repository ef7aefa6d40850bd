import { hmacHex, hmacSecrets } from './hmac.js';

/**
 * GitHub's `X-Hub-Signature-256` value: `sha256=` and the hex HMAC-SHA256 of
 * the body, with the newest secret. GitHub's scheme has room for one
 * signature, so a rotation switches at once: a receiver keeps both secrets
 * during the grace window (or rotates its side first).
 */
export function githubSignature(secrets: string[], body: string): string | null {
  const [newest] = hmacSecrets(secrets);
  return newest === undefined ? null : `sha256=${hmacHex(newest, body)}`;
}
