import { randomBytes } from 'node:crypto';
import { validationError } from '../errors.js';

export const SECRET_PREFIX = 'whsec_';
const MIN_BYTES = 24;
const MAX_BYTES = 64;

/** A new endpoint signing secret: `whsec_` + base64 of 24 random bytes (Svix's size). */
export function signingSecretGenerate(random: (n: number) => Buffer = randomBytes): string {
  return SECRET_PREFIX + random(MIN_BYTES).toString('base64');
}

/**
 * Checks a caller-supplied secret and returns it in canonical `whsec_` form.
 * The secret itself never goes into the error message.
 */
export function signingSecretNormalize(input: string, loc: (string | number)[] = ['body', 'secret']): string {
  const body = input.startsWith(SECRET_PREFIX) ? input.slice(SECRET_PREFIX.length) : input;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) {
    throw validationError('secret must be whsec_ followed by base64', loc);
  }
  const bytes = Buffer.from(body, 'base64').length;
  if (bytes < MIN_BYTES || bytes > MAX_BYTES) {
    throw validationError(`secret must decode to ${MIN_BYTES} to ${MAX_BYTES} bytes`, loc);
  }
  return SECRET_PREFIX + body;
}

/** The raw HMAC key bytes of a `whsec_` secret. */
export function signingSecretKey(secret: string): Buffer {
  return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
}
