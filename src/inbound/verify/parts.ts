import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { InboundRequest, Verification, VerifyFailure } from './spec.js';

/** Pieces every source type shares: HMACs, constant-time comparison, headers, timestamps, body fields. */

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** HMAC over the concatenation of `parts`; strings are UTF-8, byte arrays go in untouched. */
export function hmac(algorithm: HmacAlgorithm, key: string | Uint8Array, ...parts: (string | Uint8Array)[]): Buffer {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

/** Constant time for equal lengths; a signature's length is public (it is fixed by the algorithm). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** True when any candidate matches. Every candidate is compared, so timing does not tell which one did. */
export function anyEqual(candidates: Uint8Array[], expected: Uint8Array): boolean {
  let match = false;
  for (const candidate of candidates) if (bytesEqual(candidate, expected)) match = true;
  return match;
}

/**
 * Compares a presented secret (a token, a password) with the configured one
 * through their SHA-256 digests: equal lengths always, so neither the content
 * nor the length of the secret leaks through timing.
 */
export function secretEqual(given: string | Uint8Array, expected: string | Uint8Array): boolean {
  const digest = (v: string | Uint8Array) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Strict hex (either case, even length), else null: Buffer.from(s, 'hex') would silently stop at the first bad character. */
export function hexDecode(s: string): Buffer | null {
  return /^(?:[0-9a-fA-F]{2})+$/.test(s) ? Buffer.from(s, 'hex') : null;
}

/** Strict standard base64 (padded), else null. */
export function base64Decode(s: string): Buffer | null {
  return s.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(s) ? Buffer.from(s, 'base64') : null;
}

export function headerGet(req: InboundRequest, name: string): string | undefined {
  // An empty header is a missing one: `X-Hub-Signature-256:` with nothing after it is not a
  // malformed signature but none.
  const value = req.headers[name.toLowerCase()]?.trim();
  return value ? value : undefined;
}

export const fail = (reason: VerifyFailure, detail: string): Verification => ({ ok: false, reason, detail });

export function accept(eventType: string | null, dedupKey: string | null, verified = true): Verification {
  return { ok: true, eventType: eventTypeClean(eventType), dedupKey: dedupKeyClean(dedupKey), verified };
}

/**
 * Checks a seconds-since-the-epoch timestamp header against the clock, in
 * both directions (a timestamp far in the future is as suspect as an old one).
 * Returns the parsed value, or the failure to answer.
 */
export function timestampCheck(value: string | undefined, header: string, now: Date, toleranceSeconds: number): number | Verification {
  if (value === undefined || value === '') return fail('timestamp_missing', `${header} header missing`);
  if (!/^\d{1,15}$/.test(value)) return fail('malformed', `${header} is not a number of seconds`);
  const timestamp = Number(value);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
    return fail('timestamp_stale', `${header} is ${nowSeconds - timestamp} s from now, outside the ${toleranceSeconds} s window`);
  }
  return timestamp;
}

/** The body parsed as JSON, or undefined when it is not JSON. */
export function bodyJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The body as a form (application/x-www-form-urlencoded), or undefined when it does not look like one. */
export function bodyForm(body: Uint8Array): URLSearchParams | undefined {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (text.length === 0 || !/^[^=&\s]+=[^&\s]*(?:&[^=&\s]+=[^&\s]*)*$/.test(text)) return undefined;
  return new URLSearchParams(text);
}

/** A string (or number) found at `path` inside parsed JSON, else null. */
export function fieldString(value: unknown, ...path: string[]): string | null {
  let at = value;
  for (const key of path) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return null;
    at = (at as Record<string, unknown>)[key];
  }
  if (typeof at === 'string') return at;
  if (typeof at === 'number' && Number.isFinite(at)) return String(at);
  return null;
}

const EVENT_TYPE_MAX = 256;

/**
 * Provider event types become Hookyard event type names (letters, digits,
 * "-", "_", "."), so endpoints can filter on them: Shopify's `orders/create`
 * becomes `orders.create`.
 */
export function eventTypeClean(raw: string | null): string | null {
  if (raw === null) return null;
  const name = raw.replace(/[^a-zA-Z0-9\-_.]+/g, '.').replace(/^\.+|\.+$/g, '').slice(0, EVENT_TYPE_MAX);
  return name === '' ? null : name;
}

const DEDUP_KEY_MAX = 256;

/** A provider's delivery id, bounded; an empty or oversized one is no key at all rather than a truncated one that could collide. */
function dedupKeyClean(raw: string | null): string | null {
  if (raw === null) return null;
  const key = raw.trim();
  return key === '' || key.length > DEDUP_KEY_MAX ? null : key;
}

/** A provider secret used as HMAC key text; bounded so configs stay small. */
export const secretText = z.string().min(1).max(1024);
