import type { Queryable } from '../store/port.js';

/** hookyard.rollup_minute (migration 017): counters per minute, metric and key. */

export interface RollupAdd {
  minute: number; // ms since the epoch, a whole minute
  metric: string;
  key: string;
  value: number;
}

/**
 * Adds counters in one statement: an upsert that adds to what other processes
 * wrote, and the tokens' last use from the `api.request` counters (the latest
 * time each was seen; a data-modifying WITH runs whether or not it is read). Rows come sorted by
 * their key so concurrent flushes lock in the same order.
 */
export async function rollupAddMany(db: Queryable, rows: RollupAdd[], tokensSeen: { id: string; at: Date }[]): Promise<void> {
  await db.query(
    `with added as (
       insert into hookyard.rollup_minute (minute, metric, key, value)
       select to_timestamp(u.m / 1000.0), u.metric, u.key, u.v from unnest($1::float8[], $2::text[], $3::text[], $4::int8[]) as u(m, metric, key, v)
       on conflict (minute, metric, key) do update set value = hookyard.rollup_minute.value + excluded.value
     )
     update hookyard.api_token t set last_used_at = greatest(t.last_used_at, s.at)
       from unnest($5::text[], $6::timestamptz[]) as s(id, at)
      where t.id = s.id`,
    [rows.map((r) => r.minute), rows.map((r) => r.metric), rows.map((r) => r.key), rows.map((r) => r.value), tokensSeen.map((t) => t.id), tokensSeen.map((t) => t.at)],
  );
}

export interface RollupSlotRow {
  /** The slot since `since` (step-sized), or null for a total over the whole range. */
  slot: number | null;
  metric: string;
  key: string;
  value: number;
}

/**
 * The counters of [since, until) summed per slot of `stepMs` (key '' rows and unkeyed metrics),
 * and over the range: per token for `api.*`, and the number of distinct endpoints with failures
 * (as `endpoint.failing`). Those per-key counters are hourly (rollups.ts), so the hours that
 * overlap the range count whole. A primary-key range read of a few rows per minute, whatever the
 * number of attempts.
 */
export async function rollupRead(db: Queryable, since: Date, until: Date, stepMs: number): Promise<RollupSlotRow[]> {
  const hourStart = new Date(since.getTime() - (since.getTime() % 3_600_000));
  // One row per slot, its counters in one object: a day of minutes is 1,440 rows to send, not one per bucket.
  const { rows } = await db.query<{ slot: number | null; counters: Record<string, number> }>(
    `select slot, jsonb_object_agg(name, value) as counters from (
       select floor((extract(epoch from minute) * 1000 - $3::float8) / $4::float8)::int as slot, metric || '|' || key as name, sum(value)::float8 as value
         from hookyard.rollup_minute
        where minute >= $1 and minute < $2 and (key = '' or metric not in ('endpoint.failed', 'api.request', 'api.error'))
        group by 1, 2
       union all
       select null, metric || '|' || key, sum(value)::float8 from hookyard.rollup_minute
        where minute >= $5 and minute < $2 and metric in ('api.request', 'api.error') and key <> '' group by 2
       union all
       select null, 'endpoint.failing|', count(distinct key)::float8 from hookyard.rollup_minute
        where minute >= $5 and minute < $2 and metric = 'endpoint.failed' and key <> ''
     ) as c group by slot`,
    [since, until, since.getTime(), stepMs, hourStart],
  );
  const out: RollupSlotRow[] = [];
  for (const { slot, counters } of rows) {
    for (const [name, value] of Object.entries(counters)) {
      const at = name.indexOf('|');
      out.push({ slot, metric: name.slice(0, at), key: name.slice(at + 1), value: Number(value) });
    }
  }
  return out;
}

/** Counters older than `before` (the cleaner's). */
export async function rollupDeleteOld(db: Queryable, before: Date): Promise<number> {
  const { rows } = await db.query('delete from hookyard.rollup_minute where minute < $1 returning 1', [before]);
  return rows.length;
}
