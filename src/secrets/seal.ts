import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HookyardError } from '../errors.js';

const ALGORITHM = 'chacha20-poly1305';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const KEY_BYTES = 32;

/**
 * Encrypts secrets at rest. `context` (the owning row's id) is bound as
 * associated data, so a sealed value copied onto another row fails to open.
 */
export interface Sealer {
  seal(plaintext: string, context: string): Buffer;
  open(sealed: Buffer, context: string): string;
}

export function createSealer(key: Buffer): Sealer {
  if (key.length !== KEY_BYTES) {
    throw new HookyardError('secret_key', `the secret key must be ${KEY_BYTES} bytes, got ${key.length}`);
  }
  return {
    seal(plaintext, context) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context), { plaintextLength: Buffer.byteLength(plaintext) });
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return Buffer.concat([nonce, body, cipher.getAuthTag()]);
    },
    open(sealed, context) {
      const nonce = sealed.subarray(0, NONCE_BYTES);
      const tag = sealed.subarray(sealed.length - TAG_BYTES);
      const body = sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES);
      const decipher = createDecipheriv(ALGORITHM, key, nonce, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context), { plaintextLength: body.length });
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch (cause) {
        // Never include the sealed bytes or the key: only say which row failed.
        throw new HookyardError('secret_key', `cannot decrypt the secret of ${context}: wrong secret key or corrupted row`, { cause });
      }
    },
  };
}

/** Parses the configured key: 32 bytes as base64 or hex. */
export function parseSecretKey(text: string): Buffer {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) {
    throw new HookyardError('secret_key', `HOOKYARD_SECRET_KEY (--secret-key): must be ${KEY_BYTES} bytes, as base64 (44 characters) or hex (64 characters); for example: openssl rand -base64 32`);
  }
  return key;
}
