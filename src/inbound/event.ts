import { createHash } from 'node:crypto';
import { headerIsSensitive } from '../endpoint/model.js';

/**
 * Pure decisions of the receive path: what a received request becomes as a message.
 */

const NAME = /^[a-zA-Z0-9\-_.]{1,256}$/;

/**
 * The forwarded message's event type: the provider's (GitHub's event header, Stripe's `type`,
 * Shopify's topic), with characters event-type names may not hold turned into `.`, so that
 * `orders/create` can be filtered as `orders.create`; the source's type when the provider names none.
 */
export function eventTypeOf(provided: string | null, sourceType: string): string {
  if (!provided) return sourceType;
  if (NAME.test(provided)) return provided;
  const cleaned = provided.replace(/[^a-zA-Z0-9\-_.]/g, '.').slice(0, 256);
  return cleaned.replace(/\./g, '') === '' ? sourceType : cleaned;
}

/**
 * The message's eventId, which makes a repeat a duplicate: the provider's delivery id as it is
 * when it has the shape of one, else its SHA-256 (so any id works, and its length is bounded).
 */
export function eventIdOf(dedupKey: string | null): string | null {
  if (!dedupKey) return null;
  return NAME.test(dedupKey) ? dedupKey : `sha256.${createHash('sha256').update(dedupKey).digest('hex')}`;
}

// Provider signature headers that the general rule (src/endpoint/model.ts) might not name.
const SIGNATURE_PART = /hmac|signature|sig$|-sig-|secret|token|auth|cookie|key|password/i;
const HEADERS_MAX = 40;
const VALUE_MAX = 512;
/** Headers the log has columns for, or that say nothing about the sender. */
const LEFT_OUT = new Set(['user-agent', 'host', 'connection', 'content-length', 'accept-encoding', 'keep-alive', 'transfer-encoding']);

/**
 * The headers kept with a request in the log (and as an accepted event's metadata): at most
 * 40, values cut at 512 characters, and every signature, secret or credential as `[redacted]`:
 * those the usual names say, and the `credential` headers the source's config names.
 */
export function headersForLog(headers: Record<string, string>, credential: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  for (const [name, value] of Object.entries(headers)) {
    if (LEFT_OUT.has(name)) continue;
    if (n++ >= HEADERS_MAX) break;
    out[name] = SIGNATURE_PART.test(name) || headerIsSensitive(name) || credential.includes(name) ? '[redacted]' : value.slice(0, VALUE_MAX);
  }
  return out;
}

/** Content types forwarded as JSON (null: the message's own application/json). */
export function forwardedContentType(given: string | undefined, body: string): string | null {
  const type = given?.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type?.endsWith('+json')) return null;
  if (type) return given!.slice(0, 256);
  try {
    JSON.parse(body);
    return null;
  } catch {
    return 'application/octet-stream';
  }
}
