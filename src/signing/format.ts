import { githubSignature } from './github.js';
import { plainSignature } from './plain.js';
import { sign } from './sign.js';
import { stripeSignature } from './stripe.js';
import type { SignatureFormat } from './format-names.js';

export { SIGNATURE_FORMATS, type SignatureFormat } from './format-names.js';

/** The header names one request uses, lowercased; null sends no such header. */
export interface HeaderNames {
  id: string | null;
  timestamp: string | null;
  signature: string;
  /** The message's event type. */
  event: string | null;
}

/** Each format's names, as its receivers' libraries expect them. */
export const DEFAULT_HEADER_NAMES: Record<SignatureFormat, HeaderNames> = {
  standard: { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature', event: null },
  github: { id: 'x-github-delivery', timestamp: null, signature: 'x-hub-signature-256', event: 'x-github-event' },
  stripe: { id: null, timestamp: null, signature: 'stripe-signature', event: null },
  plain: { id: null, timestamp: null, signature: 'x-signature', event: null },
};

/** The Standard Webhooks names under Svix's prefix, for receivers whose code reads `svix-id`. */
export const SVIX_HEADER_NAMES: Pick<HeaderNames, 'id' | 'timestamp' | 'signature'> = { id: 'svix-id', timestamp: 'svix-timestamp', signature: 'svix-signature' };

export interface SignedContent {
  /** The message id: stable across retries. */
  id: string;
  /** Seconds since the epoch: the attempt's time, from the caller's clock. */
  timestamp: number;
  /** The exact body sent (JSON, or the form encoding of it). */
  body: string;
  eventType: string | null;
}

/**
 * The signature headers of one request in a format. Pure: the time is in
 * `content`, the secrets are opened ones, newest first. Null when no secret
 * can sign in this format (an HMAC format left with only an ed25519 key).
 */
export function signatureHeaders(format: SignatureFormat, names: HeaderNames, secrets: string[], content: SignedContent): Record<string, string> | null {
  const value = signatureValue(format, secrets, content);
  if (value === null) return null;
  const headers: Record<string, string> = {};
  if (names.id) headers[names.id] = content.id;
  if (names.timestamp) headers[names.timestamp] = String(content.timestamp);
  if (names.event && content.eventType !== null) headers[names.event] = content.eventType;
  headers[names.signature] = value;
  return headers;
}

function signatureValue(format: SignatureFormat, secrets: string[], content: SignedContent): string | null {
  switch (format) {
    case 'standard':
      return secrets.length === 0 ? null : sign(secrets, content);
    case 'github':
      return githubSignature(secrets, content.body);
    case 'stripe':
      return stripeSignature(secrets, content);
    case 'plain':
      return plainSignature(secrets, content.body);
  }
}
