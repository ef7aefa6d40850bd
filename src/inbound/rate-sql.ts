import type { Queryable } from '../store/port.js';

/** One process's count of admitted requests for a limit key in a minute (migration 022). */
export interface RateCount {
  key: string;
  /** Minutes since the epoch, by the database's clock. */
  minute: number;
  process: string;
  n: number;
}

export interface RateSyncResult {
  /** The other processes' rows changed since `since`, in the current and the previous minute. */
  others: RateCount[];
  /** The database's clock when the statement ran: the next sync's `since`, less a margin. */
  at: Date;
}

/**
 * The sync of rate-share.ts, one statement: adds this process's admissions since its last sync to
 * its rows of the current minute, deletes rows older than two minutes (those no other statement
 * holds: SKIP LOCKED, so processes never wait for each other or deadlock over them), and reads the
 * other processes' rows of the last two minutes that changed since `since` (the index on
 * updated_at; a null `since` reads them all, at a process's start). The read's snapshot is the
 * statement's, so it does not see this statement's own writes, which are not wanted anyway.
 */
export async function inboundRateSync(db: Queryable, process: string, taken: Map<string, number>, since: Date | null): Promise<RateSyncResult> {
  const keys = [...taken.keys()];
  const { rows } = await db.query<{ at: Date; key: string | null; minute: string | null; process: string | null; n: string | null }>(
    `with clock as (
       select now() as at, floor(extract(epoch from now()) / 60)::bigint as minute
     ), added as (
       insert into hookyard.inbound_rate as r (minute, key, process, n, updated_at)
       select clock.minute, x.key, $1::text, x.n, clock.at from clock, unnest($2::text[], $3::bigint[]) as x (key, n)
       on conflict on constraint inbound_rate_pkey do update set n = r.n + excluded.n, updated_at = excluded.updated_at
       returning 1
     ), expired as (
       delete from hookyard.inbound_rate
        where (minute, key, process) in (
          select minute, key, process from hookyard.inbound_rate
           where minute < (select minute from clock) - 2
           limit 10000
             for update skip locked)
       returning 1
     )
     select clock.at, o.key, o.minute, o.process, o.n
       from clock
       left join hookyard.inbound_rate o
         on o.updated_at > coalesce($4::timestamptz, '-infinity') and o.minute >= clock.minute - 1 and o.process <> $1::text`,
    [process, keys, keys.map((k) => taken.get(k)!), since],
  );
  return {
    at: rows[0]!.at,
    others: rows.filter((r) => r.key !== null).map((r) => ({ key: r.key!, minute: Number(r.minute), process: r.process!, n: Number(r.n) })),
  };
}
