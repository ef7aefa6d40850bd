import type { Queryable } from '../store/port.js';

/**
 * hookyard.live_listener (migration 023): a row per process that serves event streams. Writers
 * NOTIFY only while some row is current, so a database with no console open pays no NOTIFY.
 */

/** Claims or renews this process's row: current for `forMs` from the database's now. */
export async function liveListenerRenew(db: Queryable, id: string, forMs: number): Promise<void> {
  await db.query(
    `insert into hookyard.live_listener (id, until) values ($1, now() + $2 * interval '1 millisecond')
     on conflict (id) do update set until = excluded.until`,
    [id, forMs],
  );
}

/** Removes this process's row, and any left by processes that died long ago. */
export async function liveListenerRemove(db: Queryable, id: string): Promise<void> {
  await db.query(`delete from hookyard.live_listener where id = $1 or until < now() - interval '1 hour'`, [id]);
}
