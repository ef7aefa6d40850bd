import { HookyardError } from '../errors.js';
import type { Queryable } from '../store/port.js';
import { tokenHashesLive, tokenLiveByHash } from './live-tokens.js';
import { tokenUnexpired, type LiveToken } from './principal.js';
import { clientKey, rateLimiter } from './rate-limit.js';
import { tokenHash } from './token.js';

export interface Authenticator {
  /**
   * The token id for an `Authorization` header value; throws 401 otherwise,
   * or 429 once `client` (the peer address) has failed too often.
   */
  authenticate(header: string | undefined, client?: string): Promise<string>;
  /** As `authenticate`, with the token's scope, application and expiry. */
  identify(header: string | undefined, client?: string): Promise<LiveToken>;
  /**
   * A token presented to sign in (the console's session route): the live set first, then, if it
   * is not there, one lookup in the database, so a portal token made a moment ago by another
   * process works at once. Failures are throttled as for `authenticate`.
   */
  signIn(token: string, client?: string): Promise<LiveToken>;
  /** Forgets the live tokens, so the next request reads them again (after a revoke or create in this process). */
  clear(): void;
}

export interface AuthenticatorOptions {
  /** How long the set of live tokens is kept before it is read again (ms); a revoke elsewhere takes up to this long. */
  cacheMs?: number;
  /** Failed attempts allowed per client address in a burst, then `failuresPerSecond`; 0 turns throttling off. */
  failureBurst?: number;
  failuresPerSecond?: number;
  now?: () => number;
}

// One message for every failure, so a caller cannot tell which check failed.
const unauthorized = () => new HookyardError('unauthorized', 'invalid or missing API token');
const BEARER = /^Bearer ([A-Za-z0-9_\-.~+/=]{1,512})$/;

/**
 * Checks bearer tokens against the set of live token hashes, held in memory
 * and read again at most every `cacheMs` (one query for all requests, not
 * one per request), so neither a valid token nor a random wrong one costs a
 * query of its own, and there is no per-token cache to fill or wipe.
 * Every path hashes the presented value first and looks the hash up, so
 * malformed, unknown, wrong and revoked tokens all cost the same; the lookup
 * is by SHA-256 of a 256-bit secret, so its timing tells nothing useful.
 * Failures are throttled per client address: past the burst, 429 with
 * Retry-After, while valid tokens from that address still pass.
 */
export function authenticator(db: Queryable, { cacheMs = 5_000, failureBurst = 20, failuresPerSecond = 1, now = () => Date.now() }: AuthenticatorOptions = {}): Authenticator {
  let live: { hashes: Map<string, LiveToken>; at: number } | undefined;
  let loading: { promise: Promise<Map<string, LiveToken>>; generation: number } | undefined;
  // Bumped by clear(): a read that started before it must not be kept.
  let generation = 0;
  const failures = rateLimiter({ perSecond: failuresPerSecond, burst: failureBurst, maxKeys: 10_000, now });

  async function liveTokens(): Promise<Map<string, LiveToken>> {
    for (;;) {
      if (live && now() - live.at < cacheMs) return live.hashes;
      if (!loading || loading.generation !== generation) {
        const started = generation;
        const promise = tokenHashesLive(db).then((hashes) => {
          if (started === generation) live = { hashes, at: now() };
          return hashes;
        });
        loading = { promise, generation: started };
        void promise.finally(() => {
          if (loading?.promise === promise) loading = undefined;
        }).catch(() => {});
      }
      const { promise, generation: of } = loading;
      const hashes = await promise;
      // A clear() while this read ran means it may hold a revoked token: read again.
      if (of === generation) return hashes;
    }
  }

  function refuse(client: string | undefined): never {
    if (failureBurst > 0 && failuresPerSecond > 0) {
      const wait = failures.take(clientKey(client));
      if (wait > 0) {
        throw new HookyardError('rate_limited', `too many failed authentication attempts from this address; retry after ${wait} s`, { cause: { retryAfter: wait } });
      }
    }
    throw unauthorized();
  }

  async function identify(header: string | undefined, client?: string): Promise<LiveToken> {
    const match = header === undefined ? null : BEARER.exec(header);
    const hash = tokenHash(match?.[1] ?? header ?? '');
    const token = (await liveTokens()).get(hash);
    if (match && token && tokenUnexpired(token, now())) return token;
    return refuse(client);
  }

  return {
    authenticate: async (header, client) => (await identify(header, client)).id,
    identify,
    async signIn(presented, client) {
      const hash = tokenHash(presented);
      const token = (await liveTokens()).get(hash) ?? (BEARER.test(`Bearer ${presented}`) ? await tokenLiveByHash(db, hash) : undefined);
      if (token && tokenUnexpired(token, now())) return token;
      return refuse(client);
    },
    clear() {
      generation++;
      live = undefined;
    },
  };
}
