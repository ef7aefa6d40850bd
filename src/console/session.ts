import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LiveToken } from '../auth/principal.js';
import type { Queryable } from '../store/port.js';
import { sessionDelete, sessionGetLive, sessionInsert, sessionTouch } from './session-sql.js';

/**
 * Console sessions. Signing in with a token makes a random 256-bit session id
 * (crypto.randomBytes) that travels only in an HttpOnly cookie; the database
 * keeps its SHA-256. The expiry slides: each use pushes it to `idleMs` from
 * now, never past `maxMs` after sign-in nor past the token's own expiry. The
 * CSRF token is an HMAC of the session id, so it needs no storage and tells
 * nothing about the id.
 */
export interface SessionOptions {
  /** A session unused this long ends (ms). */
  idleMs: number;
  /** A session ends this long after sign-in, however much it is used (ms). */
  maxMs: number;
}

export interface Session {
  /** The cookie's value: never stored, never logged. */
  id: string;
  csrfToken: string;
  token: LiveToken;
  expiresAt: Date;
}

// The expiry is slid at most once a minute, so a busy console writes one row a minute, not one per request.
const TOUCH_EVERY_MS = 60_000;

const hashOf = (id: string) => createHash('sha256').update(id).digest('hex');

export const csrfTokenOf = (sessionId: string): string => createHmac('sha256', sessionId).update('hookyard csrf').digest('base64url');

/** Constant-time check of a presented CSRF token. */
export function csrfTokenValid(sessionId: string, presented: string | undefined): boolean {
  const expected = Buffer.from(csrfTokenOf(sessionId));
  const given = Buffer.from(presented ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const earliest = (...dates: (Date | null)[]) => new Date(Math.min(...dates.filter((d): d is Date => d !== null).map((d) => d.getTime())));

export async function sessionCreate(db: Queryable, token: LiveToken, options: SessionOptions, now: Date): Promise<Session> {
  const id = randomBytes(32).toString('base64url');
  const expiresAt = earliest(new Date(now.getTime() + Math.min(options.idleMs, options.maxMs)), token.expiresAt);
  await sessionInsert(db, { idHash: hashOf(id), tokenId: token.id, now, expiresAt });
  return { id, csrfToken: csrfTokenOf(id), token, expiresAt };
}

/** The live session for a cookie value, its expiry slid forward; undefined when unknown, expired or its token is gone. */
export async function sessionResume(db: Queryable, id: string, options: SessionOptions, now: Date): Promise<Session | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(id)) return undefined;
  const idHash = hashOf(id);
  const row = await sessionGetLive(db, idHash, now);
  if (!row) return undefined;
  const token: LiveToken = { id: row.token_id, scope: row.scope, appId: row.app_id, capabilities: row.capabilities, expiresAt: row.token_expires_at };
  let expiresAt = row.expires_at;
  if (now.getTime() - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
    expiresAt = earliest(new Date(now.getTime() + options.idleMs), new Date(row.created_at.getTime() + options.maxMs), row.token_expires_at);
    await sessionTouch(db, idHash, now, expiresAt);
  }
  return { id, csrfToken: csrfTokenOf(id), token, expiresAt };
}

/** When the session of this cookie value ends, without sliding it (an open event stream is not a use); undefined once it has ended. */
export async function sessionPeek(db: Queryable, id: string, now: Date): Promise<Date | undefined> {
  return (await sessionGetLive(db, hashOf(id), now))?.expires_at;
}

export async function sessionEnd(db: Queryable, id: string): Promise<void> {
  await sessionDelete(db, hashOf(id));
}
