import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import { tokenHash, tokenIdByHash } from './token.js';

export interface Authenticator {
  /** The token id for an `Authorization` header value; throws 401 otherwise. */
  authenticate(header: string | undefined): Promise<string>;
  /** Forgets cached lookups (after a revoke in this process). */
  clear(): void;
}

// One message for every failure, so a caller cannot tell which check failed.
const unauthorized = () => new HookyardError('unauthorized', 'invalid or missing API token');
const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/=]{1,512})$/;

/**
 * Checks bearer tokens, caching each lookup (hit or miss) for `cacheMs` so a
 * busy client does not cost a query per request. Every path hashes the
 * presented value first, so malformed, unknown, wrong and revoked tokens all
 * cost the same before they are refused.
 */
export function authenticator(db: Queryable, { cacheMs = 5_000 /* ms */, now = () => Date.now() } = {}): Authenticator {
  const cache = new Map<string, { id: string | undefined; until: number }>();
  return {
    async authenticate(header) {
      const match = header === undefined ? null : BEARER.exec(header);
      const hash = tokenHash(match?.[1] ?? header ?? '');
      const cached = cache.get(hash);
      let id: string | undefined;
      if (cached && cached.until > now()) {
        id = cached.id;
      } else {
        id = await tokenIdByHash(db, hash);
        if (cache.size > 10_000) cache.clear();
        cache.set(hash, { id, until: now() + cacheMs });
      }
      if (!match || !id) throw unauthorized();
      return id;
    },
    clear: () => cache.clear(),
  };
}
