import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import type { Queryable, QueryResult, Storage, Unlisten } from './port.js';

function adapt<R>(result: { rows: unknown[]; affectedRows?: number }): QueryResult<R> {
  return { rows: result.rows as R[], rowCount: result.affectedRows ?? null };
}

interface Runner {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[]; affectedRows?: number }>;
  exec(text: string): Promise<{ rows: unknown[]; affectedRows?: number }[]>;
}

/**
 * Like `pg`, a statement without parameters goes over the simple protocol,
 * so a migration file with many statements runs as one call.
 */
async function run<R>(db: Runner, text: string, params?: unknown[]): Promise<QueryResult<R>> {
  if (params === undefined) {
    const results = await db.exec(text);
    return adapt<R>(results.at(-1) ?? { rows: [] });
  }
  return adapt<R>(await db.query(text, params));
}

export interface PgliteOptions {
  /** Folder that holds the database; omit for an in-memory database. */
  dataDir?: string;
  /** A tarball made by `dumpDataDir`, to start from a prepared database (tests). */
  loadDataDir?: Blob | File;
}

/**
 * PGlite is one connection in one process. It queues statements itself, but a
 * transaction must not interleave with statements from elsewhere, so every
 * statement and transaction goes through one promise chain here.
 */
export async function openPglite({ dataDir, loadDataDir }: PgliteOptions = {}): Promise<Storage> {
  const db = await PGlite.create(dataDir, {
    parsers: { [pgliteTypes.INT8]: (value: string) => Number(value) },
    ...(loadDataDir ? { loadDataDir } : {}),
  });

  let tail: Promise<unknown> = Promise.resolve();
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = tail.then(work, work);
    tail = run.catch(() => {});
    return run;
  }

  return {
    kind: 'pglite',
    capabilities: { embedded: true, autovacuum: false },
    query<R>(text: string, params?: unknown[]) {
      return serial(() => run<R>(db, text, params));
    },
    // In-process, there is no connection to lose: no timeouts, and `listen` never has a gap to report.
    transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return serial(() =>
        db.transaction(async (tx) =>
          fn({ query: <R>(text: string, params?: unknown[]) => run<R>(tx, text, params) }),
        ),
      );
    },
    async listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten> {
      const unlisten = await serial(() => db.listen(channel, onNotify));
      return () => serial(() => unlisten());
    },
    async close() {
      await serial(() => db.close());
    },
  };
}
