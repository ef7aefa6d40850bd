import { randomBytes } from 'node:crypto';
import { newId } from '../ids/id.js';
import type { Queryable } from '../store/port.js';
import { DISPLAY_CHARS, tokenHash } from './token.js';
import type { PortalCapability } from './principal.js';

/**
 * App portal tokens: `hyp_` plus 32 random bytes, stored hashed like API
 * tokens (scope `app`, migration 017), bound to one application, and
 * expiring. They authenticate as Bearer tokens or through a console session;
 * what they may reach is decided per route (src/api/portal-scope.ts).
 */
const PORTAL_PREFIX = 'hyp_';

export interface PortalTokenIn {
  appId: string;
  /** null: every capability (Svix's default). */
  capabilities: PortalCapability[] | null;
  expiresAt: Date;
  sessionId: string | null;
}

export async function portalTokenCreate(db: Queryable, input: PortalTokenIn): Promise<{ token: string; id: string }> {
  const token = PORTAL_PREFIX + randomBytes(32).toString('base64url');
  const id = newId('tok');
  await db.query(
    `insert into hookyard.api_token (id, name, prefix, hash, scope, app_id, capabilities, expires_at, session_id)
     values ($1, 'app portal', $2, $3, 'app', $4, $5, $6, $7)`,
    [id, token.slice(0, DISPLAY_CHARS), tokenHash(token), input.appId, input.capabilities, input.expiresAt, input.sessionId],
  );
  return { token, id };
}

/** Ends one portal token (logout); false if it was not a live portal token. */
export async function portalTokenEnd(db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query(`update hookyard.api_token set revoked_at = now() where id = $1 and scope = 'app' and revoked_at is null returning id`, [id]);
  return rows.length === 1;
}

/**
 * Svix's expire-all: every live portal token of an application (or only those made with one of
 * `sessionIds`) expires `inMs` from now (0: at once); tokens due to expire sooner keep their time.
 */
export async function portalTokensExpireAll(db: Queryable, appId: string, sessionIds: string[] | null, inMs: number): Promise<number> {
  const { rows } = await db.query(
    `update hookyard.api_token set expires_at = least(expires_at, now() + make_interval(secs => $3::float8 / 1000))
      where scope = 'app' and app_id = $1 and revoked_at is null and expires_at > now() and ($2::text[] is null or session_id = any($2::text[])) returning id`,
    [appId, sessionIds, inMs],
  );
  return rows.length;
}

/**
 * Portal tokens that ended (expired or revoked) before `before` (the console cleanup deletes them).
 * Every portal token has an expiry, so each is deleted some time after it; a console session
 * cannot outlive its token (sessionGetLive joins them).
 */
export async function portalTokensDeleteEnded(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with gone as (delete from hookyard.api_token where scope = 'app' and least(revoked_at, expires_at) < $1 returning 1)
     select count(*)::int as n from gone`,
    [before],
  );
  return rows[0]?.n ?? 0;
}
