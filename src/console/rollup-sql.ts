import type { Queryable } from '../store/port.js';

/** hookyard.rollup_minute (migration 017): counters per minute, metric and key. */

export interface RollupAdd {
  minute: number; // ms since the epoch, a whole minute
  metric: string;
  key: string;
  value: number;
}

export interface HistogramAdd {
  minute: number; // ms since the epoch, a whole minute
  metric: string;
  /** Counts by bucket, all of the same length. */
  counts: number[];
}

/**
 * Adds counters in one statement: an upsert that adds to what other processes
 * wrote, the same for histograms (element by element, migration 024), and the tokens' last use
 * from the `api.request` counters (the latest time each was seen). Data-modifying WITHs run
 * whether or not they are read. Rows come sorted by their key so concurrent flushes lock in the
 * same order. Histograms travel as one flat array, `width` counts per row.
 */
export async function rollupAddMany(db: Queryable, rows: RollupAdd[], tokensSeen: { id: string; at: Date }[], histograms: HistogramAdd[] = []): Promise<void> {
  const width = histograms[0]?.counts.length ?? 0;
  await db.query(
    `with added as (
       insert into hookyard.rollup_minute (minute, metric, key, value)
       select to_timestamp(u.m / 1000.0), u.metric, u.key, u.v from unnest($1::float8[], $2::text[], $3::text[], $4::int8[]) as u(m, metric, key, v)
       on conflict (minute, metric, key) do update set value = hookyard.rollup_minute.value + excluded.value
     ), histograms as (
       insert into hookyard.rollup_histogram (minute, metric, counts)
       select to_timestamp(h.m / 1000.0), h.metric, ($9::int8[])[(h.n - 1) * $10::int + 1 : h.n * $10::int] from unnest($7::float8[], $8::text[]) with ordinality as h(m, metric, n)
       on conflict (minute, metric) do update set counts = hookyard.counts_add(hookyard.rollup_histogram.counts, excluded.counts)
     )
     update hookyard.api_token t set last_used_at = greatest(t.last_used_at, s.at)
       from unnest($5::text[], $6::timestamptz[]) as s(id, at)
      where t.id = s.id`,
    [
      rows.map((r) => r.minute), rows.map((r) => r.metric), rows.map((r) => r.key), rows.map((r) => r.value),
      tokensSeen.map((t) => t.id), tokensSeen.map((t) => t.at),
      histograms.map((h) => h.minute), histograms.map((h) => h.metric), histograms.flatMap((h) => h.counts), width,
    ],
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
 * The counters of [since, until) by slot of `stepMs` (key '' rows and unkeyed metrics), and over
 * the range: per token for `api.*`, and the number of distinct endpoints with failures (as
 * `endpoint.failing`). Those per-key counters are hourly (rollups.ts), so the hours that overlap
 * the range count whole. A few rows per minute are read, whatever the number of attempts.
 *
 * What costs here is not the reading but the rows sent back, on PGlite above all (some 20 µs a
 * row): so the answer is one row per metric and key, its slots and values as two comma-separated
 * lists (a day of minutes: a handful of rows, not 7,000). A slot of several minutes has several
 * entries, which the caller adds up. `date_part` (float8), not `extract` (numeric since
 * PostgreSQL 14, several times slower).
 */
export async function rollupRead(db: Queryable, since: Date, until: Date, stepMs: number): Promise<RollupSlotRow[]> {
  const hourStart = new Date(since.getTime() - (since.getTime() % 3_600_000));
  const { rows } = await db.query<{ metric: string; key: string; slots: string | null; vals: string }>(
    `select metric, key, array_to_string(array_agg(floor((date_part('epoch', minute) * 1000 - $3::float8) / $4::float8)::int), ',') as slots, array_to_string(array_agg(value), ',') as vals
       from hookyard.rollup_minute
      where minute >= $1 and minute < $2 and (key = '' or metric not in ('endpoint.failed', 'api.request', 'api.error'))
      group by metric, key
     union all
     select metric, key, null, sum(value)::text from hookyard.rollup_minute
      where minute >= $5 and minute < $2 and metric in ('api.request', 'api.error') and key <> '' group by metric, key
     union all
     select 'endpoint.failing', '', null, count(distinct key)::text from hookyard.rollup_minute
      where minute >= $5 and minute < $2 and metric = 'endpoint.failed' and key <> ''`,
    [since, until, since.getTime(), stepMs, hourStart],
  );
  const out: RollupSlotRow[] = [];
  for (const { metric, key, slots, vals } of rows) {
    const values = vals.split(',');
    if (slots === null) {
      out.push({ slot: null, metric, key, value: Number(values[0]) });
      continue;
    }
    const at = slots.split(',');
    for (let i = 0; i < at.length; i++) out.push({ slot: Number(at[i]), metric, key, value: Number(values[i]) });
  }
  return out;
}

export interface HistogramSlotRow {
  slot: number;
  /** Counts by bucket of one minute of the slot (a slot of several minutes has several rows). */
  counts: number[];
}

/**
 * A histogram metric's rows in [since, until), one per minute (migration 024): at most 1,440 a
 * day, sent as one string ("slot:c0,c1,…;slot:…"), for the reason rollupRead gives.
 */
export async function rollupHistogramRead(db: Queryable, metric: string, since: Date, until: Date, stepMs: number): Promise<HistogramSlotRow[]> {
  const { rows } = await db.query<{ h: string | null }>(
    `select string_agg(floor((date_part('epoch', minute) * 1000 - $4::float8) / $5::float8)::int || ':' || array_to_string(counts, ','), ';') as h
       from hookyard.rollup_histogram where metric = $1 and minute >= $2 and minute < $3`,
    [metric, since, until, since.getTime(), stepMs],
  );
  const text = rows[0]?.h;
  if (!text) return [];
  return text.split(';').map((part) => {
    const at = part.indexOf(':');
    return { slot: Number(part.slice(0, at)), counts: part.slice(at + 1).split(',').map(Number) };
  });
}

/**
 * Counters and histograms older than `before` (the console cleanup's), up to `limit` rows of each
 * table per call. Both keys start with the minute, so the primary keys find them.
 */
export async function rollupDeleteOld(db: Queryable, before: Date, limit: number): Promise<{ counters: number; histograms: number }> {
  const { rows } = await db.query<{ counters: number; histograms: number }>(
    `with counters as (
       delete from hookyard.rollup_minute r using (select minute, metric, key from hookyard.rollup_minute where minute < $1 order by minute limit $2) d
        where r.minute = d.minute and r.metric = d.metric and r.key = d.key returning 1
     ), histograms as (
       delete from hookyard.rollup_histogram r using (select minute, metric from hookyard.rollup_histogram where minute < $1 order by minute limit $2) d
        where r.minute = d.minute and r.metric = d.metric returning 1
     )
     select (select count(*) from counters)::int as counters, (select count(*) from histograms)::int as histograms`,
    [before, limit],
  );
  return rows[0] ?? { counters: 0, histograms: 0 };
}
