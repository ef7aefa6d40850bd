import type { Queryable } from '../store/port.js';

/**
 * Table statistics for a database with no autovacuum (PGlite, the embedded default).
 *
 * The planner sizes a table from its statistics, and a connection keeps the plans it made: a
 * statement planned while a table was small may scan all of it once it is large (migration 025
 * is one that did). PostgreSQL's autovacuum re-analyzes a table that has changed, which also
 * makes every connection plan again; PGlite has no autovacuum, and only the delivery table was
 * kept fresh there, by the worker (delivery-statistics.ts, during bursts of results). So this
 * pass does it for every table: each of Hookyard's tables whose size has moved by more than
 * `changeShare` since its statistics were last taken (or that has none yet) is vacuumed and
 * analyzed. The vacuum also gives back the space of updated and deleted rows. PGlite runs on the
 * process's own thread, so the pass holds up everything else the process does while it runs
 * (requests included); ANALYZE reads a bounded sample of each table, and a table must grow by a
 * fifth again before it is done again, so the passes get rarer as tables get larger.
 */
export interface TableStatisticsOptions {
  /** How far a table's size may move, as a share of its size at the last analyze, before it is analyzed again. */
  changeShare?: number;
  /** Tables smaller than this (pages of 8 kB) are left alone: any plan reads them quickly. */
  minPages?: number;
}

export interface TableSize {
  table: string;
  /** Pages at the last vacuum or analyze (pg_class.relpages). */
  analyzedPages: number;
  /** False when the table has never been analyzed (pg_class.reltuples is -1). */
  analyzed: boolean;
  /** Pages now. */
  pages: number;
}

/** The tables due for new statistics (pure). */
export function tablesDue(sizes: TableSize[], { changeShare = 0.2, minPages = 8 }: TableStatisticsOptions = {}): string[] {
  return sizes
    .filter((t) => t.pages >= minPages && (!t.analyzed || Math.abs(t.pages - t.analyzedPages) > changeShare * Math.max(t.analyzedPages, 1)))
    .map((t) => t.table);
}

/** Hookyard's tables and their sizes, then vacuum and analyze each one due; answers the tables done. */
export async function tableStatisticsPass(db: Queryable, options: TableStatisticsOptions = {}): Promise<string[]> {
  const { rows } = await db.query<{ table: string; analyzed_pages: number; analyzed: boolean; pages: string }>(
    `select c.relname as table, c.relpages as analyzed_pages, c.reltuples >= 0 as analyzed,
            (pg_relation_size(c.oid) / current_setting('block_size')::bigint)::text as pages
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'hookyard' and c.relkind = 'r'
      order by c.relname`,
  );
  // Names are the catalog's, and only plain ones are taken: the one piece of SQL text here not written out.
  const sizes = rows.filter((r) => /^[a-z_][a-z0-9_]*$/.test(r.table));
  const due = tablesDue(sizes.map((r) => ({ table: r.table, analyzedPages: r.analyzed_pages, analyzed: r.analyzed, pages: Number(r.pages) })), options);
  for (const table of due) await db.query(`vacuum (analyze) hookyard.${table}`);
  return due;
}
