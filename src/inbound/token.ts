import { createHash, randomBytes } from 'node:crypto';

/** Receiving keys look like this, so a leaked one is recognisable (secret scanners, logs). */
export const TOKEN_PREFIX = 'wh_';
const TOKEN_SHAPE = /^wh_[A-Za-z0-9_-]{43}$/;

/** A new receiving key: `wh_` and 32 random bytes as base64url (43 characters). */
export function sourceTokenGenerate(random: (n: number) => Buffer = randomBytes): string {
  return TOKEN_PREFIX + random(32).toString('base64url');
}

/** What the database keeps to find a source by its key: the key itself is only kept sealed. */
export function sourceTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Cheap check before any lookup: anything else in the URL cannot be a key. */
export const sourceTokenShaped = (text: string): boolean => TOKEN_SHAPE.test(text);
