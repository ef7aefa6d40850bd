import { hmacHex, hmacSecrets } from './hmac.js';

/** A plain `X-Signature` value: the hex HMAC-SHA256 of the body, with the newest secret (no timestamp, one signature). */
export function plainSignature(secrets: string[], body: string): string | null {
  const [newest] = hmacSecrets(secrets);
  return newest === undefined ? null : hmacHex(newest, body);
}
