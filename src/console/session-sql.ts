import type { PortalCapability, PrincipalScope } from '../auth/principal.js';
import type { Queryable } from '../store/port.js';

/** hookyard.console_session (migration 017): one row per signed-in browser, keyed by the hash of its cookie. */

export interface SessionRow {
  token_id: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
  scope: PrincipalScope;
  app_id: string | null;
  capabilities: PortalCapability[] | null;
  token_expires_at: Date | null;
}

export async function sessionInsert(db: Queryable, row: { idHash: string; tokenId: string; now: Date; expiresAt: Date }): Promise<void> {
  await db.query('insert into hookyard.console_session (id_hash, token_id, created_at, last_seen_at, expires_at) values ($1, $2, $3, $3, $4)', [row.idHash, row.tokenId, row.now, row.expiresAt]);
}

/** The live session with this hash, and its token, if both are live at `now` (a revoked or expired token ends its sessions). */
export async function sessionGetLive(db: Queryable, idHash: string, now: Date): Promise<SessionRow | undefined> {
  const { rows } = await db.query<SessionRow>(
    `select s.token_id, s.created_at, s.last_seen_at, s.expires_at, t.scope, t.app_id, t.capabilities, t.expires_at as token_expires_at
       from hookyard.console_session s join hookyard.api_token t on t.id = s.token_id
      where s.id_hash = $1 and s.expires_at > $2 and t.revoked_at is null and (t.expires_at is null or t.expires_at > $2)`,
    [idHash, now],
  );
  return rows[0];
}

/** Slides a session's expiry forward (at most once a minute per session: see session.ts). */
export async function sessionTouch(db: Queryable, idHash: string, now: Date, expiresAt: Date): Promise<void> {
  await db.query('update hookyard.console_session set last_seen_at = $2, expires_at = $3 where id_hash = $1', [idHash, now, expiresAt]);
}

export async function sessionDelete(db: Queryable, idHash: string): Promise<void> {
  await db.query('delete from hookyard.console_session where id_hash = $1', [idHash]);
}

/**
 * Sessions that can no longer be used (the console cleanup's): past their expiry (index
 * console_session_expires), or whose token is revoked or gone. Those are refused at once anyway
 * (sessionGetLive); this only reclaims their rows.
 */
export async function sessionDeleteEnded(db: Queryable, now: Date): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `with gone as (
       delete from hookyard.console_session s
        where s.expires_at <= $1
           or not exists (select 1 from hookyard.api_token t where t.id = s.token_id and t.revoked_at is null)
        returning 1
     )
     select count(*)::int as n from gone`,
    [now],
  );
  return rows[0]?.n ?? 0;
}
